"""PyTorch's gamma family with derivatives of every order to the last digits, where torch's own are not:
its trigamma (polygamma(1, x): digamma's derivative, lgamma's second) is 2.4 million ulp off mpmath at the
median in float64 (2.6e-10 relative, beyond the tolerance of tests/torch_reference.py), while its Hurwitz
zeta, ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹ n!·ζ(n + 1, x) for x > 0, is within a few ulp. Forwards are torch's own
(lgamma, digamma); each derivative is the next ψ⁽ⁿ⁾ by zeta. For x > 0, the domain the tests draw from."""

import math

from torch_reference import torch


class _Polygamma(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        if n == 0:
            return torch.digamma(x)
        order = torch.tensor(float(n + 1), dtype=x.dtype)
        return (-1) ** (n + 1) * math.factorial(n) * torch.special.zeta(order, x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _Polygamma.apply(x, ctx.n + 1), None


class _Lgamma(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.lgamma(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _Polygamma.apply(x, 0)


def polygamma(x, n=1):
    """ψ⁽ⁿ⁾(x), in the op table's order (torch.polygamma takes n first)."""
    return _Polygamma.apply(x, int(n))


# in every dtype: torch's float32 trigamma would do, but its own first derivatives are then all compared
STAND_INS = {"lgamma": _Lgamma.apply, "digamma": lambda x: _Polygamma.apply(x, 0), "polygamma": polygamma}
