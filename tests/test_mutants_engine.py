"""Tests that kill mutants the engine suite let live (docs/mutation-testing.md): the graph core,
Value, grad, the number-or-array functions and gradcheck. Each pins behaviour a user can see."""

import functools
import math

import numpy as np
import pytest

from autograd import (
    AnomalyError,
    GradcheckError,
    Op,
    Tensor,
    Value,
    detect_anomaly,
    functions,
    grad,
    gradcheck,
    gradcheck_params,
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
from autograd.graph import pullback
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
        "int 12345678901234567890...34567890 (410 characters) is too large for a float (at most 1.8e308)"
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


def test_grad_argnums_name_and_result_checks():
    def mul(x, y):
        return x * y

    g = grad(mul, argnums=(0, 1))
    assert g(2.0, 5.0) == (5.0, 2.0) and g.__name__ == "grad_mul"
    assert g.__doc__ == "The gradient of mul with respect to argument(s) (0, 1)."
    assert grad(lambda x: x * x, argnums=-1)(3.0) == 6.0
    with pytest.raises(IndexError, match="argnums=2 but the function was called with 2 positional arguments"):
        grad(mul, argnums=2)(2.0, 5.0)
    p = grad(functools.partial(mul, 3.0))
    assert p.__name__ == "grad_f" and p.__doc__ == "The gradient of f with respect to argument(s) 0."
    with pytest.raises(
        TypeError, match=r"grad: the function must return real numbers \(a number, Value or Tensor\), got str$"
    ):
        grad(lambda x: "abc")(1.0)


def test_gradcheck_table_shows_every_row_exactly():
    flat = Op("flat", lambda x: x * 0.0, lambda g, o, x: (g * 0.25,))  # numeric 0, analytic 0.25
    with pytest.raises(GradcheckError) as e:
        f = lambda a, b, c, d: _scaled(1.5)(a * 2.0) + b * b + flat(c) + d * 3.0
        gradcheck(f, [Value(2.0, "a"), 0.0, 1.0, 1.0], eps=0.5)  # eps=0.5: exact differences of these
    assert str(e.value).splitlines() == [
        "gradcheck: 2 of 4 gradients disagree with finite differences",
        "input    at value  analytic  numeric  abs error  rel error",
        "a        2         3         2        1          0.5        <- fails",
        "input 2  1         0.25      0        0.25       inf        <- fails",
        "input 1  0         0         0        0          0",
        "input 3  1         3         3        0          0",
        "analytic: from backward; numeric: central difference (f(x+eps) - f(x-eps)) / ((x+eps) - (x-eps)) "
        "with eps=0.5; abs error: |analytic - numeric|; rel error: abs error / |numeric|;",
        "a row fails when abs error > atol + rtol * |numeric| (atol=1e-05, rtol=0.001).",
        "fix: the derivative rule (backward) of one of your ops f uses ('flat', 'scaled') gives a wrong slope there; "
        "check each alone, gradcheck(op, [x]) at its own inputs, to find it",
    ]
    with pytest.raises(GradcheckError) as e:
        gradcheck(lambda t: (t * t).sum() + flat(t[0]), [np.arange(40.0)])
    lines = str(e.value).splitlines()
    assert lines[0].startswith("gradcheck: 1 of 40 gradients") and lines[-4] == "... 10 more rows, all passing"
    # a row passes when its error equals the tolerance
    assert gradcheck(_scaled(1.5), [0.0], eps=0.5, atol=0.5, rtol=0.0)


def test_gradcheck_checks_results_of_several_numbers_by_random_weights():
    assert gradcheck(lambda t: t * 2.0, [np.ones(3)])
    wrong = Op("wrong", lambda t: t * 2.0, lambda g, out, t: (g[::-1] * 2.0,))  # right only for a uniform g
    assert gradcheck(lambda t: wrong(t).sum(), [np.ones(3)])
    with pytest.raises(GradcheckError, match="2 of 3 gradients disagree"):  # the middle one stays
        gradcheck(wrong, [np.ones(3)])


def test_gradcheck_hands_f_labelled_leaves_and_refuses_captured_nodes():
    seen = []
    assert gradcheck(lambda x, y: seen.append((x.label, y.label)) or x * y, [Value(1.0, "x"), 2.0])
    assert seen[0] == ("x", "input 1") and len(seen) == 1 + 3 * 2  # once, then 3 times per element
    assert gradcheck(lambda t: seen.append(t.label) or (t * t).sum(), [np.ones(2)]) and seen[7] == "input 0"
    w = Value(3.0)
    seen.clear()
    message = (
        r"^gradcheck: f's result depends on nodes it captured, not on the inputs it was given \(f gets fresh "
        r"float64 copies of `inputs`\): make f compute from its arguments; to check the parameters a loss uses, "
        r"call gradcheck_params$"
    )
    with pytest.raises(GradcheckError, match=message):
        gradcheck(lambda x: seen.append(x.label) or w * 2.0, [Value(1.0, "x")])
    assert seen == ["x", "x"]


def test_gradcheck_names_the_moved_point_where_f_is_undefined():
    def forward(x):
        if np.any(x < 0):
            raise ValueError("negative input")
        return np.sqrt(x)

    root = Op("root", forward, lambda g, o, x: (g * 0.5 / o,))
    message = r"f is undefined at input 0 = .* at \[1\] \(the point moved by eps=1e-06\): .*farther from the edge"
    with pytest.raises(ValueError, match=message + r" of its domain$"):
        gradcheck(lambda t: root(t).sum(), [np.array([1.0, 1e-7])])


def test_gradcheck_params_on_values_names_them_and_puts_them_back():
    w, b = Value(2.0, "w"), Value(-1.0)
    assert gradcheck_params(lambda: w * w + 3.0 * b, [w, b])
    assert (w.data, b.data) == (2.0, -1.0)
    with pytest.raises(GradcheckError) as e:
        gradcheck_params(lambda: _scaled(1.01)(w) + b, [w, b])  # 1% off: beyond the default tolerances
    lines = str(e.value).splitlines()
    assert lines[0] == "gradcheck: 1 of 2 gradients disagree with finite differences"
    assert [line.split()[0] for line in lines[2:4]] == ["w", "param"] and lines[3].startswith("param 1 ")
    assert "with eps=1e-06;" in lines[4] and lines[5].endswith("(atol=1e-05, rtol=0.001).")
    t = Tensor([1.0, 2.0], requires_grad=True)
    for loss in (lambda: t * 2.0, lambda: 1.0):
        with pytest.raises(TypeError, match=r"^gradcheck_params: loss\(\) must return a scalar Value or Tensor"):
            gradcheck_params(loss, [t])


def test_gradcheck_params_samples_distinct_elements_reproducibly():
    w = Tensor(np.arange(30.0), requires_grad=True)
    off = _scaled(2.0)

    def table(**options):
        with pytest.raises(GradcheckError) as e:
            gradcheck_params(lambda: off(w).sum(), {"w": w}, **options)
        return str(e.value)

    first = table()  # 20 elements, and the row along a direction moving all 30 (one block)
    assert first.startswith("gradcheck: 21 of 21 gradients disagree") and "\nw[0:30]·d " in first
    assert len({line.split()[0] for line in first.splitlines()[1:23]} - {"input", "w[0:30]·d"}) == 20  # 20 distinct
    assert first == table() == table(seed=0) != table(seed=1)
    assert table(max_per_param=None).startswith("gradcheck: 30 of 30 gradients disagree")
