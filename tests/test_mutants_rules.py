"""Tests that kill mutants the suite let live in the op table's rules and forwards (op_table_*.py,
elementwise_forwards.py; docs/mutation-testing.md). References are closed forms, central finite
differences in float64, numpy's own functions, and PyTorch where it is installed.

Some helpers run only at import (`_flat`, `_finite_only`, `_integers_avoided`, `_off_jumps`,
`_finite_check`): mutmut switches a mutant on after import, so these tests call them at test time."""

import math
import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from autograd.elementwise_forwards import CANCELS, tensor_relu
from autograd.op_def import Domain
from autograd.op_table_activations import _finite_check
from autograd.op_table_binary import MARGIN, _off_jumps, _untied
from autograd.op_table_math import _finite_only, _flat, _integers_avoided


def _central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def _tensor_grad(f, *arrays):
    ts = [Tensor(np.array(a, dtype=float), requires_grad=True) for a in arrays]
    f(*ts).sum().backward()
    return [t.grad for t in ts]


# op_table_math: the rounding family's helpers


def test_finite_only_keeps_infinities_nan_and_the_sign_of_a_zero_result():
    ceil = _finite_only(math.ceil)
    assert ceil(2.5) == 3.0 and isinstance(ceil(2.5), float)
    assert ceil(-0.5) == 0.0 and math.copysign(1.0, ceil(-0.5)) == -1.0  # -0.0, as np.ceil(-0.5)
    assert math.copysign(1.0, ceil(-0.5)) == math.copysign(1.0, np.ceil(-0.5))
    assert ceil(math.inf) == math.inf and ceil(-math.inf) == -math.inf
    assert math.isnan(ceil(math.nan))
    assert _finite_only(math.floor)(-2.5) == -3.0


def test_integers_avoided_keeps_draws_off_the_jumps_inside_the_range():
    at_integers, at_halves = _integers_avoided(0.0), _integers_avoided(0.5)
    assert at_integers.margin == 0.05
    for k in range(-3, 4):  # every jump inside [-3, 3]
        assert not at_integers(k + 0.04) and not at_integers(k - 0.04)
        assert at_integers(k + 0.5 if k < 3 else 2.5)
    for h in (-2.5, -0.5, 0.5, 2.5):
        assert not at_halves(h + 0.01)
        assert at_halves(h + 0.5)


def test_flat_builds_a_step_function_whose_derivative_is_zero():
    safe = Domain(avoid=(0.0,))
    d = _flat("step", math.floor, np.floor, safe, "(a comment)")
    assert (d.name, d.scalar, d.tensor, d.safe) == ("step", math.floor, np.floor, (safe,))
    assert d.formulas == ("∂step(x)/∂x = 0 (a comment)",)
    (g,) = d.vjp(np.array([2.0, -1.0, np.inf]), None, np.array([0.5, 1.5, 2.5]))
    assert np.array_equal(g, np.zeros(3))  # an array of g's shape; 0 for an infinite g too
    assert d.vjp(3.0, 1.0, 1.5) == (0.0,)


@pytest.mark.parametrize("x", [0.0, -0.0, 2.5, -3.0, math.nan])
def test_sign_on_values_is_numpys_at_zero_and_nan(x):
    y = autograd.sign(Value(x)).data
    expected = float(np.sign(x))
    assert (math.isnan(y) and math.isnan(expected)) or y == expected


# op_table_binary: where the gradchecks draw pairs, and the rules near their edges


def test_untied_pairs_are_at_least_the_margin_apart():
    assert _untied(1.0, 1.1) and _untied(1.0, -1.0) and _untied(0.0, MARGIN)
    assert not _untied(1.0, 1.02) and not _untied(np.array([0.0, 2.0]), np.array([1.0, 2.01]))


@pytest.mark.parametrize(
    "a, b, with_zero, without_zero",
    [
        (0.02, 1.0, False, True),  # near the jump at 0, which only remainder has
        (MARGIN, 1.0, True, True),  # exactly the margin away
        (2.02, 1.0, False, False),
        (1.02, 1.0, False, False),
        (-0.97, 1.0, False, False),
        (2.5, 1.0, True, True),
        (4.06, 2.0, True, True),  # 0.03 of a quotient, but 0.06 of a dividend
        (4.04, 2.0, False, False),
    ],
)
def test_off_jumps_measures_the_distance_to_a_multiple_of_the_divisor(a, b, with_zero, without_zero):
    assert _off_jumps(zero_jumps=True)(a, b) is with_zero
    assert _off_jumps(zero_jumps=False)(a, b) is without_zero


def test_fmod_divisor_gradient_is_minus_the_quotient_the_forward_took():
    # fmod(1.0, 0.1) took nine 0.1s (0.0999...): d/db is -9, not -trunc(1.0 / 0.1) = -10. It sits at
    # a jump's top (fmod(1.0, 0.1 - h) is near 0): the slope on the side the forward took is -9
    assert round((math.fmod(1.0, 0.1 + 2e-9) - math.fmod(1.0, 0.1 + 1e-9)) / 1e-9) == -9
    a, b = Value(1.0), Value(0.1)
    autograd.fmod(a, b).backward()
    assert (a.grad, b.grad) == (1.0, -9.0)
    ga, gb = _tensor_grad(autograd.fmod, [1.0, 7.5], [0.1, 2.0])
    assert ga.tolist() == [1.0, 1.0] and gb.tolist() == [-9.0, -3.0]


def test_remainder_by_an_infinite_divisor_gets_numpys_quotient_without_warnings():
    a = Tensor(np.array([-1.0, 5.0]), requires_grad=True)
    b = Tensor(np.array([np.inf, 2.0]), requires_grad=True)
    out = autograd.remainder(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out.sum().backward()
    assert b.grad.tolist() == [1.0, -2.0]  # -(-1 // inf), -(5 // 2)
    assert a.grad.tolist() == [1.0, 1.0]


def test_atan2_gradient_beside_the_origin_is_the_formula_and_zero_at_it():
    a = np.array([0.0, 1.0, -2.0, 3.0, 1e-200])
    b = np.array([0.0, 2.0, 0.5, -1.0, 1e-200])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ga, gb = _tensor_grad(autograd.atan2, a, b)
    r2 = a[1:4] ** 2 + b[1:4] ** 2
    assert ga[0] == 0.0 and gb[0] == 0.0
    np.testing.assert_allclose(ga[1:4], b[1:4] / r2, rtol=1e-14)
    np.testing.assert_allclose(gb[1:4], -a[1:4] / r2, rtol=1e-14)
    np.testing.assert_allclose([ga[4], gb[4]], [0.5e200, -0.5e200], rtol=1e-14)  # no underflow
    for i in (1, 2, 3):
        ai, bi = a[i], b[i]
        assert math.isclose(ga[i], _central(lambda t, bi=bi: math.atan2(t, bi), ai), rel_tol=1e-7)
        assert math.isclose(gb[i], _central(lambda t, ai=ai: math.atan2(ai, t), bi), rel_tol=1e-7)


# elementwise_forwards


def test_a_negative_base_to_a_fractional_power_says_why():
    with pytest.raises(
        ValueError, match=r"^\(-2.0\) \*\* 0.5 is undefined: a negative base to a fractional power has no real value$"
    ):
        Value(-2.0) ** 0.5


@pytest.mark.parametrize(
    "a, c", [(1e-77, -4), (-1e-77, -4), (1e-100, -3), (-1e-100, -3), (-1e-60, -5), (-1e-120, -2), (1e-120, -2)]
)
def test_a_power_whose_derivative_overflows_is_an_infinity_of_the_right_sign(a, c):
    x = Value(a)
    y = x**c
    assert math.isfinite(y.data)
    y.backward()
    with np.errstate(over="ignore"):
        expected = c * np.float64(a) ** np.float64(c - 1)  # c · a^(c-1), overflowing to ±inf
    assert math.isinf(expected) and x.grad == expected


@pytest.mark.parametrize("shape", [(64, 128), (5000,), (3, 40, 50)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_of_a_large_array_is_numpys_maximum_in_its_dtype(shape, dtype):
    x = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    x.flat[:3] = [0.0, -0.0, np.nan]
    y = tensor_relu(x)
    assert y.dtype == dtype and y.shape == shape
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    t = Tensor(x, requires_grad=True)
    autograd.relu(t).sum().backward()
    np.testing.assert_array_equal(t.grad, np.where(np.isnan(x), x, x > 0).astype(dtype))  # NaN at NaN


@pytest.mark.parametrize("op", ["sigmoid", "tanh"])
def test_sigmoid_and_tanh_of_an_empty_tensor_have_an_empty_gradient(op):
    t = Tensor(np.zeros((0, 3)), requires_grad=True)
    getattr(autograd, op)(t).sum().backward()
    assert t.grad.shape == (0, 3)


def test_tanh_gradient_is_the_lessons_formula_bit_for_bit_beside_far_entries():
    x = np.array([0.3, -1.2, 2.0, 5.0, -30.0, 400.0, -400.0])
    t = Tensor(x, requires_grad=True)
    autograd.tanh(t).sum().backward()
    th = np.tanh(x)
    near = 1 - th * th >= CANCELS
    assert near.tolist() == [True, True, True, False, False, False, False]
    assert np.array_equal(t.grad[near], (1 - th * th)[near])  # micrograd's 1 - t², bit for bit
    np.testing.assert_allclose(t.grad[3:5], 1 / np.cosh(x[3:5]) ** 2, rtol=1e-13)
    assert t.grad[5:].tolist() == [0.0, 0.0]  # 4e/(1 + e)² with e = exp(-800): no inf / inf


def test_tanh_second_derivative_far_out_is_zero_not_nan():
    t = Tensor(np.array([400.0, -400.0, 0.5]), requires_grad=True)
    (d,) = autograd.gradients(autograd.tanh(t).sum(), [t], create_graph=True)
    assert d.data.tolist()[:2] == [0.0, 0.0]
    (d2,) = autograd.gradients(d.sum(), [t])
    assert d2.data.tolist()[:2] == [0.0, 0.0]
    assert math.isclose(d2.data[2], -2 * math.tanh(0.5) / math.cosh(0.5) ** 2, rel_tol=1e-12)
    for x in (400.0, -400.0):
        v = Value(x)
        (dv,) = autograd.gradients(autograd.tanh(v), [v], create_graph=True)
        assert dv.data == 0.0


def test_softplus_with_beta_far_out_is_its_linear_piece_without_an_overflow_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = autograd.softplus(Tensor(np.array([1e308, -1e308, 1.0])), beta=2.0).data
    assert y[0] == 1e308 and y[1] == 0.0
    assert math.isclose(y[2], math.log1p(math.exp(2.0)) / 2.0, rel_tol=1e-15)


@pytest.mark.parametrize("a, b", [(0.0, -0.0), (-0.0, 0.0)])
def test_maximum_and_minimum_at_a_tie_of_zeros_are_pytorchs_on_both_engines(a, b):
    torch = pytest.importorskip("torch")
    for name in ("maximum", "minimum"):
        want = getattr(torch, name)(torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64))
        on_values = getattr(autograd, name)(Value(a), Value(b)).data
        on_tensors = getattr(autograd, name)(Tensor(np.array([a, 1.0])), Tensor(np.array([b, 1.0]))).data[0]
        on_0d = float(getattr(autograd, name)(Tensor(np.array(a)), Tensor(np.array(b))).data)
        for got in (on_values, on_tensors, on_0d):  # numpy's loops pick the second zero
            assert math.copysign(1.0, got) == math.copysign(1.0, want.item()), name


def test_erf_of_an_integer_tensor_is_a_float_tensor():
    for op, f in ((autograd.erf, math.erf), (autograd.erfc, math.erfc)):
        y = op(Tensor(np.array([0, 1, -2]))).data
        assert y.dtype == np.float64
        assert y.tolist() == [f(0.0), f(1.0), f(-2.0)]


# op_table_activations: parameter checks and a rule's warnings


def test_gelu_tanh_gradient_far_out_is_exact_and_warns_of_no_nan():
    x = Tensor(np.array([1e160, -1e160, 0.0]), requires_grad=True)  # x² overflows in the slope
    with np.errstate(over="ignore"):
        y = autograd.gelu(x, approximate="tanh")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y.sum().backward()
    assert not [w for w in caught if "invalid" in str(w.message)]
    assert x.grad.tolist() == [1.0, 0.0, 0.5]


def test_parameter_checks_name_the_op_the_parameter_and_what_it_must_be():
    x = Tensor(np.array([-1.0, 0.5, 2.0]))
    with pytest.raises(
        ValueError,
        match=r"^hardtanh: min_val must be a number or ±inf \(no bound\), got NaN \(nan\): "
        r"the outputs it touches would be NaN or infinite$",
    ):
        autograd.hardtanh(x, min_val=math.nan)
    with pytest.raises(ValueError, match=r"^hardtanh: max_val must be a number or ±inf \(no bound\), got NaN"):
        autograd.hardtanh(x, max_val=math.nan)
    assert autograd.hardtanh(x, min_val=-math.inf, max_val=math.inf).data.tolist() == [-1.0, 0.5, 2.0]
    assert autograd.hardtanh(x, min_val=1.0, max_val=1.0).data.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="min_val 2.0 is greater than max_val 1.0"):
        autograd.hardtanh(x, min_val=2.0, max_val=1.0)
    with pytest.raises(
        ValueError,
        match=r"^leaky_relu: negative_slope must be a finite number, got infinity \(inf\): "
        r"the outputs it touches would be NaN or infinite$",
    ):
        autograd.leaky_relu(x, negative_slope=math.inf)
    with pytest.raises(ValueError, match=r"^celu: alpha must be a finite number, got NaN \(nan\)"):
        autograd.celu(x, alpha=math.nan)
    with pytest.raises(
        ValueError,
        match=r"^celu: alpha 0 divides by zero \(celu is x for x > 0, alpha·\(exp\(x/alpha\) − 1\) below\); "
        r"pass alpha != 0$",
    ):
        autograd.celu(x, alpha=0.0)


def test_clip_refuses_a_nan_bound_in_an_array_and_takes_infinite_ones():
    x = Tensor(np.array([-1.0, 0.5, 2.0]))
    with pytest.raises(ValueError, match=r"^clip: lo must be a number or ±inf \(no bound\), got NaN \(array"):
        x.clip(np.array([np.nan, 0.0, 0.0]), None)
    assert x.clip(np.array([-np.inf, 0.0, 0.0]), np.array([np.inf, 2.0, 1.0])).data.tolist() == [-1.0, 0.5, 1.0]
    assert x.clip(np.array([0, 0, 0]), np.array([1, 2, 3])).data.tolist() == [0.0, 0.5, 2.0]
    with pytest.raises(TypeError, match=r"^clip: lo must be a real number \(or an array of them\), got complex 1j"):
        x.clip(1j, None)
    with pytest.raises(TypeError, match=r"got ndarray array\(\[0.\+1.j\]\)"):
        x.clip(np.array([1j]), None)


def test_finite_check_refuses_nan_and_infinity_in_every_parameter():
    check = _finite_check("elu")
    check(alpha=1.5)
    with pytest.raises(ValueError, match=r"^elu: alpha must be a finite number, got NaN \(nan\)"):
        check(alpha=math.nan)
    with pytest.raises(ValueError, match=r"^elu: alpha must be a finite number, got infinity \(-inf\)"):
        check(alpha=-math.inf)
