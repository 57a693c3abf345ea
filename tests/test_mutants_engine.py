"""Tests that kill mutants the engine suite let live (docs/mutation-testing.md): the graph core,
Value, grad, the number-or-array functions and gradcheck. Each pins behaviour a user can see."""

import math

import numpy as np
import pytest

from autograd import (
    AnomalyError,
    Op,
    Tensor,
    Value,
    detect_anomaly,
    functions,
    grad,
    gradients,
    is_grad_enabled,
    no_grad,
    op_table,
    scalar_ops,
    tensor_ops,
    topological_order,
)
from autograd import tensor_class as tensor_mod
from autograd import value as value_mod
from autograd.graph_rules import pullback
from autograd.operators import Operators


def _scaled(k):
    """The identity, with a derivative rule off by the factor k."""
    return Op("scaled", lambda x: x * 1.0, lambda g, o, x: (g * k,))


def test_custom_op_with_keyword_arguments_on_values():
    root = Op("root", lambda x, *, k: math.pow(x, 1 / k), lambda g, o, x, *, k: (g * o / (k * x),), "root needs x >= 0")
    x = Value(4.0)
    y = root(x, k=2.0)
    assert (y.data, y.op.name, root(9.0, k=2.0)) == (2.0, "root", 3.0)
    assert Op("o", abs, lambda g, o, x, needs: (g,), takes_needs=True).bind({"k": 1}).takes_needs is True
    y.backward()
    assert x.grad == 0.25
    assert grad(grad(lambda x: root(x, k=2.0)))(4.0) == pytest.approx(-1 / 32)
    with pytest.raises(ValueError, match=r"^root\(-1.0\) is undefined: root needs x >= 0$"):
        root(Value(-1.0), k=2.0)


def test_custom_op_domain_errors_name_every_argument():
    ratio = Op("ratio", lambda a, b: a / b, lambda g, o, a, b: (g / b, -g * o / b), "b must not be 0")
    for a in (1.0, Value(1.0)):
        with pytest.raises(ZeroDivisionError, match=r"^ratio\(1.0, 0.0\) is undefined: b must not be 0$"):
            ratio(a, 0.0)
    with pytest.raises(ZeroDivisionError, match=r"^~\(0.0\) is undefined: float division by zero$"):
        Op("~", lambda a: 1 / a, lambda g, o, a: (-g * o * o,))(0.0)


def test_custom_value_ops_give_float_results_and_name_bad_ones():
    two = Op("two", lambda a, b: 2, lambda g, o, a, b: (0.0, 0.0))
    y = two(Value(1.0), Value(3.0))
    assert (y.data, type(y.data), y.label) == (2.0, float, "")
    assert type(Op("f", lambda a: np.float64(a), lambda g, o, a: (g,))(Value(1.0)).data) is float
    with pytest.raises(TypeError, match=r"^op 'bad': its forward returned str 'x', not a number$"):
        Op("bad", lambda a, b: "x", lambda g, o, a, b: (g, g))(Value(1.0), 2.0)
    with pytest.raises(TypeError, match=r"^two: cannot combine a Value with str 's'"):
        two(Value(1.0), "s")


def test_three_input_rules_get_nodes_under_create_graph():
    fma = Op("fma", lambda a, b, c: a * b + c, lambda g, o, a, b, c: (g * b, g * a, g))
    assert grad(lambda b: grad(lambda a: fma(a, b, 1.0) * b)(2.0))(3.0) == 6.0  # d/db of b * b


def test_a_rule_s_own_error_passes_unchanged():
    odd = Op("odd", lambda x: x, lambda g, o, x: (g + "x",))  # the rule itself fails
    with pytest.raises(TypeError, match="unsupported operand"):
        odd(Value(1.0)).backward()


def test_relu_of_minus_zero_is_plus_zero_on_values_and_tensors():
    assert math.copysign(1.0, Value(-0.0).relu().data) == 1.0
    assert math.copysign(1.0, Tensor(-0.0).relu().item()) == 1.0


def test_a_rule_may_differentiate_inside_backward():
    inner = Value(1.0)
    for _ in range(60):  # every node uses its parent twice: 2**60 paths through 61 nodes
        inner = inner * inner
    w = Value(3.0)
    z = w * w

    def vjp(g, o, x):
        n = len(topological_order(inner))
        z.backward()
        return (g * n,)

    x = Value(2.0)
    (Op("spy", lambda x: x, vjp)(x) * 2.0).backward()
    assert (x.grad, w.grad) == (122.0, 6.0)


def test_seeds_and_grad_modes():
    x = Value(3.0)
    y = x * x
    assert gradients(y, [x], seed=2.0) == [12.0]
    y.backward(2.0)
    assert x.grad == 12.0
    seen = []
    spy = Op("spy", lambda v: v, lambda g, o, v: (seen.append(is_grad_enabled()) or g,))
    cube = y * x
    out = spy(cube)
    with no_grad():
        assert is_grad_enabled() is False
        out.backward()  # a plain pass leaves the mode as it is
        (g,) = gradients(cube, [x], create_graph=True)  # create_graph records even inside no_grad
    assert seen == [False] and g.data == 27.0 and gradients(g, [x]) == [18.0]


def test_a_constant_exponent_gets_no_gradient():
    x = Value(-2.0)
    with detect_anomaly():  # log(-2) would be NaN: the rule must not form it for the constant
        (x**2).backward()
    assert x.grad == -4.0
    with detect_anomaly(), pytest.raises(AnomalyError):
        (x ** Value(2.0)).backward()


def test_value_repr_comparisons_and_bad_input():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2.0, "w")) == "Value(data=2.0, grad=0.0, label='w')"
    one = Value(1.0)
    assert not one < 1.0 and not one > 1.0 and one <= 1 and one >= 1
    with pytest.raises(OverflowError) as e:
        Value(int("1234567890" * 41))
    assert str(e.value) == (
        "Value: int 12345678901234567890...34567890 (410 characters) is too large for a float (at most 1.8e308)"
    )
    with pytest.raises(TypeError) as e:
        Value("1.5")
    assert str(e.value) == "Value needs a real number, got str '1.5'"
    with pytest.raises(TypeError, match=r"got Value .*\(a Value is already a node: use it as it is\)$"):
        Value(Value(1.0))


def test_the_method_factories_build_working_methods():
    # Value and Tensor make their operator methods with these at import time, so test them at test time too
    mul, rsub = value_mod._method(scalar_ops.mul), value_mod._reflected(scalar_ops.sub)
    x = Value(2.0)
    y = rsub(x, 5)
    assert (mul(x, 3).data, y.data, mul.__name__, mul.__doc__) == (6.0, 3.0, "*", "Apply *, recording it in the graph.")
    y.backward()
    assert x.grad == -1.0
    with pytest.raises(TypeError, match=r"^-: cannot combine a Value with str"):
        rsub(x, "s")
    with pytest.raises(TypeError, match=r"^\*: cannot combine a Value with str"):
        mul(x, "s")
    t = Tensor([1.0, 2.0])
    sub, neg = tensor_mod._method(tensor_ops.sub), tensor_mod._method(tensor_ops.neg)
    trsub = tensor_mod._reflected(tensor_ops.sub)
    assert sub(t, 1.0).data.tolist() == [0.0, 1.0] and neg(t).data.tolist() == [-1.0, -2.0]
    assert trsub(t, 5.0).data.tolist() == [4.0, 3.0] and sub.__name__ == "-" and "Apply -" in sub.__doc__


def test_operators_mixin_gives_every_op_of_the_table_its_methods():
    names = {d.name: d.name for d in op_table.ELEMENTWISE}

    class Probe(
        Operators,
        ops=names,
        method=lambda op: ("method", op),
        reflected=lambda op: ("reflected", op),
        compare=lambda test: ("compare", test.__name__),
    ):
        __slots__ = ()

    assert (Probe.__add__, Probe.__radd__, Probe.__rtruediv__) == (
        ("method", "add"),
        ("reflected", "add"),
        ("reflected", "div"),
    )
    assert Probe.exp == ("method", "exp") and Probe.__neg__ == Probe.neg == ("method", "neg")
    assert Probe.__abs__ == Probe.abs == ("method", "abs")
    assert Probe.mul.__name__ == "mul" and Probe.power.__name__ == "power"  # operators by name too (a.mul(b) is a * b)
    assert (Probe.__lt__, Probe.__ge__) == (("compare", "lt"), ("compare", "ge"))


def test_generic_helpers_of_rules_pick_the_engine_by_the_argument():
    cos = op_table.function.__wrapped__("cos")  # made at test time too: the module's are made at import
    assert cos.__name__ == "cos" and cos(0.0) == 1.0 and np.allclose(cos(np.array([0.0, np.pi])), [1.0, -1.0])
    x = Value(1.0)
    assert pullback(x.exp() * 1.0, 2.0) == [2.0, 2.0 * math.e] and pullback(x, 1.0) == []
    assert pullback(x.exp(), 2.0) == [2.0 * math.e]


def test_rule_helpers_keep_shapes_and_types():
    assert op_table.where(np.array([1.0, 2.0]), 0.0, cond=False).tolist() == [0.0, 0.0]  # broadcast, not y
    assert op_table.where(0.0, np.array([1.0, 2.0]), cond=True).tolist() == [0.0, 0.0]
    x = Value(-2.0)
    abs(x).backward()
    assert repr(x) == "Value(data=-2.0, grad=-1.0)" and repr(gradients(abs(x), [x])) == "[-1.0]"  # not np.float64
    domain = op_table.Domain(lo=0.1, hi=1.0, avoid=(0.5,), margin=0.2)
    assert domain(0.1) and domain(1.0) and domain(0.3) and not domain(0.4) and not domain(1.1)


def test_functions_pick_the_scalar_or_the_tensor_op():
    exported = functions.FUNCTIONS["log"]
    assert exported.__name__ == exported.__qualname__ == "log" and exported is op_table.function("log", arity=1)
    for log in (exported, op_table.function.__wrapped__("log")):  # also made at test time
        assert log.__doc__ == "log of a number, Value, array or Tensor (differentiable on Values and Tensors)."
        assert np.allclose(log(np.array([1.0, np.e])), [0.0, 1.0]) and log(np.e) == 1.0
        t = Tensor([1.0, 2.0], requires_grad=True)
        log(t).sum().backward()
        assert np.allclose(t.grad, [1.0, 0.5])
        with pytest.raises(ValueError, match="log needs a positive input"):
            log(-1.0)
