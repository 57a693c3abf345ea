"""How numpy treats a Tensor (a mixin of Tensor): numpy's ufuncs and functions dispatch to
chainrule's differentiable ops, so numpy-style code differentiates (HIPS autograd's habit).

`np.exp(t)`, `np.maximum(t, 0)`, `np.sum(t, axis=0)`, `np.concatenate([t, u])` are chainrule's ops
(numpy_ufuncs, numpy_functions); `array * tensor` reaches Tensor.__rmul__ as before; what has no
chainrule op raises a TypeError naming it, instead of converting the Tensor and dropping its
gradient. For the numbers: `t.data`, or `t.numpy()` (refused inside a transform, where the term would
be lost); `np.asarray(t)` gives them for a Tensor that does not require grad.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .numpy_functions import apply_function
from .numpy_ufuncs import apply_ufunc


class NumpyDispatch:
    """numpy's protocols (NEP 13 and NEP 18), answered by chainrule's ops."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return apply_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if not all(issubclass(t, NumpyDispatch | np.ndarray) for t in types):
            return NotImplemented  # another library's array is involved: let it answer (NEP 18)
        return apply_function(func, args, kwargs)
