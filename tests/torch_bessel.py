"""PyTorch's Bessel functions J₀, J₁, Y₀, Y₁, K₀, K₁ and the scaled K's with derivatives of every order: torch 2.13
has their forwards but no backward ("does not require grad"). Each stands in as torch's own forward, its
derivative the family's (J₀' = −J₁, J₁' = J₀ − J₁/x, the same for Y; K₀' = −K₁, K₁' = −K₀ − K₁/x), each of
them a stand-in again, so second derivatives follow. J₁/x is 0/0 at 0: the random checks keep 0.1 from it."""

from torch_reference import torch

S = torch.special


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


def j0(x):
    return _J0(x)


def j1(x):
    return _J1(x)


def y0(x):
    return _Y0(x)


def y1(x):
    return _Y1(x)


def k0(x):
    return _K0(x)


def k1(x):
    return _K1(x)


def k0e(x):
    return _K0E(x)


def k1e(x):
    return _K1E(x)


_J0 = _stand_in(S.bessel_j0, lambda x: -j1(x))
_J1 = _stand_in(S.bessel_j1, lambda x: j0(x) - j1(x) / x)
_Y0 = _stand_in(S.bessel_y0, lambda x: -y1(x))
_Y1 = _stand_in(S.bessel_y1, lambda x: y0(x) - y1(x) / x)
_K0 = _stand_in(S.modified_bessel_k0, lambda x: -k1(x))
_K1 = _stand_in(S.modified_bessel_k1, lambda x: -k0(x) - k1(x) / x)
_K0E = _stand_in(S.scaled_modified_bessel_k0, lambda x: k0e(x) - k1e(x))
_K1E = _stand_in(S.scaled_modified_bessel_k1, lambda x: k1e(x) - k0e(x) - k1e(x) / x)

# in every dtype: torch has no derivative of its own to compare
STAND_INS = {
    "bessel_j0": j0,
    "bessel_j1": j1,
    "bessel_y0": y0,
    "bessel_y1": y1,
    "modified_bessel_k0": k0,
    "modified_bessel_k1": k1,
    "scaled_modified_bessel_k0": k0e,
    "scaled_modified_bessel_k1": k1e,
}
