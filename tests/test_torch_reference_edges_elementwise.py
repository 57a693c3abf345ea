"""chainrule against PyTorch at the edge points of the binary functions and the activations with
parameters (#14): ties of maximum and minimum, the kinks of leaky_relu, elu, celu, hardtanh and
hardsigmoid, huge inputs of logaddexp and gelu, the origin for hypot and atan2, the signs,
multiples and zero divisors of fmod and remainder. Forward and gradient (and the second derivative
where the function is smooth at the point), float64 and float32 for Tensors, float64 for Values.
Comparison: tests/torch_reference.py; the same points without torch: tests/test_elementwise_breadth.py."""

import numpy as np
import pytest
from test_torch_reference_elementwise import torch_function
from torch_reference import DTYPES, F, check, check_scalar, torch  # without torch: skipped

import autograd

dtypes = pytest.mark.parametrize("dtype", DTYPES)

# ties (0.0 against -0.0 too), then no tie; at NaN both gradients are NaN, where torch's pass g to both
# (docs/edge-points.md, tests/test_nan_policy.py)
TIED = [[1.0, -2.0, 0.0, -0.0, 3.0], [1.0, -2.0, -0.0, 0.0, 2.5]]


@dtypes
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_split_the_gradient_at_ties(name, dtype):
    """At a tie each input gets half the gradient, as torch.maximum/minimum."""
    check(getattr(autograd, name), getattr(torch, name), TIED, dtype)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@pytest.mark.parametrize("a, b", [(1.0, 1.0), (0.0, -0.0), (-2.0, -2.0)], ids=str)
def test_maximum_minimum_ties_on_values(name, a, b):
    check_scalar(getattr(autograd, name), getattr(torch, name), [a, b])


KINKS = {  # name: (its parameters, the points where PyTorch makes a choice, and one each side)
    "leaky_relu": ({"negative_slope": 0.2}, [0.0, -0.0, 1e-3, -1e-3]),
    "elu": ({"alpha": 0.5}, [0.0, -0.0, 1e-3, -1e-3]),
    "celu": ({"alpha": 2.0}, [0.0, -0.0, 1e-3, -1e-3]),
    "hardtanh": ({"min_val": -2.0, "max_val": 0.5}, [-2.0, 0.5, -1.999, 0.499, 2.0]),
    "hardsigmoid": ({}, [-3.0, 3.0, -2.999, 2.999, 4.0]),
    "relu6": ({}, [0.0, 6.0, 5.999]),
    "hardshrink": ({"lambd": 1.5}, [-0.5, 0.5, -1.5, 1.5, -1.499, 1.501, 0.0]),
    "softshrink": ({"lambd": 1.5}, [-0.5, 0.5, -1.5, 1.5, -1.499, 1.501, 0.0]),
}


@dtypes
@pytest.mark.parametrize("name", KINKS)
@pytest.mark.parametrize("default", [True, False], ids=["defaults", "parameters"])
def test_activation_kinks(name, default, dtype):
    """The derivative at each kink is PyTorch's: leaky_relu negative_slope, elu alpha, celu 1 (the
    left pieces); hardtanh and hardsigmoid 0 at their bounds; hardshrink and softshrink 0 at ±lambd
    (the defaults' 0.5 among the points). First derivatives: no second at a kink."""
    params, points = KINKS[name]
    params = {} if default else params
    torch_fn, _ = torch_function(name, lambda t: getattr(F, name)(t, **params), dtype)
    check(lambda t: getattr(autograd, name)(t, **params), torch_fn, [points], dtype, second=False)


@pytest.mark.parametrize("name", KINKS)
def test_activation_kinks_on_values(name):
    params, points = KINKS[name]
    torch_fn, _ = torch_function(name, lambda t: getattr(F, name)(t, **params), float)
    for x in points:
        check_scalar(lambda v: getattr(v, name)(**params), torch_fn, [x], second=False)


@dtypes
@pytest.mark.parametrize("threshold, value", [(0.5, -2.0), (-1.0, 3.0), (0.0, 0.0)])
def test_threshold_at_its_jump(threshold, value, dtype):
    """threshold's derivative at x = threshold is the flat piece's, 0 (PyTorch's, which has no defaults)."""
    points = [threshold, threshold - 1e-3, threshold + 1e-3, 2.0, -2.0]
    torch_fn, _ = torch_function("threshold", lambda t: F.threshold(t, threshold, value), dtype)
    check(lambda t: autograd.threshold(t, threshold, value), torch_fn, [points], dtype, second=False)
    for x in points:
        check_scalar(lambda v: v.threshold(threshold, value), torch_fn, [x], second=False)


HUGE = [[1e4, -1e4, 1e4, 0.0, -1e4, 700.0], [-1e4, 1e4, 1e4, -1e4, -1e4, -700.0]]


@dtypes
def test_logaddexp_of_huge_inputs_is_finite(dtype):
    """log(exp(a) + exp(b)) where exp overflows: the larger input, derivatives 1 and 0 (or 1/2 each
    at a tie). torch's second derivative is NaN there (its exp overflows), ours the exact 0:
    tests/test_elementwise_breadth.py checks it."""
    check(autograd.logaddexp, torch.logaddexp, HUGE, dtype, second=False)


@pytest.mark.parametrize("a, b", [(1e4, -1e4), (-1e4, -1e4), (1e308, 1e308), (710.0, 0.0)], ids=str)
def test_logaddexp_of_huge_inputs_on_values(a, b):
    check_scalar(autograd.logaddexp, torch.logaddexp, [a, b], second=False)


@dtypes
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_of_huge_inputs_is_finite(approximate, dtype):
    check(
        lambda t: t.gelu(approximate=approximate),
        lambda t: F.gelu(t, approximate=approximate),
        [[1e4, -1e4, 30.0, -30.0, 0.0]],
        dtype,
    )


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize("x", [1e4, -1e4, -30.0, 0.0])
def test_gelu_of_huge_inputs_on_values(approximate, x):
    check_scalar(lambda v: v.gelu(approximate), lambda t: F.gelu(t, approximate=approximate), [x])


@dtypes
def test_hypot_at_the_origin_has_no_gradient(dtype):
    """hypot(0, 0): torch's gradient is NaN in both inputs (0/0), and so is ours on Tensors."""
    check(autograd.hypot, torch.hypot, [[0.0, 3.0, 0.0], [0.0, 4.0, -2.0]], dtype, second=False)


@dtypes
def test_atan2_at_the_origin_has_gradient_0(dtype):
    """atan2(0, 0): torch's gradient is 0 in both inputs (not 0/0); on the axes the formula holds."""
    check(autograd.atan2, torch.atan2, [[0.0, 0.0, 1.0, 0.0], [0.0, -1.0, 0.0, 2.0]], dtype, second=False)


@pytest.mark.parametrize("a, b", [(0.0, 0.0), (0.0, -1.0), (-0.0, -1.0), (1.0, 0.0)], ids=str)
def test_atan2_at_the_origin_and_the_axes_on_values(a, b):
    check_scalar(autograd.atan2, torch.atan2, [a, b], second=(a, b) != (0.0, 0.0))


DIVISIONS = [[5.5, -5.5, 5.5, -5.5, 4.0, -4.0, 0.0, 1.0], [2.0, 2.0, -2.0, -2.0, 2.0, 2.0, -1.5, 0.0]]


@dtypes
@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_fmod_and_remainder_signs_multiples_and_zero_divisors(name, dtype):
    """Every sign pair, exact multiples (the jumps: d/db is -trunc(a/b) or -floor(a/b) there too),
    and a zero divisor (NaN, as torch)."""
    check(getattr(autograd, name), getattr(torch, name), DIVISIONS, dtype)


@pytest.mark.parametrize("name", ["fmod", "remainder"])
@pytest.mark.parametrize("a, b", list(zip(*DIVISIONS))[:7], ids=str)
def test_fmod_and_remainder_on_values(name, a, b):
    check_scalar(getattr(autograd, name), getattr(torch, name), [a, b])


TAIL = [-12.2, -25.0, -40.0, -80.0, 3.0]  # far left, where elu's out + alpha would cancel to 0
TAIL_RTOL = {"float64": 1e-13, "float32": 1e-6}  # relative, no atol: gradients of 1e-35 are compared too


@dtypes
@pytest.mark.parametrize("name, params", [("elu", {}), ("celu", {"alpha": 2.0}), ("selu", {})])
def test_elu_celu_selu_gradients_keep_their_digits_far_left(name, params, dtype):
    x = np.array(TAIL, dtype=dtype)
    ours = autograd.Tensor(x, requires_grad=True)
    getattr(autograd, name)(ours, **params).sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    getattr(F, name)(theirs, **params).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=TAIL_RTOL[np.dtype(dtype).name], atol=0)


def test_selu_has_a_gradient_where_exp_of_the_input_would_overflow():
    v = autograd.Value(1000.0)
    v.selu().backward()  # the left piece's exp(x) is not taken there: it used to raise OverflowError
    assert v.grad == autograd.op_table_activations.SELU_SCALE
