"""PyTorch's Bessel functions J₀, J₁, Y₀, Y₁, K₀, K₁ and the scaled K's with derivatives of every order: torch 2.13
has their forwards but no backward ("does not require grad"). Each stands in as torch's own forward, its
derivative the family's (J₀' = −J₁, J₁' = J₀ − J₁/x, the same for Y; K₀' = −K₁, K₁' = −K₀ − K₁/x), each of
them a stand-in again, so second derivatives follow. J₁/x is 0/0 at 0: the random checks keep 0.1 from it."""

from torch_reference import torch


def _stand_in(forward, derivative):
    class StandIn(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return forward(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * derivative(x)

    return StandIn.apply


def _family(zero, one, sign, scaled=False):
    """The stand-ins of a family's orders 0 and 1 (torch.special's names): f₀' = −f₁, f₁' = sign·f₀ − f₁/x; a
    function scaled by eˣ (the scaled K's) adds itself to its derivative, (eˣ·f)' = eˣ·f + eˣ·f'."""

    def d0(x):
        return f0(x) - f1(x) if scaled else -f1(x)

    def d1(x):
        return (f1(x) + sign * f0(x) if scaled else sign * f0(x)) - f1(x) / x

    f0, f1 = _stand_in(getattr(torch.special, zero), d0), _stand_in(getattr(torch.special, one), d1)
    return {zero: f0, one: f1}


# in every dtype: torch has no derivative of its own to compare
STAND_INS = {
    **_family("bessel_j0", "bessel_j1", 1),
    **_family("bessel_y0", "bessel_y1", 1),
    **_family("modified_bessel_k0", "modified_bessel_k1", -1),
    **_family("scaled_modified_bessel_k0", "scaled_modified_bessel_k1", -1, scaled=True),
}
