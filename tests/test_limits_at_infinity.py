"""Derivatives of orders 1-3 at ±inf (logit's at 0 and 1, acosh's at 1) are their limits, zeros signed as the
limit, on both engines and without a warning: silu'(inf), mish'(inf), gelu'(inf) were NaN (x times a vanishing
factor, inf · 0; the limit is 1); the second derivatives of atan, asinh, acosh, erf, erfc, ndtr at ±inf and of
log_ndtr at −inf were NaN (a chain met 0 · inf), logit's at 0 and 1 too (inf − inf)."""

import math
import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, elementwise_grad, grad

INF = math.inf
# name: ((x, (f', f'', f''')), ...): each limit, signed as the true derivative's sign near the point
LIMITS = {
    "atan": ((INF, (0.0, -0.0, 0.0)), (-INF, (0.0, 0.0, 0.0))),
    "asinh": ((INF, (0.0, -0.0, 0.0)), (-INF, (0.0, 0.0, 0.0))),
    # at 1, the edge of its domain: 1/√(x² − 1), −x/(x² − 1)^(3/2), (2x² + 1)/(x² − 1)^(5/2) from above (f'' was NaN:
    # 1/(√(x − 1)·√(x + 1))'s rule met −inf · 0; PyTorch's is −inf)
    "acosh": ((INF, (0.0, -0.0, 0.0)), (1.0, (INF, -INF, INF))),
    "erf": ((INF, (0.0, -0.0, 0.0)), (-INF, (0.0, 0.0, 0.0))),
    "erfc": ((INF, (-0.0, 0.0, -0.0)), (-INF, (-0.0, -0.0, -0.0))),
    "ndtr": ((INF, (0.0, -0.0, 0.0)), (-INF, (0.0, 0.0, 0.0))),
    # x · (a factor that vanishes) is NaN at −inf (PyTorch's): the limits are −0, the forward's too
    "silu": ((INF, (1.0, -0.0, 0.0)), (-INF, (-0.0, -0.0, -0.0))),
    "mish": ((INF, (1.0, -0.0, 0.0)), (-INF, (-0.0, -0.0, -0.0))),
    "gelu": ((INF, (1.0, -0.0, 0.0)), (-INF, (-0.0, -0.0, -0.0))),
    "logit": ((0.0, (INF, -INF, INF)), (1.0, (INF, INF, INF))),
    "log_ndtr": ((-INF, (INF, -1.0, 0.0)),),  # about −x − 1/x there
    # −x^(−3/2)/2, then 3x^(−5/2)/4, −15x^(−7/2)/8: were NaN at 0 and inf (the chain of (√x)·(√x)·(√x))
    "rsqrt": ((INF, (-0.0, 0.0, -0.0)), (0.0, (-INF, INF, -INF))),
    # at its kink, 0, the mean of the sides' (softsign'''(0) is 6 from both: |x|'s sign(0) made it 0)
    "softsign": ((0.0, (1.0, 0.0, 6.0)), (-0.0, (1.0, 0.0, 6.0))),
    # x^(a−1)·e^(−x)/Γ(a) at x = inf, the small-a and the large-a formulas: were NaN at every order (inf − inf)
    **{f"gammainc({a}, x)": ((INF, (0.0, -0.0, 0.0)),) for a in (0.5, 1.0, 2.0, 1e5)},
    **{f"gammaincc({a}, x)": ((INF, (-0.0, 0.0, -0.0)),) for a in (0.5, 2.0, 1e5)},
}


def _op(name):
    """autograd's op of that name, or "gammainc(2.0, x)": the op of x, its first input that number."""
    if "(" not in name:
        return getattr(autograd, name)
    op, first = name[: name.index("(")], float(name[name.index("(") + 1 : name.index(",")])
    return lambda x: getattr(autograd, op)(first, x)


def _derivatives(f, x):
    """f', f'', f''' at x on a one-entry Tensor and on a Value (a Value refuses an infinite one: None)."""
    on_tensor, on_value, tensor_f, value_f = [], [], f, f
    for _ in range(3):
        tensor_f, value_f = elementwise_grad(tensor_f), grad(value_f)
        on_tensor.append(float(np.asarray(tensor_f(Tensor(np.array([x]))))[0]))
        try:
            on_value.append(value_f(x))
        except (ValueError, ArithmeticError):
            on_value.append(None)
    return on_tensor, on_value


@pytest.mark.parametrize("name", LIMITS)
def test_derivatives_at_the_edge_are_the_limits_signed_quietly(name):
    f = _op(name)
    for x, limits in LIMITS[name]:
        with warnings.catch_warnings():
            # an infinite limit may come with numpy's division warning (the result is above every float)
            warnings.simplefilter("error" if all(map(math.isfinite, limits)) else "ignore")
            warnings.filterwarnings("error", "invalid value", RuntimeWarning)
            on_tensor, on_value = _derivatives(f, x)
        for order, (limit, t, v) in enumerate(zip(limits, on_tensor, on_value), 1):
            for got in (t,) if v is None else (t, v):
                assert got == limit and math.copysign(1, got) == math.copysign(1, limit), (x, order, got, limit)


@pytest.mark.parametrize("name", LIMITS)
def test_beside_a_finite_entry_an_edge_entry_keeps_its_signed_limits(name):
    """The same bits as on a Tensor of that entry alone: the rules' selections gave the piece not taken a +0
    gradient, and −0 + +0 is +0 (atan''(inf) was +0 beside a finite entry, −0 alone)."""
    f, other = _op(name), 1.5 if name == "acosh" else 0.75
    for x, limits in LIMITS[name]:
        derivative = f
        for order, limit in enumerate(limits, 1):
            derivative = elementwise_grad(derivative)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # an infinite limit's division by zero
                got = np.asarray(derivative(Tensor(np.array([x, other]))))[0]
            assert got == limit and math.copysign(1, got) == math.copysign(1, limit), (x, order, got, limit)


@pytest.mark.parametrize("name", ["silu", "mish", "gelu", "atan", "erf", "ndtr"])
def test_beside_infinite_entries_finite_ones_keep_their_derivatives(name):
    """The pieces at ±inf touch those entries only."""
    f = getattr(autograd, name)
    points = np.array([INF, 2.5, -1.5, 0.0])
    first, second = elementwise_grad(f), elementwise_grad(elementwise_grad(f))
    mixed = [np.asarray(first(Tensor(points))), np.asarray(second(Tensor(points)))]
    alone = [np.asarray(first(Tensor(points[1:]))), np.asarray(second(Tensor(points[1:])))]
    for m, a in zip(mixed, alone):
        assert np.isfinite(m).all() and m[1:].tolist() == a.tolist()


def test_hypot_s_slope_in_an_infinite_input_beside_a_finite_one_is_plus_or_minus_one():
    """hypot(inf, 1)'s d/da was NaN (inf/inf, PyTorch's too): ±1, its limit, and 0 in the finite input; the
    second derivatives 0. Both infinite stay NaN: the limit depends on the way there."""
    a, b = Tensor(np.array([math.inf, -math.inf, 3.0])), Tensor(np.array([1.0, 0.0, -math.inf]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        da = np.asarray(elementwise_grad(lambda x: autograd.hypot(x, b))(a))
        db = np.asarray(elementwise_grad(lambda y: autograd.hypot(a, y))(b))
        second = np.asarray(elementwise_grad(elementwise_grad(lambda x: autograd.hypot(x, b)))(a))
        assert grad(lambda x: autograd.hypot(x, 1.0))(math.inf) == 1.0
    assert da.tolist() == [1.0, -1.0, 0.0] and db.tolist() == [0.0, 0.0, -1.0] and second.tolist() == [0.0] * 3
    with np.errstate(invalid="ignore"):
        both = Tensor(np.array([math.inf]))
        assert np.isnan(np.asarray(elementwise_grad(lambda x: autograd.hypot(x, both))(both))).all()


# x where x·x overflows but x is finite (float64 from 1.3e154, float32 from 1.8e19): the gaussian is 0 there, and
# its derivatives of every order 0 with the gaussian's signs; f'''' of erf, erfc, ndtr and gelu''' were NaN
FAR = {  # name: signs of f', f'', f''', f'''' at +x far out, at −x (0: a zero of either sign; None: unchecked)
    "erf": ((1, -1, 1, -1), (1, 1, 1, 1)),
    "ndtr": ((1, -1, 1, -1), (1, 1, 1, 1)),
    "erfc": ((-1, 1, -1, 1), (-1, -1, -1, -1)),
    "gelu": ((None, -1, 1, -1), (-1, -1, -1, -1)),  # (2 − x²)·φ(x), (x³ − 4x)·φ(x), …
    "silu": ((None, -1, 1, -1), (-1, -1, -1, -1)),  # (2 − x)·e^−x, … ; (1 + x)·e^x, (2 + x)·e^x, …
    "mish": ((None, -1, 1, -1), (-1, -1, -1, -1)),
}


@pytest.mark.parametrize("name", FAR)
@pytest.mark.parametrize("x, dtype", [(1e155, np.float64), (1e300, np.float64), (1e20, np.float32)])
def test_derivatives_where_x_squared_overflows_are_signed_zeros_quietly(name, x, dtype):
    f = getattr(autograd, name)
    for side, signs in zip((1, -1), FAR[name]):
        if signs is None:
            continue
        derivative = f
        for order, sign in enumerate(signs, 1):
            derivative = elementwise_grad(derivative)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                got = np.asarray(derivative(Tensor(np.array([side * x], dtype))))[0]
            if sign is not None:
                assert got == 0 and math.copysign(1, got) == (sign or math.copysign(1, got)), (side * x, order, got)


# finite x where the true derivatives underflow (sums of underflowed terms of both signs came out +0):
# (x, dtype, the first three derivatives)
UNDERFLOWED = {
    "gelu": (
        (40.0, np.float64, 1.0, -0.0, 0.0),
        (-40.0, np.float64, -0.0, -0.0, -0.0),
        (20.0, np.float32, 1.0, -0.0, 0.0),
    ),
    "silu": (
        (800.0, np.float64, 1.0, -0.0, 0.0),
        (-800.0, np.float64, -0.0, -0.0, -0.0),
        (-120.0, np.float32, -0.0, -0.0, -0.0),
    ),
    "mish": ((400.0, np.float64, 1.0, -0.0, 0.0), (-800.0, np.float64, -0.0, -0.0, -0.0)),
    "rsqrt": ((1e300, np.float64, -0.0, 0.0, -0.0),),  # −x^(−3/2)/2, 3x^(−5/2)/4, −15x^(−7/2)/8
    # −√(π/2)/2·x^(−3/2)·(1 + O(1/x)), then its derivatives, from 2^54 (float32's 2^25)
    "scaled_modified_bessel_k0": ((1e300, np.float64, -0.0, 0.0, -0.0), (1e35, np.float32, -0.0, 0.0, -0.0)),
    "scaled_modified_bessel_k1": ((1e300, np.float64, -0.0, 0.0, -0.0), (1e35, np.float32, -0.0, 0.0, -0.0)),
}


@pytest.mark.parametrize("name", UNDERFLOWED)
def test_derivatives_that_underflow_at_finite_x_are_zeros_signed_as_the_true_values(name):
    """gelu''(40) is −1.5e-345 and the third derivative of e^x·K₁ at 1e300 −1.1e-751: they were +0, sums of
    underflowed terms of both signs. On a Tensor, beside an ordinary entry, and on a Value (float64) alike."""
    f = getattr(autograd, name)
    for x, dtype, *expected in UNDERFLOWED[name]:
        on_tensor, on_value, tensor_f, value_f = [], [], f, f
        for _ in expected:
            tensor_f, value_f = elementwise_grad(tensor_f), grad(value_f)
            on_tensor.append(float(np.asarray(tensor_f(Tensor(np.array([x, 1.5], dtype))))[0]))
            on_value.append(value_f(x) if dtype == np.float64 else expected[len(on_value)])
        for got in (on_tensor, on_value):
            signs = [math.copysign(1, v) for v in got]
            assert got == expected and signs == [math.copysign(1, v) for v in expected], (x, dtype, got)


@pytest.mark.parametrize(
    "dtype, order, xs",
    [(np.float64, 1, [2e-206, 2.5e-206, 3.1e-206]), (np.float32, 1, [1.4e-26, 2e-26])]
    + [(np.float64, 2, [4.5e-124, 9e-124]), (np.float64, 3, [1.02e-88, 2e-88])],
)
def test_rsqrt_s_derivatives_are_finite_wherever_they_fit(dtype, order, xs):
    """−x^(−3/2)/2 fits below 3.2e-206 down to 2e-206 (float32's 2e-26 to 1.4e-26), where r³ (r = 1/√x) alone
    overflows: rsqrt'(2.5e-206) was −inf, its value −1.26e308. The next two orders where they fit too
    (rsqrt''(4.5e-124) and rsqrt'''(1.02e-88) are 1.8e308). On a Tensor and on a Value alike."""
    mp = pytest.importorskip("mpmath")
    tensor_f, value_f = autograd.rsqrt, autograd.rsqrt
    for _ in range(order):
        tensor_f, value_f = elementwise_grad(tensor_f), grad(value_f)
    got = np.asarray(tensor_f(Tensor(np.array(xs, dtype))))
    on_value = [value_f(x) for x in xs] if dtype == np.float64 else []
    with mp.workdps(30):
        c = (-0.5, 0.75, -1.875)[order - 1]
        exact = [float(c * mp.mpf(float(dtype(x))) ** -(order + 0.5)) for x in xs]
    np.testing.assert_allclose(got, exact, rtol=8 * np.finfo(dtype).eps)
    np.testing.assert_allclose(on_value or exact, exact, rtol=8e-16 * order)


@pytest.mark.parametrize(
    "name, xs", [("elu", [0.5, 40.0]), ("celu", [1.5]), ("selu", [2.0]), ("hardswish", [4.0, -4.0])]
)
def test_exact_zero_derivatives_on_a_constant_slope_are_plus_zero_on_both_engines(name, xs):
    """elu''(1.5) is 0 exactly (its slope is the constant 1 there): it came out −0 on a Tensor (the rules' −0
    for the piece not taken, meant for sums of two pieces), +0 on a Value and in PyTorch; a Hessian of an ELU
    network showed −0 at every entry of the positive inputs."""
    f = getattr(autograd, name)
    tensor_f, value_f = elementwise_grad(f), grad(f)
    for _ in range(2):  # the second and third derivatives
        tensor_f, value_f = elementwise_grad(tensor_f), grad(value_f)
        on_tensor = np.asarray(tensor_f(Tensor(np.array(xs))))
        on_value = np.array([value_f(x) for x in xs])
        for got in (on_tensor, on_value):
            assert (got == 0).all() and not np.signbit(got).any(), (name, got)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "name, f",
    [("silu", autograd.silu), ("mish", autograd.mish), ("gelu", autograd.gelu)]
    + [("gelu tanh", lambda x: autograd.gelu(x, approximate="tanh"))],
)
def test_x_times_a_vanishing_factor_is_minus_zero_at_minus_infinity_with_its_derivatives(name, f, dtype):
    """silu, mish and gelu at −inf were NaN (−inf · 0, PyTorch's), and so were their derivatives: −0, the limits,
    on both engines and quietly, beside finite entries too; gelu's tanh form's second and third derivatives were
    NaN from −1.3e154 (x² · 0 · inf), as its erf form's were not."""
    points = np.array([-math.inf, -1e300 if dtype == np.float64 else -1e30, 1.5], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # x³ of the tanh form's forward overflows at −1e300 (its σ is 0 there)
        warnings.filterwarnings("error", "invalid value", RuntimeWarning)
        out, derivative = np.asarray(f(Tensor(points))), f
        assert out[0] == 0 and math.copysign(1, out[0]) == -1 and out[2] > 1
        if dtype == np.float64:
            assert math.copysign(1, f(Value(-math.inf)).data) == -1 and f(Value(-math.inf)).data == 0
        for order in range(1, 4):
            derivative = elementwise_grad(derivative)
            got = np.asarray(derivative(Tensor(points)))
            assert (got[:2] == 0).all() and np.signbit(got[:2]).all(), (order, got)
            assert np.isfinite(got[2]) and got[2] != 0
