"""interpolate against torch 2.13 where scale_factor leaves an axis its size or doubles it (s26-r2 review).
PyTorch's linear kernels copy an axis whose size is kept, whatever the factor (1.3 of a size 3 is 3); its
nearest kernels take floor(out / scale_factor) in 1-d and 3-d, and a copy (or each entry twice) in 2-d only.
Before, chainrule mixed neighbours for linear and copied in every nearest. Without torch these are skipped.
torch's 3-d nearest backward copies where its forward does not (its gradient is not its forward's, e.g. scale
1.3 of (1, 1, 3, 1, 1)), so nearest's gradient is checked against the sum of the outputs that read each entry,
those torch's forward picks (of an input numbering its entries)."""

import numpy as np
import pytest
from torch_reference import torch

from autograd import Tensor
from nn import functional as F

CASES = [
    ((2, 3, 3), "linear", 1.3),
    ((2, 3, 3, 4), "bilinear", 1.3),
    ((2, 3, 3, 4), "bilinear", (1.3, 2.0)),
    ((2, 3, 4, 3), "bilinear", (2.5, 1.2)),
    ((2, 3, 3), "nearest", 1.3),
    ((2, 3, 3), "nearest", 2.2),
    ((2, 3, 3, 3, 2), "nearest", 1.3),
    ((2, 3, 3, 3, 2), "nearest", (2.2, 1.3, 2.4)),
    ((2, 3, 3, 3), "nearest", 1.3),
    ((2, 3, 3, 3), "nearest", 2.2),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("shape", "mode", "factor"), CASES)
def test_an_axis_kept_or_doubled_by_a_scale_factor_is_torch_s(shape, mode, factor, dtype):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype(dtype)
    theirs = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.interpolate(theirs, scale_factor=factor, mode=mode)
    g = rng.normal(size=tuple(expected.shape)).astype(dtype)
    expected.backward(torch.tensor(g))
    ours = Tensor(x, requires_grad=True, dtype=dtype)
    got = F.interpolate(ours, scale_factor=factor, mode=mode)
    got.backward(g)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-6, atol=1e-6)
    if mode == "nearest":
        numbered = torch.arange(float(x.size), dtype=torch.float64).reshape(shape)
        picked = torch.nn.functional.interpolate(numbered, scale_factor=factor).numpy().astype(np.int64)
        summed = np.zeros(x.size, np.float64)
        np.add.at(summed, picked.ravel(), g.ravel())
        np.testing.assert_allclose(ours.grad, summed.reshape(shape), rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-6, atol=1e-6)
