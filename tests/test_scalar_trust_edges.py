"""Edge numbers an audit of the scalar engine and the op table found wrong, each now right: flat
pieces under an infinite gradient on Values, power's derivatives where a**(b-1) overflows, the
quotient of % and fmod, atan2 at the origin, erf's dtype; branching on a traced number; the order
backward takes nodes in."""

import math

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, gradients


@pytest.mark.parametrize(
    "make",
    [
        lambda x: (x.relu() + 1e-310).log(),  # the written-out relu of the scalar pass
        lambda x: 1 / (x.relu() + 1e-160),
        lambda x: 1 / (x.hardtanh(0.0, 1.0) + 1e-160),
        lambda x: 1 / (autograd.maximum(x, 0.0) + 1e-160),
    ],
)
def test_a_flat_piece_keeps_an_infinite_gradient_out_on_values(make):
    x = Value(-1.0)
    assert gradients(make(x), [x]) == [0.0]
    y = Value(-1.0)
    make(y).backward()
    assert y.grad == 0.0


def test_a_flat_piece_keeps_a_nan_gradient_out_on_values():
    a, k = Value(-2.0), Value(2.3)
    assert gradients(a ** k.floor(), [a, k]) == [-4.0, 0.0]


def test_powers_derivative_beyond_the_largest_float_is_infinite():
    x = Value(1e-160)
    (x**-1).backward()
    assert x.grad == -math.inf
    with pytest.raises(OverflowError, match="overflows"):  # a forward beyond it is refused, named
        Value(-1e-160) ** -2


@pytest.mark.parametrize("base", [5e-324, 1e-310, math.nan])
def test_x_to_the_0_has_derivative_0_at_any_base_with_the_exponent_differentiated(base):
    a, b = Value(base), Value(0.0)
    ga, _ = gradients(a**b, [a, b])
    assert ga == 0.0
    t, u = Tensor(np.array([base, 2.0]), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    (t**u).sum().backward()
    assert t.grad.tolist() == [0.0, 0.0]


@pytest.mark.parametrize(("a", "b", "taken"), [(1.0, 0.1, 9.0), (7.0, 0.1, 69.0), (5.4, -0.9, -7.0), (-3.5, 2.0, -2.0)])
def test_the_remainders_d_db_is_minus_the_quotient_its_forward_took(a, b, taken):
    x, y = Value(a), Value(b)
    r = x % y
    assert r.data == pytest.approx(a - taken * b, abs=1e-12)
    assert gradients(r, [x, y]) == [1.0, -taken]
    t, u = Tensor(np.array([a])), Tensor(np.array([b]), requires_grad=True)
    (t % u).sum().backward()
    assert u.grad.tolist() == [-taken]


def test_the_remainders_quotient_is_pytorchs():
    torch = pytest.importorskip("torch", reason="PyTorch's remainder is the reference")
    rng = np.random.default_rng(0)
    a = np.round(rng.uniform(-10, 10, 500), 1)
    b = np.round(rng.uniform(0.1, 2, 500), 1) * rng.choice([-1, 1], 500)
    u = Tensor(b, requires_grad=True)
    (Tensor(a) % u).sum().backward()
    tb = torch.tensor(b, requires_grad=True)
    torch.remainder(torch.tensor(a), tb).sum().backward()
    np.testing.assert_array_equal(u.grad, tb.grad.numpy())


def test_atan2s_second_derivatives_at_the_origin_are_those_of_its_constant_0():
    h = autograd.hessian(lambda v: autograd.atan2(v[0], v[1]))(Tensor(np.zeros(2)))
    np.testing.assert_array_equal(autograd.raw(h), np.zeros((2, 2)))
    h = autograd.raw(autograd.hessian(lambda v: autograd.atan2(v[0], v[1]))(Tensor(np.array([0.3, -0.2]))))
    np.testing.assert_allclose(h, h.T, rtol=1e-12)


@pytest.mark.parametrize("name", ["erf", "erfc"])
def test_erf_keeps_float16(name):
    x = Tensor(np.array([0.5], np.float16), dtype=np.float16)
    assert getattr(x, name)().dtype == np.float16


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x * 2 if x != 1.0 else x * 3,
        lambda x: x * 2 if x == 1.0 else x * 3,
        lambda x: x * 2 if x in (0.0, 1.0) else x * 3,
    ],
)
def test_comparing_a_traced_number_with_eq_is_refused(f):
    with pytest.raises(TypeError, match="another branch"):
        autograd.value_and_grad(f)(1.0)


def test_truth_and_order_of_a_traced_number_branch_as_on_the_float():
    f = lambda x: x * 2 if not x else x * 3  # noqa: E731
    assert autograd.value_and_grad(f)(0.0) == (0.0, 2.0)
    assert autograd.value_and_grad(f)(1.0) == (3.0, 3.0)
    assert autograd.value_and_grad(lambda x: x * 2 if x > 0.5 else x * 3)(1.0) == (2.0, 2.0)


def test_a_values_truth_is_its_numbers_and_eq_stays_identity():
    assert not Value(0.0) and Value(-2.0) and Value(math.nan)
    v = Value(1.0)
    assert v == v and v != Value(1.0) and not (v == 1.0) and len({v, Value(1.0)}) == 2


def test_backward_order_is_the_order_the_sums_follow():
    x = Value(3.0)
    a, b, c = Value(1e16), Value(-1e16), Value(1.0)
    loss = x * a + x * b + x * c
    order = autograd.backward_order(loss)
    assert order[0] is loss and order[-1] is x and len(order) == len(autograd.topological_order(loss))
    total = 0.0
    for node in order:  # x's shares (the other factor of each product: the sums pass 1 down), as taken
        if node.op is not None and node.op.name == "*":
            total += node.parents[1].data
    loss.backward()
    assert x.grad == total == 0.0  # 1e16 - 1e16 + 1 in topological order would be 1
    s = (Tensor(np.ones(2), requires_grad=True) * 2).sum()
    assert autograd.backward_order(s) == autograd.topological_order(s)


def test_a_value_equals_an_array_of_values_elementwise_from_either_side():
    v, w = Value(1.0), Value(2.0)
    values = np.array([v, w], dtype=object)
    assert (v == values).tolist() == [True, False] and (v != values).tolist() == [False, True]


def test_a_number_argument_gives_a_number_value_when_f_ran_again_on_tensors():
    value, slope = autograd.value_and_grad(lambda x: (x * np.array([1.0, 2.0])).sum())(0.5)
    assert (type(value), value, slope) == (float, 1.5, 3.0)


@pytest.mark.parametrize("beta", [2.0, 0.5, -1.5])
def test_softplus_with_a_beta_is_finite_where_beta_x_overflows(beta):
    x = np.array([-1e308, -3.0, 0.0, 2.5, 1e308])
    exact = np.logaddexp(0, beta * np.clip(x, -300, 300)) / beta  # away from the ends: the formula as it is
    linear = np.maximum(x, 0) if beta > 0 else np.minimum(x, 0)  # at the ends: its linear piece
    expected = np.where(np.abs(x) > 1e300, linear, exact)
    np.testing.assert_allclose(autograd.softplus(Tensor(x), beta=beta).data, expected, rtol=1e-14)
    assert autograd.softplus(Value(1e308), beta=beta).data == (1e308 if beta > 0 else 0.0)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_gelus_tanh_form_has_slope_1_and_0_far_out(dtype):
    big = float(np.finfo(dtype).max) / 2
    x = Tensor(np.array([-big, -300.0, 300.0, big], dtype), dtype=dtype, requires_grad=True)
    with np.errstate(over="ignore"):  # the forward's x³ overflows there, as it does in PyTorch's
        autograd.gelu(x, approximate="tanh").sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize(("a", "b"), [(-1.0, math.inf), (0.1, -math.inf), (1e20, -math.inf), (2.0, math.inf)])
def test_the_remainders_d_db_by_an_infinite_divisor_is_pytorchs(a, b):
    x, y = Value(a), Value(b)
    expected = -float(np.floor_divide(a, b))  # -1 // inf is -1: the quotient as numpy and PyTorch divide
    assert gradients(x % y, [x, y]) == [1.0, expected]
