"""User-defined ops go through the same mechanism as the built-ins."""

import math
import re

import numpy as np
import pytest

from autograd import Op, Tensor, Value, grad, gradcheck, pullback, sigmoid

softplus = Op("softplus", lambda x: math.log1p(math.exp(x)), lambda g, out, x: (g * sigmoid(x),))
fma = Op("fma", lambda a, b, c: a * b + c, lambda g, out, a, b, c: (g * b, g * a, g))


def test_custom_op_on_values_records_a_node_and_differentiates():
    x = Value(0.3)
    y = softplus(x)
    assert y.op is softplus and y.parents == (x,)
    y.backward()
    assert x.grad == pytest.approx(1 / (1 + math.exp(-0.3)))
    assert gradcheck(lambda x: softplus(x * x), [0.7])


def test_custom_op_on_plain_numbers_just_computes():
    assert softplus(0.0) == pytest.approx(math.log(2.0))


def test_custom_op_has_second_derivatives_through_its_rule():
    assert grad(grad(softplus))(0.0) == pytest.approx(0.25)
    assert gradcheck(grad(softplus), [0.4])


def test_custom_op_with_three_inputs_and_numbers_mixed_in():
    a, b = Value(2.0), Value(3.0)
    y = fma(a, b, 1.0)
    assert y.data == 7.0 and len(y.parents) == 3
    y.backward()
    assert (a.grad, b.grad) == (3.0, 2.0)
    assert gradcheck(lambda a, b, c: fma(a, b, c) * a, [0.5, -1.5, 2.0])


def test_rule_with_the_wrong_number_of_gradients_names_the_op():
    bad = Op("bad", lambda a, b: a + b, lambda g, out, a, b: (g,))
    y = bad(Value(1.0), Value(2.0))
    with pytest.raises(TypeError, match=r"rule of op 'bad' returned 1 gradients for 2 input"):
        y.backward()
    bad3 = Op("bad3", lambda a, b, c: a, lambda g, out, a, b, c: (g, g))
    with pytest.raises(TypeError, match=r"rule of op 'bad3' returned 2 gradients for 3 input"):
        bad3(Value(1.0), 2.0, 3.0).backward()


def test_a_rule_returning_one_gradient_bare_is_refused_not_read_row_by_row():
    # (2 * g) for (2 * g,): the rows of a (3, 4) gradient would have gone to the inputs, the first to W
    double = Op("double", lambda x: 2 * x, lambda g, out, x: 2 * g)
    W = Tensor(np.ones((3, 4)), requires_grad=True)
    y = (double(W) * np.arange(12.0).reshape(3, 4)).sum()
    with pytest.raises(TypeError, match=r"rule of op 'double' returned ndarray .*, not a tuple, for 1 input"):
        y.backward()
    assert W.grad is None
    with pytest.raises(TypeError, match=r"rule of op 'double' returned float 2.0, not a tuple"):
        double(Value(1.0)).backward()
    with pytest.raises(TypeError, match=r"not a tuple"):
        pullback(double(Value(1.0)), 1.0)


@pytest.mark.parametrize("wrong", [np.array([2.0, 0.0]), 2 + 0.5j, Tensor(2.0), True], ids=repr)
def test_a_values_gradient_from_a_rule_must_be_a_real_number(wrong):
    op = Op("odd_rule", lambda x: 2 * x, lambda g, out, x: (wrong,))
    v = Value(3.0)
    with pytest.raises(TypeError, match=r"rule of op 'odd_rule' gave .* as the gradient of input 0, a Value"):
        (op(v) * 1.0).backward()
    assert not v.grad_computed


def test_a_values_rule_may_give_a_0d_array_as_np_where_does():
    relu = Op("my_relu", lambda x: np.maximum(x, 0), lambda g, out, x: (np.where(x > 0, g, 0.0),))
    x = Value(2.0)
    (relu(x) * 3).backward()
    assert x.grad == 3.0 and type(x.grad) is float


def test_a_tensor_op_refuses_complex_gradients_and_data_rather_than_dropping_a_part():
    complex_rule = Op("complex_rule", lambda x: 2 * x, lambda g, out, x: (g * (2 + 0.5j),))
    t = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match=r"rule of op 'complex_rule' gave a gradient of dtype complex128"):
        complex_rule(t).sum().backward()
    for forward in (lambda x: x * (1 + 1j), lambda x: None, lambda x: "ab"):
        with pytest.raises(TypeError, match=r"op 'odd': its forward returned .* a Tensor holds real numbers"):
            Op("odd", forward, lambda g, out, x: (g,))(t)


@pytest.mark.parametrize(
    "wrong, shown", [("ab", "<U2 for input 0 (str 'ab')"), ({"g": 1.0}, "object for input 0 (dict {'g': 1.0})")]
)
def test_a_tensor_ops_gradient_that_is_no_number_is_named_as_such_not_as_of_shape_0d(wrong, shown):
    """Text or a dict has numpy's shape (), so the error said "a gradient of shape () for input 0
    of shape (2,)", as if the rule had summed its gradient."""
    odd = Op("odd", lambda x: 2 * x, lambda g, out, x: (wrong,))
    t = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match=rf"rule of op 'odd' gave a gradient of dtype {re.escape(shown)}"):
        odd(t).sum().backward()
    assert t.grad is None


def test_forward_that_returns_no_number_is_named():
    odd = Op("odd", lambda x: "text", lambda g, out, x: (g,))
    with pytest.raises(TypeError, match=r"op 'odd': its forward returned str 'text'"):
        odd(Value(1.0))


def test_op_needs_callables():
    with pytest.raises(TypeError, match="callable"):
        Op("broken", 3, lambda g, out, x: (g,))


def test_domain_errors_of_custom_ops_name_them():
    inv = Op("inv", lambda x: 1 / x, lambda g, out, x: (-g * out * out,), "inv needs a non-zero input")
    with pytest.raises(ZeroDivisionError, match=r"inv\(0.0\) is undefined: inv needs a non-zero input"):
        inv(Value(0.0))
