"""Gradchecks (first and second derivatives) of avg_pool2d, avg_pool3d and their gradients, each other's adjoints:
tests/test_tensor_ops.py reads GRADCHECK, name -> (the op as users call it, inputs), as its TENSOR_ONLY; the
torch cases (torch_cases_pool) read the geometry. Overlapping windows, padding counted and not, ceil_mode's
rows, a divisor_override."""

import numpy as np

import autograd
from autograd import tensor_ops

IMAGE = np.linspace(-1.0, 1.5, 2 * 4 * 5).reshape(1, 2, 4, 5) ** 3
VOLUME = np.linspace(1.25, -1.0, 3 * 4 * 5).reshape(1, 1, 3, 4, 5) ** 3  # one plane: the 2-d case has two
# the gradients' geometry, as autograd.pool passes it: windows of 3 at stride 2 over (4, 5) padded by 1, the padding
# not counted (outputs (2, 3)); and (2, 3, 2) at strides (1, 2, 2) over (3, 4, 5), padding (1, 1, 0), divided by 3
GRAD_2D = {"size": (4, 5), "kernel": (3, 3), "stride": (2, 2), "padding": ((1, 1), (1, 1))}
GRAD_2D |= {"count_include_pad": False, "divisor_override": None}
GRAD_3D = {"size": (3, 4, 5), "kernel": (2, 3, 2), "stride": (1, 2, 2), "padding": ((1, 1), (1, 1), (0, 0))}
GRAD_3D |= {"count_include_pad": True, "divisor_override": 3}
SHARES_2D = np.linspace(0.5, -1.5, 2 * 2 * 3).reshape(1, 2, 2, 3)
SHARES_3D = np.linspace(-0.75, 1.0, 4 * 2 * 2).reshape(1, 1, 4, 2, 2)


def pool2d(pool):
    """The 2-d case, on `pool` (autograd's or torch's avg_pool2d)."""
    return lambda t: pool(t, 3, 2, 1, ceil_mode=True, count_include_pad=False)


def pool3d(pool):
    """The 3-d case, on `pool` (autograd's or torch's avg_pool3d)."""
    return lambda t: pool(t, (2, 3, 2), (1, 2, 2), (1, 1, 0), divisor_override=3)


GRADCHECK: dict = {
    "avg_pool2d": (pool2d(autograd.avg_pool2d), [IMAGE]),
    "avg_pool3d": (pool3d(autograd.avg_pool3d), [VOLUME]),
    "avg_pool2d_grad": (lambda g: tensor_ops.avg_pool2d_grad(g, **GRAD_2D), [SHARES_2D]),
    "avg_pool3d_grad": (lambda g: tensor_ops.avg_pool3d_grad(g, **GRAD_3D), [SHARES_3D]),
}
