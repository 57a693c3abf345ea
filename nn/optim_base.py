"""`Optimizer`: what every optimizer shares: its parameters (Values and Tensors, checked), its
settings (checked in one place, for the constructor and for a loaded state alike), the step that
applies one in-place array update to each parameter, and its state dict (the optimizer's kind, its
settings and per-parameter arrays, checked before anything changes, so nn.save and nn.load keep it
with the model). SGD, Adam, AdamW (nn.optim), RMSprop, Adagrad, Adadelta (nn.optim_adaptive), Adamax, NAdam,
RAdam (nn.optim_adam_family) and Rprop (nn.optim_rprop) are its updates; LBFGS (nn.optim_lbfgs) has a step of
its own, over every parameter as one vector, on this base's settings, names and state dict."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from autograd import (
    Node,
    ShapeError,
    Tensor,
    Value,
    checks_gradients_first,
    raw,
    refuse_flushed,
    replayed,
    repr_of,
    type_name,
    zero_grad,
)

from .arguments import one_number, read_only
from .optim_closure import requires_closure, takes_closure
from .optim_finite import first_not_finite, refuse
from .optim_flush import FLUSH_EVERY
from .optim_groups import ParamGroup, ReadOnlyList, checked_params
from .optim_options import OPTIONS, check_torch_options
from .optim_param_groups import Group, ParamGroups, given_groups
from .optim_settings import OptimizerSettings
from .optim_state import OptimizerState
from .optim_state_load import StateLoading


def settings_given(arguments: dict[str, Any]) -> dict[str, Any]:
    """A constructor's arguments (its `locals()`, taken before any other local is made) as Optimizer.__init__'s
    settings: each hyperparameter and flag by name, then its **torch_options; self, params and super()'s
    __class__ left out. Each optimizer spells out its torch.optim counterpart's signature (names, order, defaults:
    tests read it) and passes it on through this, not by naming every argument a second time."""
    left_out = ("self", "params", "__class__", "torch_options")
    return {k: v for k, v in arguments.items() if k not in left_out} | arguments.get("torch_options", {})


class Optimizer(ParamGroups, OptimizerSettings, OptimizerState, StateLoading):
    """Keeps `params`, its settings (by kind, as attributes: nn.optim_settings), and per parameter
    a dict of state (`state[i]` for the i-th Tensor, `state["values"]` for all the Values, packed in
    one array). A subclass gives `update`, its settings to the constructor here, and for its state
    dict `slot_layout` and the `slot_ranges` a loaded state must keep. `schedulers` are the
    nn.schedulers made on it (they chain, as PyTorch's)."""

    # the closed range [low, high] of a slot's values (by its name in slot_layout) that load_state_dict
    # enforces, where a value outside would make the next step NaN (a negative second moment)
    slot_ranges: dict[str, tuple[float, float]] = {}
    # slots a step starts from zeros where a parameter's state lacks them, as a setting switched on since its
    # last step asks for them (Adam's amsgrad: v_max): state_dict writes them so, as that step would make them
    zero_started: tuple[str, ...] = ()
    initial_lr: float | None = None  # the lr before any scheduler changed it (the first scheduler sets it)
    scheduled_lr: float | None = None  # the lr a scheduler set last (another lr now was set by hand)
    # PyTorch's options that choose how its step is computed which its torch.optim counterpart takes: each is
    # taken at the values that compute what chainrule does, and refused at others (nn.optim_options)
    torch_options: tuple[str, ...] = ("foreach", "capturable", "differentiable")
    # settings its torch.optim counterpart's param group lists that are fixed here (AdamW's decoupled_weight_decay,
    # True), with why they cannot change: a param group shows them and refuses another value
    fixed_settings: dict[str, Any] = {}
    fixed_settings_why = ""

    def __init__(self, params: Iterable[Any], **settings: Any) -> None:
        """`params`: parameters, or (name, parameter) pairs (model.named_parameters()), whose names a refused
        step's message, param_groups and state_dict give (`param_names`, or None). `settings`: every
        hyperparameter and flag by name, as the subclass's constructor was given them, and the `torch_options`
        it was given (foreach=None...), checked, and kept only for param_groups to show (`torch_settings`,
        torch's defaults where not given; not saved): they change nothing."""
        names = self.setting_names
        given = {k: v for k, v in settings.items() if k not in names}
        check_torch_options(type(self).__name__, self.torch_options, given)
        self.torch_settings = {
            option: (None if given[option] is None else bool(given[option]))
            if option in given
            else OPTIONS[option][0][0]
            for option in self.torch_options
        }
        self._defaults = self.checked_settings({k: v for k, v in settings.items() if k in names})
        if isinstance(params, Iterator):  # a generator of groups, or of parameters: looked at twice below
            params = list(params)
        groups = given_groups(params)  # PyTorch's list of dicts, each a group with settings of its own
        if groups is None:
            self._keep_groups([Group(*checked_params(type(self).__name__, params), dict(self._defaults))])
        elif len(groups) > 1 and not self.many_groups_taken:
            raise ValueError(f"{type(self).__name__} doesn't support per-parameter options (parameter groups)")
        else:
            self._take_groups(groups, self._defaults)
        self.state: dict[Any, dict[str, Any]] = {}
        self.schedulers: list[Any] = []  # the nn.schedulers chained on this optimizer, in the order made
        self.plateaus: list[Any] = []  # the ReduceLROnPlateaus made on it, in the order made (outside the chain)
        # per Tensor, the shape and dtype its state was last checked for
        self._state_shapes: dict[int, tuple[tuple[int, ...], np.dtype]] = {}
        # per parameter (its state's key), the steps it took since its state was last looked at by `flush`: its own,
        # not the optimizer's (one stepped on odd steps only would miss every 64th); not saved: it times a look only
        self._since_flush: dict[Any, int] = {}

    @property
    def needs_closure(self) -> bool:
        """Whether its step must be given PyTorch's closure, evaluating the loss itself: LBFGS says so (this set
        True), an optimizer of one's own by its step's signature (a port of torch's `step(self, closure)`). nn.fit
        then passes its forward, loss and backward as the closure; viz refuses it. `self.needs_closure = True` (or
        False) says so for one optimizer, as the class attribute does for all."""
        said = self.__dict__.get("_needs_closure")
        return requires_closure(self.step) if said is None else said

    @needs_closure.setter
    def needs_closure(self, value: bool) -> None:
        if not isinstance(value, bool | np.bool_):
            raise TypeError(f"{type(self).__name__}.needs_closure is True or False, got {repr_of(value)}")
        self.__dict__["_needs_closure"] = bool(value)

    @property
    def param_groups(self) -> list[ParamGroup]:
        """PyTorch's param groups, each a live view of its group's settings: `g["lr"] = 0.01` sets that group's
        `lr`, checked (nn.optim_groups); with one group, the optimizer's own (`opt.lr`)."""
        return ReadOnlyList(ParamGroup(self, k) for k in range(len(self.groups)))

    def __getattr__(self, name: str) -> Any:
        """A setting read with several param groups (not in the instance's dict then): theirs where they agree,
        else ValueError naming param_groups (ParamGroups.agreed)."""
        groups = self.__dict__.get("groups")
        if groups is not None and len(groups) > 1 and name in self.setting_names:
            return self.agreed(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @replayed  # autograd.compile: a compiled step makes this call again on each replay
    def zero_grad(self, set_to_none: bool = True) -> None:
        zero_grad(self.params, set_to_none)

    @takes_closure  # step(closure), PyTorch's: the closure called first, its loss returned (nn.optim_closure)
    @replayed
    @checks_gradients_first  # it reads every gradient before moving anything: a replay may tell it which are finite
    def step(self) -> None:
        """Update every parameter from its `.grad` (a Tensor that no backward reached, or frozen, is left alone).
        Every gradient and every kept state is checked first (ShapeError, TypeError; FloatingPointError for a
        gradient holding NaN or an infinity: nn.optim_finite), so a step that fails moves nothing. A `closure`
        (PyTorch's: zero_grad, loss, backward, return the loss) is called first, and its loss returned."""
        refuse_flushed(f"{type(self).__name__}.step()")  # SGD's 2e-308 - 1.9e-308 is 0 there
        moving = self._checked_tensors()
        # the Values' gradients are read (and checked) before any Tensor moves
        grad = np.fromiter((_float(self, v) for v in self.values), float, len(self.values)) if self.values else None
        if grad is not None and first_not_finite([grad]) is not None:
            k = int(np.argmin(np.isfinite(grad)))
            refuse(self, self.values[k], grad[k], f"the Value {self.values[k]!r} ({self._called(k)})", self._name(k))
        if len(self.groups) > 1:
            self._grouped_step(moving, [] if grad is None else grad.tolist())
            return
        states = self.state
        for i, t, data, g in moving:
            state = states.get(i) or states.setdefault(i, {})  # no dict made for a parameter that has one
            self.update(state, data, g)
            self._flush_when_due(i, state)
            t.data = data  # the array changed in place: tell the version counter
        if self.values:
            data = np.fromiter((v.data for v in self.values), float, len(self.values))
            self.update(state := self.state.setdefault("values", {}), data, grad)
            self._flush_when_due("values", state)
            for v, x in zip(self.values, data.tolist()):
                v.data = x

    def _flush_when_due(self, key: Any, state: dict[str, Any]) -> None:
        """`flush` the state of the parameter `key` (as in `self.state`) on its own every FLUSH_EVERY-th step."""
        since = self._since_flush
        taken = since[key] = since.get(key, 0) + 1
        if taken >= FLUSH_EVERY:
            since[key] = 0
            self.flush(state)

    def _checked_tensors(self) -> list[tuple[int, Tensor, np.ndarray, np.ndarray]]:
        """(i, the i-th Tensor, its array, its gradient's array) for each Tensor a step moves: one that holds a
        `.grad` and requires grad (a frozen one keeps even a .grad it still holds). Refuses a gradient
        of another shape, and a kept state made for another shape (its .data replaced since; `.grad`
        itself is checked when assigned), in O(parameters) Python; then a gradient holding NaN or an
        infinity, in one pass over each (nn.optim_finite)."""
        moving, checked = [], self._state_shapes
        for i, t in enumerate(self.tensors):
            g = t.grad
            if g is None or not t.requires_grad:
                continue
            data = t.data
            shape = data.shape
            if not data.flags.writeable:  # refused before any parameter moves
                whose = f"{type(self).__name__}: the data of {t!r}"
                raise read_only(whose, "so a step cannot change it; give the parameter its own copy")
            if g.shape != shape:
                raise ShapeError(
                    f"{type(self).__name__}: a gradient of shape {g.shape} for a parameter of shape {shape} ({t!r}); "
                    "a gradient has its parameter's shape"
                )
            # the slots are looked at only when the shape or dtype is not the one they were last found right
            # for (the first step, after a load, after .data changed): a dict look-up on other steps
            if checked.get(i) != (shape, data.dtype):
                with self.acting_as(self._tensor_group[i]):  # its group's settings lay its state out
                    self._check_slots(i, t, shape)
            moving.append((i, t, data, g if g.__class__ is np.ndarray else raw(g)))  # raw: a Tensor under create_graph
        bad = first_not_finite([g for *_, g in moving])
        if bad is not None:
            _, t, data, g = moving[bad]
            refuse(self, t, g, f"{self._called(t)}, of shape {data.shape} ({data.dtype})", self._name(t))
        return moving

    def _position(self, parameter: Node | int) -> int:
        """Where `parameter` (or the `parameter`-th Value) is in the list the optimizer was given, for a message."""
        if isinstance(parameter, int):
            parameter = self.values[parameter]
        return next(k for k, p in enumerate(self.params) if p is parameter)

    def _name(self, parameter: Node | int) -> str | None:
        """The name `parameter` (or the `parameter`-th Value) was given to the optimizer under, or None."""
        return None if self.param_names is None else self.param_names[self._position(parameter)]

    def _called(self, parameter: Node | int) -> str:
        """`parameter` (or the `parameter`-th Value) for a message: "layers.0.W (parameter 0)", or "parameter 0"."""
        name, where = self._name(parameter), f"parameter {self._position(parameter)}"
        return where if name is None else f"{name} ({where})"

    def _check_slots(self, i: int, t: Tensor, shape: tuple[int, ...]) -> None:
        """Refuse the kept state of the i-th Tensor if a slot of it was made for another shape, or an
        array slot for another dtype (the model converted since, `model.double()`: its moments would stay
        in the old precision)."""
        kept, name = self.state.get(i, {}), type(self).__name__
        for slot, (need, dtype) in self.slot_layout(shape, t.dtype).items():
            if slot not in kept:
                continue
            if np.shape(kept[slot]) != need:
                raise ShapeError(
                    f"{name}: its state {slot!r} for {t!r} has shape {np.shape(kept[slot])}, made for the "
                    f"parameter before its .data changed shape to {shape}; make a new {name} for it"
                )
            if isinstance(kept[slot], np.ndarray) and kept[slot].dtype != dtype:  # not a count, kept as an int
                raise TypeError(
                    f"{name}: its state {slot!r} for {t!r} is {kept[slot].dtype}, made for the parameter before it "
                    f"became {t.dtype} (model.to(), .double()); convert the model first, then make the {name}"
                )
        self._state_shapes[i] = (shape, t.dtype)

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        """Change `data` in place from `grad`, keeping whatever this optimizer needs in `state`."""
        raise NotImplementedError

    def flush(self, state: dict[str, Any]) -> None:
        """Zero the values of `state`'s decaying arrays (momentum buffers, running averages) that are too small to
        change a step, before they decay into the slow subnormal floats (nn.optim_flush): called on every
        FLUSH_EVERY-th step of the parameter whose state it is, after the update. None here."""

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """The arrays `state` keeps (once a step has made it) for parameters of this shape and dtype,
        by name: what the state dict saves of it. Scratch space is left out."""
        return {}


def _float(owner: Optimizer, v: Value) -> float:
    """`v.grad` as a float, or TypeError naming `v` if it is not a real number (a str, a complex)."""
    g = v.grad
    if g.__class__ is float:  # nearly always: the fast path
        return g
    number = one_number(g)  # a Value (create_graph's), a numpy number, a 0-d array
    if number is not None:
        return number
    raise TypeError(f"{type_name(owner)}: the gradient of {v!r} is {type_name(g)} {g!r}; a gradient is a real number")
