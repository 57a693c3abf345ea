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


class Optimizer:
    """Keeps `params` and `lr`, and per parameter a dict of state (`state[i]` for the i-th Tensor,
    `state["values"]` for all the Values, packed in one array). A subclass gives `update` and, for
    its state dict, `hyperparameters` and `slot_layout`."""

    hyperparameters: tuple[str, ...] = ("lr",)  # saved and loaded by the state dict; numbers or pairs of them
    limits: dict[
        str, float
    ] = {}  # hyperparameters that must stay below a bound (betas below 1), as the constructor checks
    initial_lr: float | None = None  # the lr before any scheduler changed it (the first scheduler sets it)

    def __init__(self, params: Iterable[Node], lr: float) -> None:
        name = type(self).__name__
        if isinstance(params, Node):
            raise TypeError(f"{name} takes a list of parameters, got one {type(params).__name__}: write {name}([w])")
        params = list(params)
        if not params:
            raise ValueError(f"{name} got no parameters (did the model build any?)")
        for p in params:
            if not (isinstance(p, Value) or (isinstance(p, Tensor) and p.requires_grad)):
                raise TypeError(f"{name} takes Values and Tensors that require grad, got {p!r}")
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

    @replayed  # autograd.compile: a compiled step makes this call again on each replay
    def zero_grad(self) -> None:
        zero_grad(self.params)

    @replayed
    def step(self) -> None:
        """Update every parameter from its `.grad` (a Tensor that no backward reached is left alone)."""
        for i, t in enumerate(self.tensors):
            if t.grad is not None:
                if np.shape(t.grad) != t.shape:
                    raise ShapeError(
                        f"{type(self).__name__}: a gradient of shape {np.shape(t.grad)} for a parameter of shape "
                        f"{t.shape} ({t!r}); a gradient has its parameter's shape"
                    )
                data = t.data
                self.update(self.state.setdefault(i, {}), data, t.grad)
                t.data = data  # the array changed in place: tell the version counter
        if self.values:
            data = np.fromiter((v.data for v in self.values), float, len(self.values))
            grad = np.fromiter((_float(v.grad) for v in self.values), float, len(self.values))
            self.update(self.state.setdefault("values", {}), data, grad)
            for v, x in zip(self.values, data.tolist()):
                v.data = x

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
        ranges, counts >= 0), so a bad state changes nothing. Raises KeyError or ValueError."""
        name = type(self).__name__
        if not isinstance(state, Mapping):
            raise TypeError(f"{name}.load_state_dict takes a dict of arrays (state_dict()), got {type(state).__name__}")
        try:
            arrays = {key: np.asarray(value) for key, value in state.items()}
            expected = self._expected({key: (a.shape, a.dtype) for key, a in arrays.items()})
            new = conform(expected, arrays)
            hyper = {h: _number(self, h, new.pop(h)) for h in self.hyperparameters}
            for key, array in new.items():
                if array.dtype == COUNT and array < 0:
                    raise ValueError(f"{key} is {int(array)}; a count of steps is >= 0")
        except (KeyError, ValueError) as e:
            why = e.args[0].removeprefix(f"{name}: ")  # a hyperparameter's error names the optimizer already
            raise type(e)(f"cannot load this state into {name}: {why}") from None
        for h, value in hyper.items():
            setattr(self, h, value)
        self.state = {}
        for key, array in new.items():
            _, slot, entry = key.split(".")
            kept = self.state.setdefault(int(slot) if slot.isdigit() else slot, {})
            kept[entry] = int(array) if array.dtype == COUNT else array

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
    """`value`, a real number in [0, below) (NaN is not), or an error naming `owner`'s argument."""
    owner = type(owner).__name__
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__} {value!r}")
    if not 0 <= value < below:
        limit = "a finite number >= 0" if below == math.inf else f"in [0, {below:g})"
        raise ValueError(f"{owner}: {name} must be {limit}, got {value!r}")
    return value


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


def _float(g: Any) -> float:
    return g.data if isinstance(g, Value) else float(g)
