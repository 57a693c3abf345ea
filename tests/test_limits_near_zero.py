"""sigmoid's curvature near 0 keeps its digits; a NaN beside -inf keeps its -0; logaddexp's and hardswish's
limits far out: derivatives at the ends of the line, continued from test_limits_at_infinity."""

import math
import warnings

import numpy as np
import pytest
from test_limits_at_infinity import INF

import autograd
from autograd import Tensor, Value, elementwise_grad, grad


@pytest.mark.parametrize("x", [1e-300, -1e-300, 1e-8, -1e-3, 0.01, 0.06, 0.1014922846320807, -0.5, 1.9])
def test_sigmoid_s_curvature_near_zero_keeps_its_digits(x):
    """σ'' = σ'·(1 − σ) − σ·σ' cancelled where σ is near 1/2: 0 at ±1e-300 (the value ∓1.25e-301), 6e-9 relative
    off at 1e-8, 2e-14 at 0.01; softplus''' and logsigmoid''' (σ'' again) too. Within 2 ulps of mpmath now, on a
    Tensor beside an ordinary entry and on a Value alike, and σ''' too."""
    mp = pytest.importorskip("mpmath")
    with mp.workdps(40):
        slope = 1 / (4 * mp.cosh(mp.mpf(x) / 2) ** 2)  # σ', and σ'' = −σ'·tanh(x/2), σ''' = σ'·(1 − 6σ'): no 1 − 2σ
        exact = [float(-slope * mp.tanh(mp.mpf(x) / 2)), float(slope * (1 - 6 * slope))]
    ops = {"sigmoid": (autograd.sigmoid, 2), "softplus": (autograd.softplus, 3), "logsigmoid": (autograd.logsigmoid, 3)}
    for name, (f, order) in ops.items():
        tensor_f, value_f = f, f
        for _ in range(order):
            tensor_f, value_f = elementwise_grad(tensor_f), grad(value_f)
        want = exact[0]  # logsigmoid'''(−x) = σ''(x)
        got = [float(np.asarray(tensor_f(Tensor(np.array([x if name != "logsigmoid" else -x, 2.0]))))[0])]
        got.append(value_f(x if name != "logsigmoid" else -x))
        for value in got:
            assert value == pytest.approx(want, rel=4.5e-16, abs=0), (name, x, got, want)
    third = grad(grad(grad(autograd.sigmoid)))(x)
    assert third == pytest.approx(exact[1], rel=4.5e-16)


@pytest.mark.parametrize(
    "f", [autograd.silu, autograd.mish, autograd.gelu, lambda x: autograd.gelu(x, approximate="tanh")]
)
def test_a_nan_beside_minus_infinity_leaves_its_minus_zero(f):
    """The forwards look for −inf by the least entry, and a NaN made the least entry NaN: silu([nan, −inf]) was
    [nan, nan], though silu([−inf]) is [−0] (and the derivative there −0 beside the NaN too)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = np.asarray(f(Tensor(np.array([math.nan, -math.inf, 1.0]))))
    assert math.isnan(out[0]) and out[1] == 0 and np.signbit(out[1]) and out[2] > 0.5, out


def test_logaddexps_second_derivatives_where_one_input_is_far_above_are_their_limit_zero():
    """−σ(a − b)·σ(b − a), 0 in the limit, where b − a passes 709 (exp overflows) or b is ±inf: PyTorch 2.13's double
    backward gives NaN there (logaddexp(0, 800), (0.5, inf); a random-graph sweep met it); chainrule's is 0."""
    a, b = Tensor(np.array([0.0, 0.5, 1.0, 0.0])), Tensor(np.array([800.0, INF, -1e308, 1e308]))
    second = np.asarray(elementwise_grad(elementwise_grad(lambda x: autograd.logaddexp(x, b)))(a))
    mixed = np.asarray(elementwise_grad(lambda y: elementwise_grad(lambda x: autograd.logaddexp(x, y))(a))(b))
    assert second.tolist() == [0.0] * 4 and mixed.tolist() == [0.0] * 4


def test_hardswish_gradient_at_minus_infinity_is_flat_in_the_gradient_from_above():
    """d/db of d/dx [hardswish(x)·b] at x = −inf is hardswish'(−inf) = 0 (PyTorch 2.13's too): the middle piece
    x/3 + 1/2, not taken there, was still formed at −inf, and g·(−inf) met the 0 sent to it: NaN."""
    x = Tensor(np.array([-math.inf, -4.0, 0.0, 4.0, math.inf]), requires_grad=True)
    b = Tensor(np.ones(5), requires_grad=True)
    with np.errstate(invalid="ignore"):
        (gx,) = autograd.gradients((autograd.hardswish(x) * b).sum(), [x], create_graph=True)
        (mixed,) = autograd.gradients(gx.sum(), [b])
        on_value = grad(lambda b: grad(lambda x: autograd.hardswish(x) * b)(-math.inf))(1.0)
    assert np.asarray(autograd.raw(mixed)).tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    assert on_value == 0.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_hardswish_at_minus_infinity_is_its_limit_minus_zero_quietly(dtype):
    """hardswish is 0 from −3 down (−0 at −5, x · 0), and so at −inf, its limit: it was −inf · 0 = NaN (PyTorch's),
    as silu's, mish's and gelu's were; on both engines, beside NaN and finite entries."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = autograd.raw(autograd.hardswish(Tensor(np.array([-math.inf, -5.0, math.nan, 1.0]), dtype=dtype)))
        on_value = autograd.hardswish(Value(-math.inf)).data
    one = np.asarray(1.0, dtype)
    assert out[0] == 0 and np.signbit(out[:2]).all() and np.isnan(out[2]) and out.dtype == dtype
    assert out[3] == one * np.clip(one / 6 + 0.5, 0, 1)  # finite entries as before
    assert on_value == 0 and math.copysign(1, on_value) == -1
