"""The arguments of Tensor's reductions, in numpy's spelling and PyTorch's: `axis=` or `dim=`,
`keepdims=` or `keepdim=` (giving both of a pair is a TypeError), checked against the tensor's dims."""

from __future__ import annotations

from typing import Any

from . import shape_args as args
from .modes import flag, short
from .tensor_ops import Axis


def either(name: str, numpy_name: str, numpy_value: Any, torch_name: str, torch_value: Any) -> Any:
    """The value of an argument numpy and PyTorch name differently (None: not given)."""
    if torch_value is None:
        return numpy_value
    if numpy_value is not None:
        raise TypeError(f"{name}() got both {numpy_name}= (numpy's name) and {torch_name}= (PyTorch's): pass one")
    return torch_value


def reduced_axes(self: Any, name: str, axis: Any, dim: Any) -> Axis:
    """The axes to reduce: numpy's axis or PyTorch's dim, an int, a sequence of ints or None (all),
    checked against the tensor's dims (shape_args' rule) and passed on as given."""
    if dim is None and (axis is None or (axis.__class__ is int and -self.ndim <= axis < self.ndim)):
        return axis  # the common calls, sum() and sum(axis=1), without the checks' messages made
    if isinstance(dim, list | tuple) and not dim:  # numpy reads no axes as none, PyTorch as all of them
        raise ValueError(
            f"{name}(dim={dim!r}) is ambiguous: PyTorch reduces over every dim, numpy's axis=() over none; "
            f"write {name}() (or dim=None) for every dim, or axis=() for none"
        )
    axis = either(name, "axis", axis, "dim", dim)
    if axis is None:
        return None
    if not (args.is_int(axis) or isinstance(axis, list | tuple)):
        raise TypeError(f"{name}(): axis must be an int, a tuple of ints or None, got {short(axis)}")
    args.dim_or_dims(axis, self.ndim, f"{name}()", "axis")
    axis = int(axis) if args.is_int(axis) else tuple(int(a) for a in axis)
    return None if self.ndim == 0 else axis  # checked above: 0 or -1 of a 0-d tensor is all of it, as PyTorch


def one_axis(self: Any, name: str, axis: Any, dim: Any) -> int:
    """The one axis of softmax and log_softmax: the last unless given, checked against the tensor's dims."""
    axis = either(name, "axis", axis, "dim", dim)
    if isinstance(axis, tuple | list):  # one axis: `dim=()` would leave the entries as they are (PyTorch refuses it)
        raise TypeError(f"{name} takes one axis (an int), got {short(axis)}")
    if axis is None:
        return -1
    if axis.__class__ is not int or not -self.ndim <= axis < self.ndim:  # the message made only then
        args.dim(axis, self.ndim, f"{name}()", "axis")
    return int(axis)


def keep_dims(name: str, keepdims: Any, keepdim: Any) -> bool:
    if keepdim is None and (keepdims is None or keepdims.__class__ is bool):
        return bool(keepdims)  # the common calls, without the check's message made
    given = either(name, "keepdims", keepdims, "keepdim", keepdim)
    return False if given is None else flag(given, f"{name}(): {'keepdims' if keepdim is None else 'keepdim'}")


def over_entries(self: Any, name: str, axis: Axis, extreme: str) -> Axis:
    """`axis` of a max, min or inf-norm (checked by reduced_axes), refused where an axis it reduces is
    empty: the `extreme` ("largest") of no entries has no value (numpy's words named its ufunc,
    "maximum which has no identity", and max where amax was called)."""
    shape = self.shape
    if 0 in shape:
        axes = range(len(shape)) if axis is None else [a % len(shape) for a in ((axis,) if args.is_int(axis) else axis)]
        empty = [a for a in axes if shape[a] == 0]
        if empty:
            raise ValueError(
                f"{name}() of a tensor of shape {shape} over axis {empty[0]}, which is empty: the {extreme} of "
                "no entries is undefined (as in PyTorch)"
            )
    return axis
