"""numpy's ufuncs on Values (NEP 13), answered by chainrule's ops: a mixin of Value."""

from __future__ import annotations

from typing import Any

from .numpy_ufuncs import apply_to_values


class ValueNumpy:
    """`np.exp(v)`, `np.maximum(v, 0.0)`, `np.arctan2(v, w)`: the op of that meaning (numpy_ufuncs)."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return apply_to_values(ufunc, method, inputs, kwargs)
