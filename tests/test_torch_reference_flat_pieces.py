"""Where an op is flat (relu below 0, clip outside its bounds, the smaller input of maximum, a
rounding function anywhere), its rule sends 0 whatever comes from above: an infinite or NaN gradient
(sqrt's at 0, in `sqrt(maximum(d, 0))`) stays out, where multiplying by 0 made NaN. PyTorch's rules
select so; chainrule's call rule_functions.gated. Each case against torch, float64 and float32."""

import math

import numpy as np
import pytest
from torch_reference import DTYPES, F, torch  # without torch: skipped

import autograd
from autograd import Tensor

X = [-4.0, -2.5, -0.5, 0.5, 2.5, 7.0]
# name: (chainrule's function, torch's), each of one input
CASES = {
    "relu": (autograd.relu, torch.relu),
    "relu6": (autograd.relu6, F.relu6),
    "hardtanh": (autograd.hardtanh, F.hardtanh),
    "hardsigmoid": (autograd.hardsigmoid, F.hardsigmoid),
    "hardswish": (autograd.hardswish, F.hardswish),
    "hardshrink": (lambda x: autograd.hardshrink(x, 1.0), lambda x: F.hardshrink(x, 1.0)),
    "softshrink": (lambda x: autograd.softshrink(x, 1.0), lambda x: F.softshrink(x, 1.0)),
    "threshold": (lambda x: autograd.threshold(x, 0.5, -3.0), lambda x: F.threshold(x, 0.5, -3.0)),
    "clip": (lambda x: x.clip(-1.0, 1.0), lambda x: x.clamp(-1.0, 1.0)),
    "maximum with a constant": (lambda x: autograd.maximum(x, 0.0), lambda x: torch.maximum(x, torch.zeros_like(x))),
    "minimum with a constant": (lambda x: autograd.minimum(x, 0.0), lambda x: torch.minimum(x, torch.zeros_like(x))),
    "floor": (autograd.floor, torch.floor),
    "ceil": (autograd.ceil, torch.ceil),
    "round": (autograd.round, torch.round),
    "trunc": (autograd.trunc, torch.trunc),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upstream", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("name", CASES)
def test_a_non_finite_gradient_from_above_stays_out_of_flat_pieces(name, upstream, dtype):
    ours, theirs = CASES[name]
    x = Tensor(np.array(X, dtype=dtype), requires_grad=True)
    ours(x).backward(np.full(len(X), upstream, dtype=dtype))
    t = torch.tensor(X, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True)
    theirs(t).backward(torch.full((len(X),), upstream, dtype=t.dtype))
    expected = t.grad.numpy()
    np.testing.assert_array_equal(x.grad, expected)
    assert np.any(expected == 0) and x.grad.dtype == dtype


def test_the_safe_square_root_of_a_distance():
    """sqrt(maximum(d, 0)), d slightly negative from rounding: gradient 0 there, as PyTorch's clamp gives."""
    grad = autograd.grad(lambda x: np.sum(np.sqrt(np.maximum(x, 0.0))))
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(grad(np.array([-1e-17, 4.0])), [0.0, 0.25])


def test_under_create_graph_the_selection_is_differentiable():
    x = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    y = (autograd.relu(x) ** 2).sum()
    (g,) = autograd.gradients(y, [x], create_graph=True)
    (h,) = autograd.gradients(g.sum(), [x])
    np.testing.assert_array_equal(autograd.raw(g), [0.0, 4.0])
    np.testing.assert_array_equal(h, [0.0, 2.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_and_min_send_nothing_off_their_extremes(dtype):
    """PyTorch's max() and max(dim) (not amax, which gives NaN there)."""
    for ours, theirs in ((lambda t: t.max(), lambda t: t.max()), (lambda t: t.min(axis=1), lambda t: t.min(1).values)):
        x = Tensor(np.array([[1.0, 5.0, 3.0]], dtype=dtype), requires_grad=True)
        out = ours(x)
        out.backward(np.full(out.shape, np.inf, dtype=dtype))
        t = torch.tensor([[1.0, 5.0, 3.0]], dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True)
        o = theirs(t)
        o.backward(torch.full(o.shape, math.inf, dtype=t.dtype))
        np.testing.assert_array_equal(x.grad, t.grad.numpy())


@pytest.mark.parametrize("engine", ["tensor", "value"])
@pytest.mark.parametrize("name", ["hardshrink", "softshrink"])
def test_the_flat_piece_of_the_shrinks_is_plus_zero_as_torchs(name, engine):
    """softshrink wrote x * 0 there: -0 for x = -0 and for a negative x in the flat piece (review R2). torch's
    own sign there depends on the length: its vectorised kernel (16 entries and more) gives +0, the scalar loop
    of a short tensor -0 for softshrink; the zero of a flat piece is +0 here, as relu's and hardshrink's."""
    x = [-0.0, -1.0, -0.3, 0.0, 1.0] * 8
    ours = getattr(autograd, name)
    got = ours(Tensor(np.array(x)), 1.0).data if engine == "tensor" else np.array([ours(v, 1.0) for v in x])
    expected = getattr(F, name)(torch.tensor(x, dtype=torch.float64), 1.0).numpy()
    assert np.array_equal(got, expected) and not np.signbit(got).any() and not np.signbit(expected).any()


@pytest.mark.parametrize("ulps", [-8, -1, 1, 8])
def test_hardswish_float32_keeps_its_slopes_digits_near_its_zero_within_torchs_rounding(ulps):
    """The middle piece's slope near its zero at -1.5, in float32: x/3 + 1/2 (PyTorch's) cancels, -2.98e-7 for
    -3.179e-7 at 8 ulps below (6% off, and draw(check=True) red), -5.96e-8 for -3.97e-8 at 1; (x + 1.5)/3 is exact
    but for its one rounding. Torch's differs from it by no more than its own two roundings allow."""
    x = np.float32(-1.5) + np.float32(ulps) * np.spacing(np.float32(1.5))
    t = Tensor(np.array([x]), requires_grad=True)
    autograd.hardswish(t).sum().backward()
    exact = (float(x) + 1.5) / 3  # x + 1.5 and the division exact in float64
    assert t.grad[0] == np.float32(exact)
    ref = torch.tensor([x], requires_grad=True)
    F.hardswish(ref).sum().backward()
    eps = float(np.finfo(np.float32).eps)
    # x/3 and the sum each round by at most half an ulp of numbers at most |x|/3 and 1/2 (and chainrule's by its own)
    assert abs(float(t.grad[0]) - ref.grad.item()) <= eps / 2 * (abs(float(x)) / 3 + 0.5) + eps * abs(exact)
    assert ref.grad.item() != float(t.grad[0])  # torch's x/3 + 1/2 rounds otherwise here: the case the test is for
