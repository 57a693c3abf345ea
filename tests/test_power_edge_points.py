"""x ** c at the edge points the survey found (S1 D4, D5): a negative infinite base to a fractional power
refused on Values as any negative base is; a Python exponent taken as the double it is on float32 and
float16 tensors (PyTorch's), and a NaN forward never sending a finite gradient."""

import math
import warnings

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

import autograd
from autograd import Tensor, Value

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's invalid power, as torch's NaN


@pytest.mark.parametrize("c", [0.5, 1.5, -0.5, 2.5])
def test_a_value_of_minus_infinity_to_a_fractional_power_raises(c):
    """(-inf) ** 0.5 was inf with gradient 0, and ** 1.5 inf with gradient inf, where -2 ** 0.5 raises."""
    for power in (lambda x: x**c, lambda x: x ** Value(c), lambda x: Value(c).__rpow__(x)):
        with pytest.raises(ValueError, match="fractional power has no real value"):
            power(Value(-math.inf))


@pytest.mark.parametrize("c, expected", [(2.0, math.inf), (3.0, -math.inf), (-1.0, -0.0), (math.inf, math.inf)])
def test_a_value_of_minus_infinity_to_a_whole_or_infinite_power_is_ieees(c, expected):
    y = Value(-math.inf) ** c
    assert y.data == expected and math.copysign(1, y.data) == math.copysign(1, expected)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("c", [1e-8, 2.00000001, 2.0000001, 2**-30, 0.1, -1.5, 0.5, 2.0])
def test_a_python_exponent_is_the_double_it_is_as_in_pytorch(dtype, c):
    """float32 (-6) ** 2.00000001 was 36 with gradient -12 (the exponent rounded to float32), and
    (-6) ** 1e-8 NaN with gradient -1.67e-9 (c - 1 rounded to -1): PyTorch's are NaN and NaN, and
    3 ** 2.0000001 is 9.000001 in float32, not 9. float16 rounds the exponent to float16, as torch's."""
    data = np.array([-6.0, 3.0, 0.0, 1e-3, 7.5, -2.0], dtype)
    x = Tensor(data, dtype=dtype, requires_grad=True)
    y = x**c
    y.backward(np.ones(data.shape, dtype))
    t = torch.tensor(data, requires_grad=True)
    ty = t**c
    ty.sum().backward()
    assert y.dtype == dtype
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    if np.float16(c) == 0 and dtype == np.float16:  # float16 rounds c to 0, as torch's forward: x ** 0 is 1, a
        assert not x.grad.any()  # constant (torch's gradient takes the double again: inf at 0, 1e-5 at 1e-3)
        return
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=2 * np.finfo(dtype).eps)
    assert np.array_equal(np.isnan(y.data), np.isnan(x.grad))


def test_a_nan_power_of_two_tensors_sends_a_nan_gradient():
    """float32 x ** b at x = -6, b = 1e-8: the forward is NaN and the base's gradient was -1.67e-9
    (b - 1 is -1.0 in float32; PyTorch's too): a NaN forward now sends NaN, on the first and second pass."""
    x = Tensor(np.array([-6.0, 2.0], np.float32), requires_grad=True)
    b = Tensor(np.array([1e-8, 1e-8], np.float32), requires_grad=True)
    y = x**b
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y.backward(np.ones(2, np.float32), create_graph=True)
    assert np.isnan(y.data[0]) and np.isnan(x.grad.data[0]) and np.isnan(b.grad.data[0])
    assert x.grad.data[1] == np.float32(1e-8) * np.float32(2.0) ** np.float32(1e-8 - 1)


def _orders(f, x, n=3):
    """f', f'', ... at x on a one-entry float64 Tensor and on a Value."""
    on_tensor, on_value, tensor_f, value_f = [], [], f, f
    for _ in range(n):
        tensor_f, value_f = autograd.elementwise_grad(tensor_f), autograd.grad(value_f)
        on_tensor.append(float(np.asarray(tensor_f(Tensor(np.array([x]))))[0]))
        on_value.append(value_f(x))
    return on_tensor, on_value


@pytest.mark.parametrize(
    "a, b, slopes",
    [
        (0.0, math.inf, (0.0,) * 3),
        (0.0, 1e300, (0.0,) * 3),
        (0.5, math.inf, (0.0,) * 3),
        (-0.5, math.inf, (0.0,) * 3),
        (2.0, -math.inf, (-0.0, 0.0, -0.0)),
    ],
)
def test_an_infinite_exponent_where_the_power_is_0_has_flat_slopes_signed_as_b(a, b, slopes):
    """a ** inf is 0 for |a| < 1 (a ** -inf for |a| > 1): flat, so every derivative in a is 0; b·a^(b−1) was
    inf · 0, NaN (power(0, inf)'s d/da, and its second derivative on a Tensor; power(0, 1e300)'s third, where
    b·(b − 1)·(b − 2) overflows)."""
    for got in _orders(lambda x: autograd.power(x, b), a):
        assert got == list(slopes) and [math.copysign(1, v) for v in got] == [math.copysign(1, v) for v in slopes]


@pytest.mark.parametrize("b", [5e-324, 1e-300, 1e-200, -1e-300])
def test_zero_over_a_tiny_divisor_is_flat_in_it_at_every_order(b):
    """0 / b is 0 for every nonzero b: its derivatives in b are 0; the second and third were NaN where 1/b or
    1/b² overflows (g / b beside a == 0: inf · 0 in the product's own rule)."""
    for got in _orders(lambda y: autograd.div(0.0, y), b):
        assert got == [0.0, 0.0, 0.0], got


@pytest.mark.parametrize("c", [math.inf, 1e300, 2.0**70, -math.inf, -1e300])
def test_a_tensor_to_a_huge_constant_power_has_slopes(c):
    """x ** 1e300 (a constant exponent) on a Tensor of more than one entry: its backward raised "the truth value
    of an array is ambiguous" (the exponent a number, the power an array), and so did every gradient of
    gammainc(1e300, x) in x. Each entry's slopes are its own: flat zeros signed as c where the power is 0
    (a Value's there), ±inf where it is inf."""
    flat, steep = (0.0, 0.0, 0.0), (math.inf, math.inf, math.inf)
    if c < 0:
        flat, steep = (-0.0, 0.0, -0.0), (-math.inf, math.inf, -math.inf)
    tensor_f = lambda x: x**c  # noqa: E731
    for order in range(3):
        tensor_f = autograd.elementwise_grad(tensor_f)
        got = list(np.asarray(tensor_f(Tensor(np.array([0.0, 0.5, 2.0])))))
        expected = [steep[order]] * 2 + [flat[order]] if c < 0 else [flat[order]] * 2 + [steep[order]]
        assert got == expected and [math.copysign(1, v) for v in got] == [math.copysign(1, v) for v in expected]
    assert np.all(np.asarray(autograd.elementwise_grad(lambda x: autograd.gammainc(1e300, x))(Tensor(np.ones(2)))) == 0)


@pytest.mark.parametrize("a, b", [(5e-324, 5e-324), (5e-324, 1e-300), (1e-310, 0.001)])
def test_a_tiny_base_under_a_small_exponent_has_its_finite_slope_and_infinite_curvatures(a, b):
    """b·a^(b−1) where a^(b−1) overflows and a^b does not: power(5e-324, 5e-324)' was inf, its value 1;
    power(1e-310, 0.001)' inf for 4.9e306. Within 2 ulps of mpmath's b·a^(b − 1), b − 1 as the rule rounds it (its
    own error, |log a|·ε, is every formula's). The second and third derivatives overflow (−inf, +inf), not NaN (as
    (b/a)·a^b's would: inf − inf). Tensor (a power by a number and by a Tensor) and Value agree."""
    mp = pytest.importorskip("mpmath")
    with mp.workdps(40):
        first = float(mp.mpf(b) * mp.mpf(a) ** mp.mpf(b - 1))
    slopes = [autograd.elementwise_grad(lambda x: x**b), autograd.elementwise_grad(lambda x: autograd.power(x, b))]
    slopes += [autograd.elementwise_grad(lambda x: autograd.power(x, Tensor(np.array(b))))]
    for slope in slopes:
        got = [float(np.asarray(slope(Tensor(np.array([a, 2.0]))))[0])]
        second = autograd.elementwise_grad(slope)
        got += [float(np.asarray(second(Tensor(np.array([a, 2.0]))))[0])]
        got += [float(np.asarray(autograd.elementwise_grad(second)(Tensor(np.array([a]))))[0])]
        assert got[1:] == [-math.inf, math.inf] and got[0] == pytest.approx(first, rel=4.5e-16), (got, first)
    on_value = autograd.grad(lambda x: x**b)(a)
    assert on_value == float(np.asarray(slopes[0](Tensor(np.array([a]))))[0])


@pytest.mark.parametrize("a, b", [(5e-324, 5e-324), (1e-310, 0.001)])
def test_a_values_slope_at_a_tiny_base_is_finite_under_create_graph_too(a, b):
    """A Value's ** raises OverflowError where its result overflows, and the rule formed a^(b−1) as a node before
    looking: gradients(x ** 0.001, create_graph=True) at 1e-310 raised "1e-310 ** -0.999 overflows" for the
    finite 4.9e306 a plain backward gives; the same now, with and without a Value exponent."""
    for power in (lambda x: x**b, lambda x: x ** autograd.Value(b)):
        x, plain = autograd.Value(a), autograd.grad(power)(a)
        (slope,) = autograd.gradients(power(x), [x], create_graph=True)
        assert slope.data == plain and math.isfinite(plain), (slope.data, plain)


@pytest.mark.parametrize("c", [1e-300, -1e-300, 1e-40, 3e-39])
def test_a_float32_tensor_under_an_exponent_below_float32s_normals_has_float64s_slopes(c):
    """float32 x ** 1e-300 at x = 0: its d/dx c·x^(c−1) took c in float32, 0, times inf: NaN (PyTorch 2.13's too),
    where float64's is +inf, the limit (−inf for −1e-300; the second derivative −inf). Now float64's, rounded once,
    at every order, as the forward is; beside 0 too (c = 1e-40, a subnormal in float32, was 7e-6 off at 0.5)."""
    points = np.array([0.0, 0.5, 1e-45, 3.0])
    first = autograd.elementwise_grad(lambda t: t**c)
    second = autograd.elementwise_grad(first)
    for derivative in (first, second):
        wide = np.asarray(derivative(Tensor(points.astype(np.float32).astype(np.float64))))
        got = np.asarray(derivative(Tensor(points.astype(np.float32))))
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, wide.astype(np.float32))
    assert np.asarray(first(Tensor(np.float32([0.0])))) == [math.copysign(math.inf, c)]


def test_minus_zero_to_a_fractional_power_has_the_slope_from_the_right():
    """x ** 0.5 at x = −0.0: d/dx = 0.5·(−0)^(−0.5) = +inf, IEEE's pow(−0, −0.5), the one-sided limit (a random-graph
    sweep met it). PyTorch 2.13's is −inf: its x ** 0.5 is sqrt, whose rule 1/(2·√x) reads √(−0) = −0 (chainrule's
    sqrt too: docs/edge-points.md); (−0) ** 0.25, ** 1.5 agree with PyTorch's (+inf, −0)."""
    x = Tensor(np.array([-0.0, 0.0]), requires_grad=True)
    (got,) = autograd.gradients((x**0.5).sum(), [x])
    assert got.tolist() == [math.inf, math.inf]
    (root,) = autograd.gradients(x.sqrt().sum(), [x])
    assert root.tolist() == [-math.inf, math.inf]
    t = torch.tensor([-0.0, 0.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.grad((t**0.5).sum(), [t])[0].tolist() == [-math.inf, math.inf]
