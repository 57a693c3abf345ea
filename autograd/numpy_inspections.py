"""numpy's functions that look at a Tensor without computing from it (`np.shape`, `np.allclose`,
`np.argsort`, `np.nonzero`, `np.zeros_like`): they run on the data, and their results (shapes,
bools, indices, new constant tensors) carry no gradient, so nothing is lost."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

INSPECTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}


def _package() -> Any:
    return sys.modules[__name__.rpartition(".")[0]]


def _data(x: Any) -> Any:
    return x.data if isinstance(x, _package().Tensor) else x


def _on_data(func: Callable[..., Any]) -> Callable[..., Any]:
    """func on the arrays behind the Tensors: a shape, a bool, indices."""

    def inspect(*args, **kwargs):
        return func(*(_data(a) for a in args), **{k: _data(v) for k, v in kwargs.items()})

    return inspect


for _fn in (
    np.shape,
    np.ndim,
    np.size,
    np.allclose,
    np.isclose,
    np.array_equal,
    np.array_equiv,
    np.argsort,
    np.nonzero,
    np.flatnonzero,
    np.argwhere,
    np.count_nonzero,
    np.result_type,
    np.may_share_memory,
    np.shares_memory,
    np.iscomplexobj,
    np.isrealobj,
):
    INSPECTIONS[_fn] = _on_data(_fn)


def _like(func: Callable[..., Any]) -> Callable[..., Any]:
    def like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
        return _package().Tensor(func(_data(a), dtype=dtype, shape=shape))

    return like


for _fn in (np.zeros_like, np.ones_like, np.empty_like):
    INSPECTIONS[_fn] = _like(np.zeros_like if _fn is np.empty_like else _fn)  # empty_like: zeros, not garbage
