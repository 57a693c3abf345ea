"""How numpy treats a Tensor (a mixin of Tensor)."""

from __future__ import annotations


class NumpyDispatch:
    """numpy hands `array * tensor` to Tensor.__rmul__ instead of unwrapping the tensor."""

    __slots__ = ()
    __array_ufunc__ = None
