"""binary_cross_entropy where a log is held at -100 (p below e^-100 = 3.7e-44, or p = 1), against PyTorch 2.13
in float32 and float64: the loss and its gradient in p are PyTorch's bit for bit; its gradient in the target is
not. PyTorch's target gradient is log(1 - p) - log(p) from the logs before the clamp: +inf at p = 0, -inf at
p = 1, 115.13 at p = 1e-50, 709.78 at a subnormal p, while the loss it computes is linear in t there with slope
±100 (its loss at p = 0 is 100 t). chainrule gives that slope, the derivative of the loss it returns, which is
what finite differences of either library's loss give (README, the loss notes)."""

import math

import numpy as np
import pytest
from torch_reference import DTYPES, F, torch  # without torch: skipped

import nn.functional as nnf
from autograd import Tensor, Value

# probabilities whose log(p) or log(1 - p) is below -100, per dtype: 0, 1, small normal, subnormals
CLAMPED = {
    np.float64: [0.0, 1.0, 1e-50, 5.562684646268003e-309, 1e-320, 5e-324],
    np.float32: [0.0, 1.0, 3e-44, 1e-45],  # float32's subnormals down to 3.7e-44 have logs above -100
}
FREE = {np.float64: [0.3, 1e-30], np.float32: [0.3, 1e-30, 2.938736e-39]}  # both logs above -100
TARGETS = [0.0, 0.3, 1.0]


def _ours(p: float, t: float, dtype) -> tuple[float, float, float]:
    """The loss, its gradient in p and in t, chainrule's."""
    probs, targets = (Tensor(np.array([x], dtype), requires_grad=True) for x in (p, t))
    loss = nnf.binary_cross_entropy(probs, targets)
    loss.backward()
    return loss.item(), probs.grad[0], targets.grad[0]


def _torchs(p: float, t: float, dtype) -> tuple[float, float, float]:
    kind = torch.float64 if dtype == np.float64 else torch.float32
    probs, targets = (torch.tensor([x], dtype=kind, requires_grad=True) for x in (p, t))
    loss = F.binary_cross_entropy(probs, targets)
    loss.backward()
    return loss.item(), probs.grad.item(), targets.grad.item()


def _cases(table):
    return [(dtype, p, t) for dtype in DTYPES for p in table[dtype] for t in TARGETS]


@pytest.mark.parametrize("dtype, p, t", _cases({d: CLAMPED[d] + FREE[d] for d in DTYPES}))
def test_loss_and_probability_gradient_are_torchs_bit_for_bit(dtype, p, t):
    ours, theirs = _ours(p, t, dtype), _torchs(p, t, dtype)
    assert ours[:2] == theirs[:2]


@pytest.mark.parametrize("dtype, p, t", _cases(FREE))
def test_target_gradient_where_no_log_is_clamped_is_torchs(dtype, p, t):
    """log1p(-p) - log(p), PyTorch's log(1 - p) - log(p): a rounding or two apart."""
    np.testing.assert_allclose(_ours(p, t, dtype)[2], _torchs(p, t, dtype)[2], rtol=4 * np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype, p, t", [(d, p, t) for d, p, _ in _cases(CLAMPED)[::3] for t in (0.3, 0.7)])
def test_target_gradient_where_a_log_is_clamped_is_the_losss_slope_not_torchs(dtype, p, t):
    """The loss is linear in t: its slope is clamped log(1 - p) minus clamped log(p), ±100 at p = 0 or 1,
    which central differences of the loss in float64 give; PyTorch's is the unclamped -logit(p)."""
    slope, p, h = _ours(p, t, dtype)[2], float(dtype(p)), 1e-3  # p as the dtype holds it (3e-44: 2.94e-44)
    below, above = (_ours(p, x, np.float64)[0] for x in (t - h, t + h))
    assert slope == pytest.approx((above - below) / (2 * h), rel=1e-9)
    unclamped = (math.log1p(-p) if p < 1 else -math.inf) - (math.log(p) if p > 0 else -math.inf)
    assert _torchs(p, t, dtype)[2] == pytest.approx(unclamped, rel=1e-6)
    assert abs(slope) <= 100 < abs(unclamped)


@pytest.mark.parametrize("p, slope", [(0.0, 100.0), (1.0, -100.0), (1e-50, 100.0), (5e-324, 100.0)])
def test_target_gradient_on_values_is_the_tensors(p, slope):
    probs, target = Value(p), Value(0.3)
    nnf.binary_cross_entropy([probs], [target]).backward()
    assert target.grad == _ours(p, 0.3, np.float64)[2] == slope
