"""Edge points and the calling conventions of the elementwise ops added for breadth (#14): the
binary functions (ties, jumps, the origin, numbers on either side), the activations with
parameters (positional and keyword, validation, what a node records), erf and gelu at large
inputs, the tests isnan/isinf/isfinite, the operators' named methods, and numpy's var and std
over a list of Values. PyTorch comparisons at the same points: tests/test_torch_reference_edges.py."""

import math

import numpy as np
import pytest

import autograd
import viz
from autograd import Tensor, Value, grad, gradcheck, gradients, scalar_ops, tensor_ops
from autograd.op_table import BY_NAME

# ---- binary functions ----


@pytest.mark.parametrize("name, share", [("maximum", 0.5), ("minimum", 0.5)])
def test_a_tie_splits_the_gradient_in_half(name, share):
    a, b = Value(2.0), Value(2.0)
    getattr(a, name)(b).backward()
    assert (a.grad, b.grad) == (share, share)
    t, u = Tensor([1.0, 3.0, 2.0], requires_grad=True), Tensor([1.0, 2.0, 3.0], requires_grad=True)
    getattr(autograd, name)(t, u).sum().backward()
    winner = [1.0, 1.0, 0.0] if name == "maximum" else [0.0, 0.0, 1.0]
    assert t.grad.tolist() == [0.5, *winner[1:]] and u.grad.tolist() == [0.5, *(1 - np.array(winner[1:]))]


def test_a_tie_of_a_node_with_itself_gives_the_whole_gradient():
    x = Value(1.5)
    x.maximum(x).backward()
    assert x.grad == 1.0


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_nan_wins_as_in_numpy_and_both_inputs_get_nan_gradients(name):
    """Which input NaN beats is unknown, and both gradients depend on it (PyTorch passes g to both)."""
    for a, b in [(math.nan, 1.0), (1.0, math.nan)]:
        assert math.isnan(getattr(autograd, name)(a, b))
        va, vb = Value(a), Value(b)
        out = getattr(autograd, name)(va, vb)
        out.backward()
        assert math.isnan(out.data) and math.isnan(va.grad) and math.isnan(vb.grad)


def test_numbers_on_either_side_and_every_spelling():
    v, t = Value(-1.0), Tensor([-1.0, 2.0], requires_grad=True)
    assert autograd.maximum(v, 0.0).data == 0.0 == autograd.maximum(0.0, v).data == v.maximum(0.0).data
    assert autograd.maximum(0.0, t).data.tolist() == [0.0, 2.0] == t.maximum(0.0).data.tolist()
    assert autograd.maximum(2.0, 3.0) == 3.0 and autograd.maximum(np.array([1.0]), 2.0).tolist() == [2.0]
    assert autograd.arctan2 is not None and autograd.arctan2(v, 2.0).data == autograd.atan2(v, 2.0).data
    assert t.arctan2(1.0).data.tolist() == t.atan2(1.0).data.tolist()
    assert gradcheck(lambda x: autograd.hypot(3.0, x) + autograd.logaddexp(x, 1.0) + autograd.fmod(7.0, x), [2.5])


def test_the_remainder_operator_has_floor_semantics():
    assert (Value(-5.5) % 2.0).data == 0.5 and (5.5 % Value(-2.0)).data == -0.5
    assert autograd.remainder(Value(-5.5), 2.0).data == 0.5 and Value(-5.5).remainder(2.0).data == 0.5
    assert autograd.fmod(Value(-5.5), 2.0).data == -1.5
    assert (Tensor([-5.5, 5.5]) % 2.0).data.tolist() == [0.5, 1.5]


@pytest.mark.parametrize("name", ["fmod", "remainder"])
@pytest.mark.parametrize("a, b", [(5.5, -2.0), (-5.5, -2.0), (-5.5, 2.0), (0.3, -0.7)], ids=str)
def test_negative_divisors_match_finite_differences(name, a, b):
    assert BY_NAME[name].valid(a, b)
    f = getattr(autograd, name)
    assert gradcheck(f, [a, b])
    assert gradcheck(lambda a, b: f(a, b).sum(), [np.array([a, -a]), np.array([b, b])])


@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_a_zero_divisor_raises_on_values_and_gives_nan_on_tensors(name):
    with pytest.raises(ZeroDivisionError, match=f"{name} needs .*nonzero divisor"):
        getattr(autograd, name)(Value(1.0), 0.0)
    with np.errstate(all="ignore"):
        assert np.isnan(getattr(autograd, name)(Tensor([1.0]), 0.0).data).all()


def test_hypot_at_the_origin_raises_on_values_and_gives_nan_on_tensors():
    a, b = Value(0.0), Value(0.0)
    with pytest.raises(ValueError, match=r"hypot\(0.0, 0.0\) has no derivative"):
        autograd.hypot(a, b).backward()
    t = Tensor([0.0, 3.0], requires_grad=True)
    with np.errstate(all="ignore"):
        autograd.hypot(t, Tensor([0.0, 4.0])).sum().backward()
    assert np.isnan(t.grad[0]) and t.grad[1] == pytest.approx(0.6)


def test_atan2_at_the_origin_has_gradient_zero_on_both_engines():
    a, b = Value(0.0), Value(0.0)
    autograd.atan2(a, b).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)
    t = Tensor([0.0], requires_grad=True)
    autograd.atan2(t, 0.0).sum().backward()
    assert t.grad.tolist() == [0.0]


@pytest.mark.parametrize("a, b", [(1e4, -1e4), (-1e4, 1e4), (1e308, 1e308), (-1e308, 5.0)], ids=str)
def test_logaddexp_of_huge_inputs_has_exact_first_and_second_derivatives(a, b):
    first = grad(autograd.logaddexp, argnums=(0, 1))(a, b)
    second = grad(lambda a, b: grad(autograd.logaddexp)(a, b), argnums=(0, 1))(a, b)
    s = 1 / (1 + math.exp(min(b - a, 700.0)))  # σ(a − b), exact for these inputs
    assert first == pytest.approx((s, 1 - s)) and second == pytest.approx((s * (1 - s), -s * (1 - s)))


# ---- erf, gelu ----


def test_erf_matches_math_on_both_engines_and_keeps_float32():
    xs = np.array([-3.0, -0.5, 0.0, 1e-8, 2.0])
    assert autograd.erf(Tensor(xs)).data.tolist() == [math.erf(x) for x in xs]
    assert autograd.erf(Tensor(xs, dtype=np.float32)).dtype == np.float32
    assert Value(0.5).erf().data == math.erf(0.5)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_of_huge_inputs_is_finite_with_finite_derivatives(approximate):
    for x in (1e4, -1e4, 1e100, -1e100):
        f = lambda v: v.gelu(approximate=approximate)  # noqa: E731
        assert f(Value(x)).data == pytest.approx(max(x, 0.0))
        assert grad(f)(x) == (1.0 if x > 0 else 0.0) and grad(grad(f))(x) == 0.0


# ---- activations with parameters ----


def test_parameters_positional_or_keyword_on_methods_and_functions():
    v, t = Value(-2.0), Tensor([-2.0, 0.5, 3.0])
    assert v.leaky_relu(0.2).data == -0.4 == v.leaky_relu(negative_slope=0.2).data == autograd.leaky_relu(v, 0.2).data
    assert v.leaky_relu().data == -0.02 and autograd.leaky_relu(-2.0) == -0.02
    assert autograd.hardtanh(t, -1.0, 2.0).data.tolist() == [-1.0, 0.5, 2.0] == t.hardtanh(max_val=2.0).data.tolist()
    assert autograd.elu(np.array([-1.0]), alpha=2.0).tolist() == [2.0 * math.expm1(-1.0)]
    assert autograd.celu(v, 0.5).data == pytest.approx(0.5 * math.expm1(-4.0))
    assert autograd.gelu(1.0, "tanh") != autograd.gelu(1.0) == pytest.approx(0.8413447460685429)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: autograd.hardtanh(Value(0.0), min_val=2.0, max_val=1.0),
            ValueError,
            "min_val 2.0 is greater than max_val",
        ),
        (lambda: Tensor([0.0]).hardtanh(3.0), ValueError, "min_val 3.0 is greater than max_val 1.0"),
        (lambda: autograd.celu(Tensor([1.0]), alpha=0), ValueError, "celu: alpha 0"),
        (lambda: Value(1.0).gelu(approximate="erf"), ValueError, "approximate must be 'none' or 'tanh'"),
        (lambda: Value(1.0).leaky_relu(slope=0.2), TypeError, "'slope' is not a parameter of leaky_relu"),
        (lambda: Value(1.0).leaky_relu(0.1, negative_slope=0.2), TypeError, "'negative_slope' is given twice"),
        (lambda: Value(1.0).elu(0.1, 0.2), TypeError, r"elu takes 1 parameter after its input \(alpha\), got 2"),
        (lambda: Tensor([0.0]).hardtanh(0, 1, 2), TypeError, r"takes 2 parameters after its input \(min_val, max_"),
        (lambda: Value(1.0).elu("1"), TypeError, "alpha must be a real number, got str"),
        (lambda: Value(1.0).gelu(approximate=1), TypeError, "approximate must be a string"),
        (lambda: autograd.elu(Value(1.0), alpha=True), TypeError, "alpha must be a real number, got bool"),
    ],
)
def test_parameters_are_checked(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_node_records_its_parameters_and_replays_them():
    t = Tensor([-1.0, 0.5], requires_grad=True)
    out = t.leaky_relu(negative_slope=0.3)
    assert out.op is tensor_ops.leaky_relu and out.op_params == {"negative_slope": 0.3}
    assert t.leaky_relu().op_params == {}
    v = Value(-1.0)
    assert v.leaky_relu().op is scalar_ops.leaky_relu  # the defaults: the table's op itself
    bound = v.leaky_relu(0.3)
    assert bound.op.name == "leaky_relu" and bound.op.formulas == scalar_ops.leaky_relu.formulas
    assert bound.op.run([-2.0]) == pytest.approx(-0.6)  # viz's check replays a node's op
    assert "✗" not in viz.draw((bound * v).hardtanh(-0.2, 2.0), check=True).source


@pytest.mark.parametrize(
    "name, params, x",
    [
        ("leaky_relu", {"negative_slope": 0.2}, [-0.5, 0.7]),
        ("elu", {"alpha": 0.5}, [-0.5, 0.7]),
        ("celu", {"alpha": 2.0}, [-1.5, 0.7]),
        ("hardtanh", {"min_val": -2.0, "max_val": 0.5}, [-2.5, -1.0, 0.25, 1.0]),
        ("gelu", {"approximate": "tanh"}, [-1.5, 0.7]),
    ],
)
def test_second_derivatives_with_parameters_on_both_engines(name, params, x):
    f = lambda v: getattr(v, name)(**params)  # noqa: E731
    for point in x:
        assert gradcheck(grad(lambda v: f(v) * v), [point])
    first = grad(lambda t: (f(t) * t).sum())
    assert gradcheck(lambda t: (first(t) * np.arange(1.0, len(x) + 1)).sum(), [np.array(x)])


@pytest.mark.parametrize(
    "name, x, slope",
    [
        ("leaky_relu", 0.0, 0.01),
        ("elu", 0.0, 1.0),
        ("celu", 0.0, 1.0),
        ("hardtanh", -1.0, 0.0),
        ("hardtanh", 1.0, 0.0),
        ("hardsigmoid", -3.0, 0.0),
        ("hardsigmoid", 3.0, 0.0),
    ],
)
def test_derivative_at_the_kinks_is_pytorchs(name, x, slope):
    assert grad(getattr(Value, name))(x) == slope
    t = Tensor(np.array([x]), requires_grad=True)
    getattr(t, name)().sum().backward()
    assert t.grad.tolist() == [slope]


def test_hardsigmoid_second_derivative_is_zero_off_its_kinks():
    """PyTorch has none to compare with: finite differences of the first derivative."""
    assert gradcheck(grad(lambda v: v.hardsigmoid() * v), [1.0])
    assert grad(grad(Value.hardsigmoid))(1.0) == 0.0


# ---- tests of the data: not differentiable ----


@pytest.mark.parametrize("name, expected", [("isnan", [False, True, False]), ("isinf", [False, False, True])])
def test_isnan_isinf_isfinite(name, expected):
    data = [1.0, math.nan, -math.inf]
    assert [getattr(Value(x), name)() for x in data] == expected == [getattr(autograd, name)(x) for x in data]
    assert all(type(getattr(Value(x), name)()) is bool for x in data)
    t = Tensor(data, requires_grad=True)
    out = getattr(t, name)()
    assert out.data.tolist() == expected and out.dtype == bool and not out.requires_grad and out.op is None
    assert getattr(autograd, name)(np.array(data)).tolist() == expected
    assert autograd.isfinite(t).data.tolist() == [True, False, False]


def test_values_compare_by_identity_and_tensors_elementwise():
    """A Value's == is micrograd's, identity; a Tensor's is numpy's and PyTorch's, elementwise (it was
    identity too, and `(pred == labels).mean()` gave 0 without a word). Both hash by identity."""
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b and len({a, b}) == 2
    t, u = Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 0.0, 3.0])
    assert (t == u).data.tolist() == [True, False, True] and (t != u).data.tolist() == [False, True, False]
    assert (t == 2.0).data.tolist() == [False, True, False] and (t == [1, 0, 0]).data.tolist() == [True, False, False]
    assert (t == u).dtype == bool and not (t == u).requires_grad
    assert (t == None) is False and (t != "a") is True  # noqa: E711 (what Python gives beside no number)
    assert len({t, u, t}) == 2 and {t: 1}[t] == 1


# ---- the operators' named methods ----


@pytest.mark.parametrize(
    "name, symbol", [("add", "+"), ("sub", "-"), ("mul", "*"), ("div", "/"), ("power", "**"), ("remainder", "%")]
)
def test_named_methods_are_the_operators(name, symbol):
    for a, b in [(Value(1.5), Value(-0.5)), (Tensor([1.5, 2.0], requires_grad=True), Tensor([-0.5, 0.75]))]:
        by_name, by_operator = getattr(a, name)(b), eval(f"a {symbol} b")
        assert by_name.op is by_operator.op and np.all(by_name.data == by_operator.data)
        assert getattr(autograd, name)(a, b).op is by_operator.op
    assert Value(2.0).power(2).op is scalar_ops.power_const  # a number exponent stays a constant


def test_neg_and_abs_as_methods():
    v = Value(-1.5)
    assert v.neg().data == 1.5 == v.abs().data == (-v).data == abs(v).data
    t = Tensor([-1.5])
    assert t.neg().data.tolist() == [1.5] == t.abs().data.tolist()


# ---- numpy over a list of Values ----


@pytest.mark.parametrize("ddof", [0, 1])
def test_numpy_var_and_std_of_values_are_differentiable(ddof):
    xs = [0.5, -1.25, 2.0, 3.5]
    values = [Value(x) for x in xs]
    var, std = np.var(values, ddof=ddof), np.std(values, ddof=ddof)
    assert isinstance(var, Value) and var.data == pytest.approx(np.var(xs, ddof=ddof))
    assert std.data == pytest.approx(np.std(xs, ddof=ddof))
    assert gradcheck(lambda *vs: np.var(list(vs), ddof=ddof), xs)
    assert gradcheck(lambda *vs: np.std(list(vs), ddof=ddof), xs)
    grads = gradients(std, values)
    expected = (np.array(xs) - np.mean(xs)) / ((len(xs) - ddof) * np.std(xs, ddof=ddof))
    assert np.allclose(grads, expected, rtol=1e-12, atol=0)


def test_a_value_is_its_own_conjugate_and_real_part():
    v = Value(2.0)
    assert v.conjugate() is v and v.real is v


def test_a_function_given_another_number_of_inputs_says_so():
    """numpy would take a second array as `out=` and write exp(x) into it."""
    y = np.array([2.0])
    with pytest.raises(TypeError, match="exp takes 1 input, got 2"):
        autograd.exp(np.array([1.0]), y)
    assert y.tolist() == [2.0]
    with pytest.raises(TypeError, match="maximum takes 2 inputs, got 1"):
        autograd.maximum(Tensor([1.0]))


def test_a_one_input_method_given_a_second_operand_says_so():
    t, into = Tensor([1.0]), np.zeros(1, np.float32)
    with pytest.raises(TypeError, match=r"Tensor.exp\(\) takes 1 positional argument but 2 were given"):
        t.exp(into)
    assert into.tolist() == [0.0]
    with pytest.raises(TypeError):
        Value(1.0).exp(2.0)
