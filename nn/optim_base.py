"""`Optimizer`: what every optimizer shares: its parameters (Values and Tensors, checked), the
step that applies one in-place array update to each, and its state dict (hyperparameters and
per-parameter arrays, checked before anything changes, so nn.save and nn.load keep it with the
model). SGD, Adam, AdamW (nn.optim), RMSprop and Adagrad (nn.optim_adaptive) are its updates."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from autograd import Node, ShapeError, Tensor, Value, replayed, zero_grad

from .module import Layout, check_entries, conform

COUNT = np.dtype(np.int64)  # the dtype of a step counter in a state dict
REAL_KINDS = "iuf"  # numpy dtype kinds a gradient may have: integers and floats (not bool, complex or text)


class Optimizer:
    """Keeps `params` and `lr`, and per parameter a dict of state (`state[i]` for the i-th Tensor,
    `state["values"]` for all the Values, packed in one array). A subclass gives `update` and, for
    its state dict, `hyperparameters`, `slot_layout` and the `slot_ranges` a loaded state must keep.
    `schedulers` are the nn.schedulers made on it (they chain, as PyTorch's)."""

    hyperparameters: tuple[str, ...] = ("lr",)  # saved and loaded by the state dict; numbers or pairs of them
    limits: dict[
        str, float
    ] = {}  # hyperparameters that must stay below a bound (betas below 1), as the constructor checks
    # the closed range [low, high] of a slot's values (by its name in slot_layout) that load_state_dict
    # enforces, where a value outside would make the next step NaN (a negative second moment)
    slot_ranges: dict[str, tuple[float, float]] = {}
    initial_lr: float | None = None  # the lr before any scheduler changed it (the first scheduler sets it)

    def __init__(self, params: Iterable[Node], lr: float) -> None:
        name = type(self).__name__
        if isinstance(params, Node):
            raise TypeError(f"{name} takes a list of parameters, got one {type(params).__name__}: write {name}([w])")
        params = list(params)
        if not params:
            raise ValueError(f"{name} got no parameters (did the model build any?)")
        for p in params:
            if not (isinstance(p, Value) or (isinstance(p, Tensor) and (p.requires_grad or p.frozen))):
                raise TypeError(f"{name} takes Values and Tensors that require grad (or frozen ones), got {p!r}")
            if p.op is not None:
                raise ValueError(
                    f"{name}: {p!r} is not a leaf (the op {p.op.name!r} made it), so no gradient is kept on it; "
                    "give the leaf parameters it was computed from"
                )
        unique = list({id(p): p for p in params}.values())
        if len(unique) < len(params):
            warnings.warn(f"{name} got the same parameter twice; it is updated once", UserWarning, stacklevel=3)
        self.params = unique
        self.tensors = [p for p in unique if isinstance(p, Tensor)]
        self.values = [p for p in unique if isinstance(p, Value)]
        self.lr = checked(self, "lr", lr)
        self.state: dict[Any, dict[str, Any]] = {}
        self.schedulers: list[Any] = []  # the nn.schedulers chained on this optimizer, in the order made
        self._state_shapes: dict[int, tuple[int, ...]] = {}  # per Tensor, the shape its state was last checked for

    @replayed  # autograd.compile: a compiled step makes this call again on each replay
    def zero_grad(self) -> None:
        zero_grad(self.params)

    @replayed
    def step(self) -> None:
        """Update every parameter from its `.grad` (a Tensor that no backward reached is left alone).
        Every gradient and every kept state is checked first (ShapeError, TypeError), so a step that
        fails moves nothing."""
        self._check_tensors()
        # the Values' gradients are read (and checked) before any Tensor moves
        grad = np.fromiter((_float(self, v) for v in self.values), float, len(self.values)) if self.values else None
        for i, t in enumerate(self.tensors):
            if t.grad is not None:
                data = t.data
                self.update(self.state.setdefault(i, {}), data, t.grad)
                t.data = data  # the array changed in place: tell the version counter
        if self.values:
            data = np.fromiter((v.data for v in self.values), float, len(self.values))
            self.update(self.state.setdefault("values", {}), data, grad)
            for v, x in zip(self.values, data.tolist()):
                v.data = x

    def _check_tensors(self) -> None:
        """Refuse a Tensor's gradient of another shape or not of real numbers, and a kept state made for
        another shape (its .data replaced since): O(parameters) Python, no pass over an array."""
        name = type(self).__name__
        for i, t in enumerate(self.tensors):
            g = t.grad
            if g is None:
                continue
            shape = t.data.shape
            if g.__class__ is not np.ndarray:  # a list or a scalar someone assigned: read as numpy would
                g = np.asarray(g)
            if g.shape != shape:
                raise ShapeError(
                    f"{name}: a gradient of shape {g.shape} for a parameter of shape {shape} ({t!r}); a gradient "
                    "has its parameter's shape"
                )
            if g.dtype.kind not in REAL_KINDS:
                raise TypeError(
                    f"{name}: the gradient of {t!r} has dtype {g.dtype}; a gradient holds real numbers (floats, "
                    "as backward() gives)"
                )
            # the slots are looked at only when the shape is not the one they were last found right for
            # (the first step, after a load, after .data changed shape): a dict look-up on other steps
            if self._state_shapes.get(i) != shape:
                self._check_slots(i, t, shape)

    def _check_slots(self, i: int, t: Tensor, shape: tuple[int, ...]) -> None:
        """Refuse the kept state of the i-th Tensor if a slot of it was made for another shape."""
        kept = self.state.get(i, {})
        for slot, (need, _) in self.slot_layout(shape, t.dtype).items():
            if slot in kept and np.shape(kept[slot]) != need:
                raise ShapeError(
                    f"{type(self).__name__}: its state {slot!r} for {t!r} has shape {np.shape(kept[slot])}, made "
                    f"for the parameter before its .data changed shape to {shape}; make a new "
                    f"{type(self).__name__} for it"
                )
        self._state_shapes[i] = shape

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        """Change `data` in place from `grad`, keeping whatever this optimizer needs in `state`."""
        raise NotImplementedError

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """The arrays `state` keeps (once a step has made it) for parameters of this shape and dtype,
        by name: what the state dict saves of it. Scratch space is left out."""
        return {}

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of the hyperparameters (0-d arrays, a pair as a 1-d one) by name, and of each
        parameter's state as "state.SLOT.NAME", SLOT being the Tensor's position among the Tensor
        parameters or "values" (the Values, packed in one array). Arrays only: nn.save writes it."""
        state = {name: np.array(getattr(self, name), dtype=np.float64) for name in self.hyperparameters}
        for slot, (shape, dtype) in self._slots().items():
            kept = self.state.get(slot, {})
            for name, (_, kind) in self.slot_layout(shape, dtype).items():
                if name in kept:
                    state[f"state.{slot}.{name}"] = np.array(kept[name], dtype=kind)
        return state

    def state_layout(self) -> Layout:
        """(shape, dtype) of every entry a state dict of this optimizer may hold (a parameter that
        no step has reached yet has no state): nn.load reads no more than this."""
        own = {name: (np.shape(getattr(self, name)), np.dtype(np.float64)) for name in self.hyperparameters}
        for slot, (shape, dtype) in self._slots().items():
            own |= {f"state.{slot}.{name}": entry for name, entry in self.slot_layout(shape, dtype).items()}
        return own

    def check_state(self, entries: Layout) -> None:
        """Refuse a state dict from its entries' (shape, dtype) alone: KeyError for missing or
        unexpected names (a parameter's state is all there or not at all), ValueError for a wrong
        shape or dtype."""
        check_entries(self._expected(entries), entries)

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set the hyperparameters and the per-parameter state from `state` (as `state_dict` gives).
        Everything is checked first (names, shapes, dtypes, finite values, hyperparameters in their
        ranges, slots in theirs: counts and second moments >= 0), so a bad state changes nothing.
        Raises KeyError or ValueError."""
        name = type(self).__name__
        if not isinstance(state, Mapping):
            raise TypeError(f"{name}.load_state_dict takes a dict of arrays (state_dict()), got {type(state).__name__}")
        try:
            arrays = {key: np.asarray(value) for key, value in state.items()}
            expected = self._expected({key: (a.shape, a.dtype) for key, a in arrays.items()})
            new = conform(expected, arrays)
            hyper = {h: _number(self, h, new.pop(h)) for h in self.hyperparameters}
            for key, array in new.items():
                self._check_range(key, array)
        except (KeyError, ValueError) as e:
            why = e.args[0].removeprefix(f"{name}: ")  # a hyperparameter's error names the optimizer already
            raise type(e)(f"cannot load this state into {name}: {why}") from None
        for h, value in hyper.items():
            setattr(self, h, value)
        self.state, self._state_shapes = {}, {}
        for key, array in new.items():
            _, slot, entry = key.split(".")
            kept = self.state.setdefault(int(slot) if slot.isdigit() else slot, {})
            kept[entry] = int(array) if array.dtype == COUNT else array

    def _check_range(self, key: str, array: np.ndarray) -> None:
        """Refuse a loaded slot with values outside its range (`slot_ranges`; a count of steps is >= 0)."""
        slot = key.split(".")[2]
        low, high = (0, math.inf) if array.dtype == COUNT else self.slot_ranges.get(slot, (-math.inf, math.inf))
        outside = np.count_nonzero((array < low) | (array > high))
        if outside:
            what = "a count of steps" if array.dtype == COUNT else f"{type(self).__name__}'s {slot!r}"
            bounds = f">= {low:g}" if high == math.inf else f"in [{low:g}, {high:g}]"
            raise ValueError(
                f"{key} holds {outside} value(s) out of range (the least {array.min().item()!r}); {what} is "
                f"{bounds}, else the next step would make the parameters NaN"
            )

    def _slots(self) -> dict[Any, tuple[tuple[int, ...], np.dtype]]:
        """(shape, dtype) of each slot of state: each Tensor's, and the Values' packed array."""
        slots: dict[Any, tuple[tuple[int, ...], np.dtype]] = {i: (t.shape, t.dtype) for i, t in enumerate(self.tensors)}
        if self.values:
            slots["values"] = ((len(self.values),), np.dtype(np.float64))
        return slots

    def _expected(self, entries: Layout) -> Layout:
        """The layout `entries` must match: the hyperparameters, and the whole state of every slot
        that `entries` holds any of; the names of no slot are left in, to be refused as unexpected."""
        everything = self.state_layout()
        given = {key.split(".")[1] for key in entries if key.startswith("state.") and key in everything}
        return {
            key: entry
            for key, entry in everything.items()
            if not key.startswith("state.") or key.split(".")[1] in given
        }


def checked(owner: Any, name: str, value: Any, below: float = math.inf) -> float:
    """`value` as a float, a real number in [0, below) (NaN is not; numpy's real scalars are), or an
    error naming `owner`'s argument."""
    owner = type(owner).__name__
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__} {value!r}")
    limit = "a finite number >= 0" if below == math.inf else f"in [0, {below:g})"
    try:
        number = float(value)  # a Python float: numpy's float64 would be a strong type in the updates
    except OverflowError:  # an int beyond a float's range: the first step would overflow
        raise ValueError(f"{owner}: {name} must be {limit}, got an int too large for a float") from None
    if not 0 <= number < below:
        raise ValueError(f"{owner}: {name} must be {limit}, got {value!r}")
    return number


def scratch(state: dict[str, Any], like: np.ndarray, name: str = "scratch", dtype: Any = None) -> np.ndarray:
    """An array of `like`'s shape and dtype (or `dtype`) kept in `state[name]` for an update's
    intermediate values (not saved: the state dict holds the slots of `slot_layout` only)."""
    s = state.get(name)
    if s is None or s.shape != like.shape or s.dtype != (like.dtype if dtype is None else dtype):
        s = state[name] = np.empty_like(like, dtype=dtype)
    return s


def decayed(state: dict[str, Any], data: np.ndarray, grad: np.ndarray, weight_decay: float) -> np.ndarray:
    """grad + weight_decay * data (L2 weight decay, added to the gradient) in a scratch array of its
    own, with the same rounding; `grad` itself when weight_decay is 0."""
    if not weight_decay:
        return grad
    out = scratch(state, data, "decayed", np.result_type(grad, data))
    return np.add(grad, np.multiply(data, weight_decay, out=out), out=out)


def descend(state: dict[str, Any], data: np.ndarray, step: np.ndarray, lr: float) -> None:
    """data -= lr * step, with the same rounding, through a scratch array instead of a new one."""
    s = scratch(state, step)
    np.multiply(step, lr, out=s)
    np.subtract(data, s, out=data)


def _number(owner: Optimizer, name: str, array: np.ndarray) -> Any:
    """A loaded hyperparameter as a number (a pair as a tuple), in its range as the constructor checks it."""
    below = owner.limits.get(name, math.inf)
    if array.ndim:
        return tuple(checked(owner, name, float(x), below) for x in array)
    return checked(owner, name, float(array), below)


def _float(owner: Optimizer, v: Value) -> float:
    """`v.grad` as a float, or TypeError naming `v` if it is not a real number (a str, a complex)."""
    g = v.grad
    if g.__class__ is float:  # nearly always: the fast path
        return g
    if isinstance(g, Value):
        return g.data
    if (isinstance(g, numbers.Real) and not isinstance(g, bool)) or (
        isinstance(g, np.ndarray) and g.ndim == 0 and g.dtype.kind in REAL_KINDS
    ):
        return float(g)
    raise TypeError(
        f"{type(owner).__name__}: the gradient of {v!r} is {type(g).__name__} {g!r}; a gradient is a real number"
    )
