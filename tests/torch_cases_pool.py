"""Differential cases of avg_pool2d, avg_pool3d and their gradients against PyTorch (aten's avg_pool backward):
tests/test_torch_reference_ops.py reads CASES, name -> (chainrule, torch, inputs), as its TENSOR_CASES."""

from cases_pool import GRAD_2D, GRAD_3D, IMAGE, SHARES_2D, SHARES_3D, VOLUME, pool2d, pool3d
from torch_reference import F, torch

import autograd
from autograd import tensor_ops


def _backward(name, geometry, ceil_mode=False):
    """aten's avg_pool backward of the shares g, at `geometry` (symmetric padding: its `before`)."""
    size, pads = geometry["size"], [before for before, _ in geometry["padding"]]
    options = (geometry["count_include_pad"], geometry["divisor_override"])

    def backward(g):
        like = torch.zeros((*g.shape[:2], *size), dtype=g.dtype)
        return getattr(torch.ops.aten, name)(g, like, geometry["kernel"], geometry["stride"], pads, ceil_mode, *options)

    return backward


CASES: dict = {
    "avg_pool2d": (pool2d(autograd.avg_pool2d), pool2d(F.avg_pool2d), [IMAGE]),
    "avg_pool3d": (pool3d(autograd.avg_pool3d), pool3d(F.avg_pool3d), [VOLUME]),
    "avg_pool2d_grad": (
        lambda g: tensor_ops.avg_pool2d_grad(g, **GRAD_2D),
        _backward("avg_pool2d_backward", GRAD_2D),
        [SHARES_2D],
    ),
    "avg_pool3d_grad": (
        lambda g: tensor_ops.avg_pool3d_grad(g, **GRAD_3D),
        _backward("avg_pool3d_backward", GRAD_3D),
        [SHARES_3D],
    ),
}
