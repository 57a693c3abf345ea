"""The public testing kit: gradcheck and the hypothesis strategies."""

import numpy as np
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

import autograd
from autograd import GradcheckError, Op, Value, gradcheck
from autograd.testing import KINDS, Expression, expressions, values


def test_gradcheck_passes_a_correct_gradient():
    assert gradcheck(lambda x, y: (x * y).tanh() + x.exp() / y, [0.3, 1.2]) is True


def test_gradcheck_reports_a_wrong_gradient_as_a_table():
    wrong = Op("wrong", lambda x: x * x, lambda g, out, x: (g * 3 * x,))  # should be 2x
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: wrong(a) + b, [Value(2.0, label="a"), 1.0])
    message = str(info.value)
    assert isinstance(info.value, AssertionError)
    assert "1 of 2 gradients disagree" in message
    assert "input    at value  analytic  numeric  abs error  rel error" in message
    assert "<- fails" in message.splitlines()[2] and "a " in message.splitlines()[2]
    assert "fails" not in message.splitlines()[3]
    assert "analytic: from backward; numeric: central difference" in message
    assert "atol=1e-05, rtol=0.001" in message


def test_gradcheck_tolerance_is_atol_plus_rtol_times_numeric():
    off = lambda delta: Op("off", lambda x: 100 * x, lambda g, out, x: (g * (100 + delta),))  # noqa: E731
    assert gradcheck(off(0.09), [1.0])  # 0.09 <= 1e-5 + 1e-3 * 100
    with pytest.raises(GradcheckError):
        gradcheck(off(0.11), [1.0])
    assert gradcheck(off(0.11), [1.0], rtol=2e-3)


def test_gradcheck_finite_difference_at_a_kink_is_reported_not_hidden():
    with pytest.raises(
        GradcheckError, match=r"analytic.*\n.*0 +0.5 .*not differentiable here: one-sided slopes 0 and 1"
    ):
        gradcheck(lambda x: x.relu(), [0.0])


def test_gradcheck_explains_a_point_at_the_edge_of_the_domain():
    with pytest.raises(ValueError, match=r"f is undefined at input 0 = -5e-07 .*log\(-5e-07\).*farther from the edge"):
        gradcheck(lambda x: x.log(), [5e-7])


def test_gradcheck_needs_numbers_out():
    assert gradcheck(lambda x: 1.0, [1.0])  # a constant: its derivative, 0, is what the differences give
    with pytest.raises(TypeError, match="f must return a Value, a Tensor or a number, got str 'x'"):
        gradcheck(lambda x: "x", [1.0])
    with pytest.raises(TypeError, match=r"f must return real numbers, at least one, got float64 of shape \(0,\)"):
        gradcheck(lambda x: x[:0], [np.ones(2)])


@given(values(-1.0, 1.0))
def test_values_strategy_gives_leaves_in_range(v):
    assert isinstance(v, Value) and v.op is None and -1.0 <= v.data <= 1.0


# any example will do, not the smallest: shrinking one for each kind took 4 s (22 s without hypothesis's database)
FIRST_FOUND = settings(phases=[Phase.generate])


def test_expressions_reuse_nodes_and_cover_every_op():
    reused = find(
        expressions(),
        lambda e: any(len(set(args)) < len(args) or args[0] >= len(e.inputs) for _, args, _ in e.steps),
        settings=FIRST_FOUND,
    )
    assert reused.steps
    for kind in KINDS:
        e = find(expressions(kinds=[kind]), lambda e: len(e.steps) > 0, settings=FIRST_FOUND)
        assert e.steps[0][0] == kind
        assert isinstance(e(*map(Value, e.inputs)), Value)


@given(st.data())
def test_expressions_of_one_kind_take_a_step(data):
    # acosh takes [1.1, 3], a fifth of the inputs' range: 82% of its expressions had no step, and the test above
    # once found none in its 50 tries; the first step's operands are drawn inside its domain (its operands apart
    # too: an op needing them untied, maximum's, may still find them tied)
    kind = data.draw(st.sampled_from(sorted(k for k, kind in KINDS.items() if kind.joint is None)))
    e = data.draw(expressions(kinds=[kind]))
    assert e.steps and e.steps[0][0] == kind
    assert np.isfinite(e(*e.inputs))


@pytest.mark.parametrize("kind", ["+", "tanh"])
def test_expressions_over_an_unbounded_range_draw_finite_inputs(kind):
    # the first step's inputs, drawn for its domain, were drawn with infinity allowed: over (-inf, inf), 17 of 300
    # expressions of + had an infinite input (5 of tanh), where floats() draws finite ones only
    unbounded = expressions(kinds=[kind], min_value=-np.inf, max_value=np.inf)
    with pytest.raises(NoSuchExample):
        find(unbounded, lambda e: not np.all(np.isfinite(e.inputs)), settings=settings(max_examples=100, database=None))


def test_expression_builds_and_shows_its_steps():
    e = Expression((1.5, -2.0), (("*", (0, 0), 0.0), ("**int", (2,), 3.0), ("/", (3, 1), 0.0)))
    assert repr(e).splitlines() == [
        "Expression at x0=1.5, x1=-2.0:",
        "  t0 = x0 * x0",
        "  t1 = t0 ** 3.0",
        "  t2 = t1 / x1",
        "  output t2",
    ]
    assert e(1.5, -2.0) == (1.5 * 1.5) ** 3 / -2.0
    assert e(Value(1.5), Value(-2.0)).data == e(1.5, -2.0)


def test_a_function_whose_result_has_no_graph_checks_as_gradient_zero():
    # d/dt of neg's derivative, -1 everywhere: a result that depends on nothing, as `grad` treats it
    minus_one = autograd.grad(lambda u: (-u).sum())
    assert gradcheck(lambda t: (minus_one(t) * 2.0).sum(), [np.array([0.5, -1.0])])
    assert gradcheck(lambda v: autograd.grad(lambda u: -u)(v), [1.5])


@pytest.mark.parametrize(
    "inputs, error, message",
    [
        ([], ValueError, "gradcheck got no inputs"),
        ([np.zeros(0)], ValueError, "have no elements, so there is no derivative to check"),
        ("1.0", TypeError, "takes a list of f's inputs, got str"),
        (np.array([1.0]), TypeError, r"got ndarray: write gradcheck\(f, \[x\]\)"),
        (["1.0"], TypeError, "input 0 is str '1.0'"),
        ([True], ValueError, "every input is a constant"),  # a bool, as a mask's, is one
        ([np.array([1j])], TypeError, "input 0 is an array of dtype complex128"),
    ],
    ids=["none", "empty array", "a string", "an array", "a string inside", "a bool", "complex"],
)
def test_gradcheck_refuses_a_check_of_nothing_and_inputs_that_are_no_numbers(inputs, error, message):
    with pytest.raises(error, match=message):
        gradcheck(lambda *xs: xs[0].sum() if xs else Value(0.0), inputs)


def test_f_may_take_gradients_itself_as_pytorchs_gradgradcheck_does():
    """f = the gradient of an op of one's own by gradients(create_graph=True), PyTorch's idiom for a rule's own
    derivative: gradcheck ran f at x +- eps under no_grad, and f raised 'backward() on a tensor that does not
    require grad ... outside no_grad', blaming the user's inputs. A right second derivative passes, a wrong one
    fails, for Tensors and Values."""
    from autograd import Tensor, gradients

    def exp_with(second: float) -> Op:
        inner = Op("exp_rule", np.exp, lambda g, out, x: (second * g * out,))
        return Op("myexp", np.exp, lambda g, out, x: (g * inner(x),))

    def first(op: Op):
        def derivative(u):
            (g,) = gradients(op(u).sum() if isinstance(u, Tensor) else op(u), [u], create_graph=True)
            return g

        return derivative

    x = Tensor(np.array([0.3, -0.5]), requires_grad=True)
    assert gradcheck(first(exp_with(1.0)), [x])
    assert gradcheck(first(exp_with(1.0)), [Value(0.3)])
    for point in (x, Value(0.3)):
        with pytest.raises(GradcheckError) as caught:
            gradcheck(first(exp_with(1.1)), [point])
        assert not caught.value.undecided
