"""PyTorch's functions of tensors that are Tensor methods here: `torch.sum(x, dim=1)`, `torch.softmax(x, 1)`,
`torch.clamp(x, 0, 1)`, `torch.matmul(a, b)`, ... as autograd's functions of Tensors, arrays and lists, each the
method of its name (shape_functions' rule), so that ported code runs as written. As torch's: `max(a, b)` and
`min(a, b)` of two tensors are elementwise (maximum, minimum); `mm`, `bmm` and `mv` take only the dims their names
say. Names that are Python's builtins (sum, max, min, all, any, pow) are autograd's attributes, outside its
`__all__`: `from autograd import *` leaves the builtins alone (sum of a list stays a number). Where the method's
reading of a call is numpy's or refused as ambiguous (`x.max(1)`, `x.std()`), the function reads torch's:
`max(x, 1)` is (values, indices) along dim 1, `std(x)` the sample std (correction=1)."""

from __future__ import annotations

import builtins
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from . import compile_read_hooks
from .dtypes import dtype_of
from .graph import Node
from .modes import short
from .shape_args import is_int
from .shape_functions import _function, _operand
from .tensor_class import Tensor
from .tensor_ops import ShapeError

_METHODS = (
    "sum mean prod norm logsumexp argmax argmin amax amin all any cumsum cumprod softmax log_softmax "
    "clamp clip matmul lerp addmm eq ne lt gt le ge pow numel diff"
).split()
BUILTINS = frozenset({"sum", "max", "min", "all", "any", "pow"})  # kept out of autograd.__all__
_OF_ITERABLES = BUILTINS - {"pow"}  # Python's functions of a list
_DTYPED = frozenset({"sum", "mean", "prod", "cumsum", "cumprod", "softmax", "log_softmax", "norm"})  # torch's dtype=
_FLOATS_ONLY = frozenset({"mean", "softmax", "log_softmax", "norm"})  # torch refuses an integer dtype for these


def _one_tensor(name: str, x: Any) -> None:
    """Refuse a list or tuple holding Tensors (or Values) given to a builtin's name: where `from autograd import sum`
    shadows Python's, sum([a, b]) would be every entry's sum, not Python's a + b (torch.sum refuses a list)."""
    if name in _OF_ITERABLES and isinstance(x, list | tuple) and builtins.any(isinstance(e, Node) for e in x):
        raise TypeError(
            f"{name}() of a list of Tensors: autograd.{name} (torch.{name}) takes one tensor; for Python's "
            f"{name} of the list write builtins.{name}(...), for one over all their entries "
            f"autograd.stack(...).{name}()"
        )


def _cast(name: str, x: Any, arguments: tuple, keywords: dict) -> tuple[Any, tuple]:
    """x cast to torch's `dtype=` first, as torch's (softmax(x, dim, dtype) by position too), and the other
    arguments; x itself where no dtype is given."""
    if name in ("softmax", "log_softmax") and len(arguments) == 2:
        if "dtype" in keywords:
            raise TypeError(f"{name}() got dtype twice, by position and as dtype=: pass one")
        arguments, keywords["dtype"] = arguments[:1], arguments[1]
    dtype = keywords.pop("dtype", None)
    if dtype is None:
        return x, arguments
    x, kind = _operand(x, name), dtype_of(dtype, f"{name}()")
    if kind.kind != "f" and (name in _FLOATS_ONLY or x.requires_grad):
        why = "x requires grad" if name not in _FLOATS_ONLY else f"torch's {name} takes floating dtypes only"
        raise TypeError(f"{name}(): dtype {kind} would cast x's entries to it, and {why}: give a floating dtype")
    return x.astype(kind), arguments


def _checked_function(name: str) -> Callable[..., Any]:
    """The method `name` as a function (shape_functions' rule), a builtin's name refusing a list of Tensors, torch's
    dtype= taken where torch takes it."""
    method = _function(name)
    if name not in _OF_ITERABLES | _DTYPED:
        method.__module__ = __name__  # where pickle and help() find it: autograd.shape_functions has no such name
        return method

    def function(x: Any, *arguments: Any, **keywords: Any) -> Any:
        _one_tensor(name, x)
        if name in _DTYPED:
            x, arguments = _cast(name, x, arguments, keywords)
        return method(x, *arguments, **keywords)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    compile_read_hooks.FORWARDERS.add(function.__code__)  # all() reads the numbers: its caller does
    return function


globals().update({name: _checked_function(name) for name in _METHODS})


def max(x: Any, *arguments: Any, **keywords: Any) -> Any:  # noqa: A001 (torch's name)
    """`torch.max`: of one tensor, `x.max(...)` (its dim gives (values, indices), as the method's); of two,
    the elementwise maximum, as torch.max(a, b)."""
    return _extreme("max", "maximum", x, arguments, keywords)


def min(x: Any, *arguments: Any, **keywords: Any) -> Any:  # noqa: A001 (torch's name)
    """`torch.min`: of one tensor, `x.min(...)`; of two, the elementwise minimum, as torch.min(a, b)."""
    return _extreme("min", "minimum", x, arguments, keywords)


def _extreme(name: str, elementwise: str, x: Any, arguments: tuple, keywords: dict) -> Any:
    """x.maximum(other) where the second argument is a tensor (a Tensor or an array), else x's method `name`, an int
    by position being torch's dim (then keepdim)."""
    _one_tensor(name, x)
    other = arguments[0] if arguments else keywords.get("other")
    if not isinstance(other, Tensor | np.ndarray):
        if "other" in keywords or (isinstance(other, numbers.Real) and not is_int(other)):
            raise TypeError(
                f"{name}(input, other): other is a tensor (torch's too), got {short(other)}: for the {elementwise} "
                f"with a number write autograd.clamp(x, {'min' if name == 'max' else 'max'}={short(other)})"
            )
        if arguments and is_int(arguments[0]) and not isinstance(arguments[0], bool):
            arguments, keywords = (), {**_named(name, arguments, ("dim", "keepdim")), **keywords}
        return _METHOD_OF[name](x, *arguments, **keywords)
    if len(arguments) + len(keywords) > 1:
        raise TypeError(f"{name}(input, other): the elementwise {elementwise} of two tensors takes nothing else")
    return getattr(_operand(x, name), elementwise)(other)


def std(x: Any, *arguments: Any, **keywords: Any) -> Any:
    """`torch.std`: the sample standard deviation (correction=1) unless told otherwise; torch's forms
    std(x, dim, unbiased, keepdim) and std(x, unbiased) too."""
    return _moment("std", x, arguments, keywords)


def var(x: Any, *arguments: Any, **keywords: Any) -> Any:
    """`torch.var`: the sample variance (correction=1) unless told otherwise; torch's forms as `std`'s."""
    return _moment("var", x, arguments, keywords)


def _moment(name: str, x: Any, arguments: tuple, keywords: dict) -> Any:
    """x's method `name` with torch's arguments: by position dim, unbiased, keepdim (or unbiased alone, a bool);
    correction=1 where neither correction, unbiased nor ddof is given (the method's default is numpy's ddof=0)."""
    order = ("unbiased",) if arguments and isinstance(arguments[0], bool) else ("dim", "unbiased", "keepdim")
    keywords = {**_named(name, arguments, order), **keywords}
    if not {"correction", "unbiased", "ddof"} & keywords.keys():
        keywords["correction"] = 1
    return _METHOD_OF[name](x, **keywords)


def _named(name: str, arguments: tuple, names: tuple[str, ...]) -> dict[str, Any]:
    """torch's positional arguments by their names."""
    if len(arguments) > len(names):
        raise TypeError(f"{name}() takes at most {len(names)} arguments after the tensor ({', '.join(names)})")
    return dict(zip(names, arguments))


_METHOD_OF = {name: _function(name) for name in ("max", "min", "std", "var")}
# max(dim=) reads where the maxima lie: compile notes that read as the caller's (a step's), past these frames as past
# _function's; without them autograd.max(y, dim=0) in a compiled step was replayed at the recorded index
compile_read_hooks.FORWARDERS.update(f.__code__ for f in (max, min, _extreme, std, var, _moment))


def mm(a: Any, b: Any) -> Tensor:
    """`torch.mm`: the product of two matrices (2-d each; matmul takes any dims)."""
    return _dims("mm", a, b, 2, 2)


def bmm(a: Any, b: Any) -> Tensor:
    """`torch.bmm`: the products of two batches of matrices, (b, n, m) @ (b, m, p), of one batch size."""
    a, b = _operand(a, "bmm"), _operand(b, "bmm")
    if a.ndim == 3 and b.ndim == 3 and a.shape[0] != b.shape[0]:
        raise ShapeError(f"bmm: batches of {a.shape[0]} and {b.shape[0]} matrices; bmm takes one batch size")
    return _dims("bmm", a, b, 3, 3)


def mv(a: Any, v: Any) -> Tensor:
    """`torch.mv`: a matrix (2-d) times a vector (1-d)."""
    return _dims("mv", a, v, 2, 1)


def _dims(name: str, a: Any, b: Any, da: int, db: int) -> Tensor:
    """a @ b, a of `da` dims and b of `db`, each refusal naming `name`."""
    a, b = _operand(a, name), _operand(b, name)
    if (a.ndim, b.ndim) != (da, db):
        raise ShapeError(
            f"{name} takes operands of {da} and {db} dims, got shapes {a.shape} and {b.shape}: "
            "autograd.matmul (or @) takes any dims"
        )
    inner = b.shape[0] if db == 1 else b.shape[-2]
    if a.shape[-1] != inner:
        raise ShapeError(
            f"{name}: the first's last dim, {a.shape[-1]}, is not the second's {'only' if db == 1 else 'next to last'} "
            f"dim, {inner}: shapes {a.shape} and {b.shape} do not fit"
        )
    return a @ b


__all__ = sorted({*_METHODS, "max", "min", "std", "var", "mm", "bmm", "mv"} - BUILTINS)
