"""Derivatives where a function saturates or its inputs are tiny, against mpmath's at 50 digits: each
within a few units in the last place on both engines, where formulas written from the output
(σ(1 − σ), 1 − tanh², 0.5x(1 + tanh z)) cancel to 0 or lose digits. Then the kinks and signs of zero
the audit found, against PyTorch, and no numpy warning at huge inputs whose results are finite."""

import math
import warnings

import numpy as np
import pytest
from mpmath_ulps import held_precision

import autograd as ag
from autograd import Value
from autograd.op_table import ELEMENTWISE

mpmath = pytest.importorskip("mpmath", reason="mpmath gives the exact derivatives: pip install mpmath")
_mpmath_at_50_digits = held_precision(dps=50)

sigma = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
GELU_Z = lambda x: mpmath.sqrt(2 / mpmath.pi) * (x + mpmath.mpf("0.044715") * x**3)  # noqa: E731

# name: (the function in autograd, its exact first derivative, its exact second derivative)
EXACT = {
    "sigmoid": (ag.sigmoid, lambda x: sigma(x) * sigma(-x), lambda x: sigma(x) * sigma(-x) * (1 - 2 * sigma(x))),
    "tanh": (ag.tanh, lambda x: 1 / mpmath.cosh(x) ** 2, lambda x: -2 * mpmath.tanh(x) / mpmath.cosh(x) ** 2),
    "logsigmoid": (ag.logsigmoid, lambda x: sigma(-x), lambda x: -sigma(x) * sigma(-x)),
    "softplus": (ag.softplus, lambda x: sigma(x), lambda x: sigma(x) * sigma(-x)),
    "silu": (
        ag.silu,
        lambda x: sigma(x) * (1 + x * sigma(-x)),
        lambda x: mpmath.diff(lambda u: u * sigma(u), x, 2),
    ),
}
POINTS = [-40.0, -30.0, -20.0, -4.4, -1.5, -0.3, 0.7, 1.0000001, 4.4, 20.0, 30.0, 40.0]


def _ulps(actual, exact, dtype):
    """How far actual is from exact, in units in the last place of exact in dtype (0 for both 0)."""
    exact = float(exact)
    if exact == 0:
        return 0.0 if actual == 0 else math.inf
    return abs(float(actual) - exact) / float(np.spacing(dtype(abs(exact))))


@pytest.mark.parametrize("name", EXACT)
@pytest.mark.parametrize("x", POINTS)
def test_first_and_second_derivatives_keep_their_digits_in_float64(name, x):
    f, d1, d2 = EXACT[name]
    tensor = np.array([x])
    for order, exact in ((1, d1(mpmath.mpf(x))), (2, d2(mpmath.mpf(x)))):
        on_values = ag.grad(f) if order == 1 else ag.grad(ag.grad(f))
        on_tensors = ag.elementwise_grad(f) if order == 1 else ag.elementwise_grad(ag.elementwise_grad(f))
        assert _ulps(on_values(x), exact, np.float64) < 64, (order, on_values(x), float(exact))
        assert _ulps(on_tensors(tensor)[0], exact, np.float64) < 64, (order, on_tensors(tensor)[0], float(exact))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "logsigmoid", "softplus", "silu"])
def test_first_derivatives_keep_their_digits_in_float32(name):
    f, d1, _ = EXACT[name]
    xs = np.array([-20.0, -4.4, -1.5, 0.7, 4.4, 12.0, 20.0], np.float32)
    got = ag.elementwise_grad(f)(xs)
    assert got.dtype == np.float32
    for x, g in zip(xs, got):
        assert _ulps(g, d1(mpmath.mpf(float(x))), np.float32) < 8, (x, g)


def test_gelus_tanh_form_keeps_its_digits_far_left():
    """0.5 x (1 + tanh z) cancels for negative x (PyTorch's float32 is 8% off at -4.95); x σ(2z) does not."""
    for x in (-4.9497766, -3.24, -1.0, 2.0):
        x32 = mpmath.mpf(float(np.float32(x)))
        ours32 = ag.gelu(np.array([x], np.float32), approximate="tanh")[0]
        # within the rounding of 2z itself, which exp turns into |2z| ulps of the result (16.6 at -4.95)
        assert _ulps(ours32, x32 * sigma(2 * GELU_Z(x32)), np.float32) < 4 * abs(2 * float(GELU_Z(x32))) + 8
        exact = mpmath.mpf(x) * sigma(2 * GELU_Z(mpmath.mpf(x)))
        assert _ulps(ag.gelu(Value(x), approximate="tanh").data, exact, np.float64) < 64
        slope = mpmath.diff(lambda u: u * sigma(2 * GELU_Z(u)), mpmath.mpf(x))
        assert _ulps(ag.grad(lambda v: ag.gelu(v, approximate="tanh"))(x), slope, np.float64) < 64


def test_atan2s_gradient_near_the_origin():
    """a² + b² underflowed below 1e-154: the gradient was inf or NaN (a Value raised)."""
    for a, b in ((0.0, 1e-300), (1e-200, 1e-200), (3e-170, -4e-170), (1e200, 1e200)):
        r2 = mpmath.mpf(a) ** 2 + mpmath.mpf(b) ** 2
        exact = (float(mpmath.mpf(b) / r2), float(-mpmath.mpf(a) / r2))
        assert ag.grad(ag.atan2, (0, 1))(a, b) == pytest.approx(exact, rel=1e-15)
        grads = [ag.elementwise_grad(ag.atan2, i)(np.array([a]), np.array([b]))[0] for i in (0, 1)]
        assert grads == pytest.approx(exact, rel=1e-15)
    assert ag.grad(ag.atan2, (0, 1))(0.0, 0.0) == (0.0, 0.0)  # the origin: 0, PyTorch's choice


def test_atan2s_gradient_with_one_infinite_input_is_its_limit_0():
    """b / (a² + b²) and -a / (a² + b²) tend to 0 there (1/r): the scaled formula's inf/inf gave NaN in both
    (PyTorch's is NaN in one input, 0 in the other). Both infinite or one NaN: NaN, as the formula."""
    inf, nan = math.inf, math.nan
    a = np.array([inf, -inf, 0.0, 2.0, 1e30, inf, inf], np.float32)
    b = np.array([1.0, 0.0, inf, -inf, inf, inf, nan], np.float32)
    with np.errstate(invalid="ignore"):  # inf / inf
        grads = [ag.elementwise_grad(ag.atan2, i)(a, b) for i in (0, 1)]
    for g in grads:
        assert g.dtype == np.float32 and np.all(g[:5] == 0) and np.all(np.isnan(g[5:]))
    for x, y in zip(a[:5].tolist(), b[:5].tolist()):
        assert ag.grad(ag.atan2, (0, 1))(x, y) == (0.0, 0.0)


@pytest.mark.parametrize("name", ["elu", "celu", "selu"])
def test_second_derivative_at_the_kink_is_pytorchs(name):
    torch = pytest.importorskip("torch")
    x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(getattr(torch.nn.functional, name)(x), x, create_graph=True)
    (h,) = torch.autograd.grad(g, x)
    f = getattr(ag, name)
    assert ag.grad(f)(0.0) == g.item() and ag.grad(ag.grad(f))(0.0) == h.item() == 0.0


def test_rounding_a_value_keeps_the_sign_of_zero_as_numpy():
    for name in ("floor", "ceil", "trunc", "round"):
        for x in (-0.5, -0.0, 0.4, -1.5, 2.5):
            ours, theirs = getattr(Value(x), name)().data, getattr(np, name)(x)
            assert ours == theirs and math.copysign(1, ours) == math.copysign(1, theirs), (name, x)


def test_abs_gradient_at_nan_is_nan_on_both_engines():
    assert math.isnan(ag.grad(abs)(math.nan)) and np.isnan(ag.elementwise_grad(ag.abs)(np.array([np.nan]))[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", [d.name for d in ELEMENTWISE if d.arity == 1])
def test_no_warning_where_the_result_and_gradient_are_finite(name, dtype):
    """x² or 2|x| overflowing inside a rule whose answer is 0 (atan, erf, softsign, tanh at 1e300) warned."""
    huge = np.finfo(dtype).max
    for x in (huge, -huge, np.sqrt(huge) * 2, -np.sqrt(huge) * 2):
        t = ag.Tensor(np.array([x], dtype), requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = getattr(ag, name)(t)
            out.backward(np.ones(1, dtype))
        if np.isfinite(out.data).all() and np.isfinite(t.grad).all():
            assert not caught, (x, [str(w.message) for w in caught])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_atans_gradient_is_one_division_as_pytorchs(dtype):
    """1/(1 + x²) in one division, PyTorch's bits: g / hypot(x, 1) / hypot(x, 1) rounded twice more,
    changing about half the gradients of ordinary inputs by an ulp or two (less accurate on average)."""
    x = np.random.default_rng(0).standard_normal(1000).astype(dtype) * 3
    t = ag.Tensor(x, requires_grad=True, dtype=dtype)
    ag.atan(t).backward(np.ones_like(x))
    assert np.array_equal(t.grad, np.ones_like(x) / (1 + x * x))
