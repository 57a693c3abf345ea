"""The elementwise ops of op_table_algebra, op_table_special, op_table_bessel and op_table_normal, and
logaddexp2 and copysign, against PyTorch at their edge points: ±0, ±inf, NaN, their domain's boundaries and
poles. Forward and gradient, float64 and float32 on Tensors, float64 on Values (which refuse, with a ValueError
or an ArithmeticError, exactly where torch's result is no finite number). Where chainrule departs from torch (a
gradient where torch's is NaN but the function's is a number), a test below says so and asserts both."""

import math

import numpy as np
import pytest
from torch_reference import DTYPES, check, check_scalar, torch  # without torch: skipped

import autograd
from autograd import Value

nan, inf = math.nan, math.inf
dtypes = pytest.mark.parametrize("dtype", DTYPES)
SIGNED = [0.0, -0.0, inf, -inf, nan, 1.0, -1.0]

# name: (chainrule, torch, the points); a binary op's points are pairs
UNARY = {
    "square": (autograd.square, torch.square, SIGNED + [1e30]),
    "reciprocal": (autograd.reciprocal, torch.reciprocal, SIGNED + [1e-310]),
    "rsqrt": (autograd.rsqrt, torch.rsqrt, SIGNED + [4.0, 1e-300]),
    "deg2rad": (autograd.deg2rad, torch.deg2rad, SIGNED + [180.0]),
    "rad2deg": (autograd.rad2deg, torch.rad2deg, SIGNED + [math.pi]),
    "frac": (autograd.frac, torch.frac, SIGNED + [1.5, -1.5, 2.0, -2.0, 1e17]),
    "erfinv": (autograd.erfinv, torch.erfinv, SIGNED + [0.5, -0.999, 2.0, 1e-300]),
    # without -0.0 and, with eps, NaN: torch's gradients there are its loop's (test_torch_logits_loops_disagree)
    "logit": (
        autograd.logit,
        torch.logit,
        [p for p in SIGNED if p or math.copysign(1, p) > 0] + [0.5, 2.0, -0.5, 1e-300, 0.999999],
    ),
    "logit(eps=0.1)": (
        lambda x: autograd.logit(x, eps=0.1),
        lambda x: torch.logit(x, eps=0.1),
        [p for p in SIGNED if p == p] + [0.05, 0.1, 0.9, 0.95, 0.5, 2.0],
    ),
    "sinc": (autograd.sinc, torch.sinc, SIGNED + [0.5, 2.0, -3.0, 1e-20]),
    "entr": (autograd.entr, torch.special.entr, SIGNED + [0.5, 1e-300]),
    "ndtr": (autograd.ndtr, torch.special.ndtr, SIGNED + [-40.0, 10.0, -8.0]),
    # without the points where chainrule departs on purpose (tests/test_torch_reference_edge_points.py's
    # DIFFERENCES): ±inf, the signs of ±0, and I₀', I₁' beyond 713.98 (+inf; torch's NaN, and torch's I₀(713.9) is
    # inf, 1.65e308 indeed; float32 from 89), erfcx'(inf), log_ndtr' far left (about −x: torch's inf or NaN from
    # −1e150); and NaN, where torch's i1' is 1/2 (tests/test_nan_policy.py holds chainrule's NaN there)
    "i0": (autograd.i0, torch.i0, [0.0, 1.0, -1.0, 80.0, -80.0, 30.0, 1e-300]),
    "i0e": (autograd.i0e, torch.special.i0e, [0.0, 1.0, -35.0, 1e300, 1e-300]),
    "i1": (autograd.i1, torch.special.i1, [0.0, 1.0, -1.0, 80.0, -80.0, 30.0, 1e-300]),
    "i1e": (autograd.i1e, torch.special.i1e, [0.0, inf, -inf, 1.0, -40.0, 1e300, 1e-300]),
    "erfcx": (autograd.erfcx, torch.special.erfcx, [0.0, -0.0, -inf, nan, -27.0, -26.0, 8.0, 30.0, 1e30]),
    "log_ndtr": (autograd.log_ndtr, torch.special.log_ndtr, [0.0, -0.0, inf, nan, -40.0, 40.0, -60.0, 1e-300]),
    "ndtri": (autograd.ndtri, torch.special.ndtri, SIGNED + [0.5, 1e-300, 1.5, 0.999999, 0.25, 0.75]),
}
BINARY = {
    "xlogy": (
        autograd.xlogy,
        torch.xlogy,
        [(0.0, inf), (0.0, -1.0), (-0.0, 2.0), (1.0, 0.0), (2.0, -1.0), (0.0, -inf), (nan, 1.0), (0.0, nan)],
    ),
    "xlog1py": (
        autograd.xlog1py,
        torch.special.xlog1py,
        [(0.0, inf), (0.0, -2.0), (1.0, -1.0), (2.0, -2.0), (nan, 1.0), (0.0, nan), (3.0, 1e-20)],
    ),
    "logaddexp2": (
        autograd.logaddexp2,
        torch.logaddexp2,
        [(inf, inf), (-inf, -inf), (1.0, 1.0), (nan, 1.0), (inf, 1.0), (-inf, 1.0), (1e4, -1e4), (-0.0, 0.0)],
    ),
    "copysign": (
        autograd.copysign,
        torch.copysign,
        [(1.0, -0.0), (0.0, -1.0), (-0.0, 1.0), (-2.0, 3.0), (0.0, 0.0), (nan, 1.0), (1.0, nan), (2.0, -2.0)],
    ),
}


@dtypes
@pytest.mark.parametrize("name", UNARY)
def test_unary_edge_points_on_tensors(name, dtype):
    chain_fn, torch_fn, points = UNARY[name]
    check(chain_fn, torch_fn, [points], dtype, second=False)


@dtypes
@pytest.mark.parametrize("name", BINARY)
def test_binary_edge_points_on_tensors(name, dtype):
    chain_fn, torch_fn, pairs = BINARY[name]
    check(chain_fn, torch_fn, [list(column) for column in zip(*pairs)], dtype, second=False)


def _on_values(chain_fn, torch_fn, xs):
    """torch's forward and gradient at xs on Values, or, where a Value refuses, torch's result no finite number."""
    try:
        chain_fn(*map(Value, xs))
    except (ValueError, ArithmeticError):
        out = torch_fn(*(torch.tensor(x, dtype=torch.float64) for x in xs)).item()
        assert not math.isfinite(out), (xs, out)
        return
    check_scalar(chain_fn, torch_fn, list(xs), second=False)


@pytest.mark.parametrize("name", UNARY)
def test_unary_edge_points_on_values(name):
    chain_fn, torch_fn, points = UNARY[name]
    for x in points:
        _on_values(chain_fn, torch_fn, (x,))


@pytest.mark.parametrize("name", BINARY)
def test_binary_edge_points_on_values(name):
    chain_fn, torch_fn, pairs = BINARY[name]
    for xs in pairs:
        _on_values(chain_fn, torch_fn, xs)


def _gradients(fn, xs):
    tensors = [autograd.Tensor(np.array([x]), requires_grad=True) for x in xs]
    fn(*tensors).sum().backward()
    return [float(t.grad[0]) for t in tensors]


def _torch_gradients(fn, xs):
    tensors = [torch.tensor([x], dtype=torch.float64, requires_grad=True) for x in xs]
    return [float(g[0]) for g in torch.autograd.grad(fn(*tensors).sum(), tensors)]


@pytest.mark.parametrize("name, pole", [("xlogy", 0.0), ("xlog1py", -1.0)])
def test_x_log_at_x_0_and_the_pole_has_gradient_0_in_y_where_torchs_is_nan(name, pole):
    """x·log(y) is the constant 0 along y where x = 0, so its derivative in y is 0 there, at the pole too;
    torch's x/y is 0/0 = NaN (this documents it, and fails should a torch release change it). In x both
    give 0 (the choice where x·log(y) is 0 on one side and -inf on the other)."""
    ours, torchs = getattr(autograd, name), {"xlogy": torch.xlogy, "xlog1py": torch.special.xlog1py}[name]
    assert _gradients(ours, (0.0, pole)) == [0.0, 0.0]
    x = Value(0.0)
    getattr(x, name)(pole).backward()
    assert x.grad == 0.0
    x, y = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (0.0, pole))
    gx, gy = torch.autograd.grad(torchs(x, y), (x, y))
    assert gx.item() == 0.0 and math.isnan(gy.item())


def test_copysign_of_an_infinity_has_gradient_plus_or_minus_1_where_torchs_is_nan():
    """copysign(a, b) is ±a: its slope is ±1 at an infinite a too, as neg's is; torch's result / a is
    inf / inf = NaN there (documented here, as above)."""
    assert _gradients(autograd.copysign, (inf, -1.0)) == [-1.0, 0.0]
    assert _gradients(autograd.copysign, (-inf, -1.0)) == [1.0, 0.0]
    assert math.isnan(_torch_gradients(torch.copysign, (inf, -1.0))[0])
    a = Value(-inf)
    autograd.copysign(a, 2.0).backward()
    assert a.grad == -1.0


def test_torch_logits_loops_disagree_where_chainrules_gradient_is_its_scalar_loops():
    """logit'(-0.0) and logit(x, eps)'(NaN) are torch's vectorised loop's in a tensor's first blocks of 8 (AVX2:
    -inf, from 1/(x·(1 − x)), and 0, NaN read as clamped) and its scalar loop's alone or in the tail (+inf, NaN), so
    the edge points above leave them out (they passed on one machine and failed on the next). chainrule's are the
    scalar loop's wherever they stand: +inf (the slope as 1/(x + 0.0) + 1/(1 − x): -0.0's is +0.0's) and NaN (the
    forward's NaN, tests/test_nan_policy.py)."""
    for n in (1, 8, 13):
        x = autograd.Tensor(np.full(n, -0.0), requires_grad=True)
        autograd.logit(x).sum().backward()
        assert np.all(x.grad == inf), n
        x = autograd.Tensor(np.full(n, nan), requires_grad=True)
        autograd.logit(x, eps=0.1).sum().backward()
        assert np.all(np.isnan(x.grad)), n
    for point, eps, expected in ((-0.0, None, inf), (nan, 0.1, nan)):  # one number: the scalar loop's
        t = torch.tensor([point], dtype=torch.float64, requires_grad=True)
        torch.logit(t, eps=eps).sum().backward()
        np.testing.assert_equal(t.grad.item(), expected)
