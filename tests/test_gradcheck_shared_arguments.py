"""gradcheck of f where an op of one's own is given an input through two of its arguments: op(x, x), its
rule (g (y + e), g (x - e)) off by +e and -e, passed (f's gradient, their sum, is right), though the op is
wrong wherever it is given two numbers. Such an op is now also checked alone, each argument moved apart."""

import numpy as np
import pytest
from test_micrograd_lecture import hand_mul

import autograd
from autograd import GradcheckError, Op, Tensor, Value, gradcheck, gradcheck_params


def _mul(e: float) -> Op:
    """x * y, its rule off by +e in x and -e in y."""
    return Op("my_mul", lambda x, y: x * y, lambda g, out, x, y: (g * (y + e), g * (x - e)))


X = np.array([0.3, 0.7])


@pytest.mark.parametrize("point", [X, 0.3], ids=["array", "float"])
def test_rules_cancelling_in_f_fail(point):
    with pytest.raises(GradcheckError, match="'my_mul' is given input 0 through 2 of its arguments") as caught:
        gradcheck(lambda x: _mul(0.5)(x, x), [point])
    assert not caught.value.undecided
    assert "<- fails" in str(caught.value)


@pytest.mark.parametrize("point", [X, 0.3], ids=["array", "float"])
@pytest.mark.parametrize(
    "f",
    [lambda x: _mul(0.5)(x, x + 0.25), lambda x: _mul(0.5)(x.exp() * 1.0, x.exp()), lambda x: _mul(0.5)(x, x) * 2],
    ids=["x_plus", "both_through_exp", "below_another_op"],
)
def test_an_input_reaching_two_arguments_through_other_ops_is_seen(f, point):
    # the leaves each node reaches were gathered from out down, before the nodes between: op(x, x + 0.25), whose
    # rule's +-0.5 cancels in f as in op(x, x), passed
    with pytest.raises(GradcheckError, match="'my_mul' is given input 0 through 2 of its arguments") as caught:
        gradcheck(f, [point])
    assert not caught.value.undecided


@pytest.mark.parametrize("point", [X, 0.3], ids=["array", "float"])
def test_an_op_is_checked_alone_with_the_keyword_arguments_f_gave_it(point):
    # its rule off by +-(k - 1): right at the default k = 1, with which the op was checked alone, so k=3 passed;
    # and an op whose keyword argument has no default was not checked alone at all
    scaled = Op(
        "scaled", lambda x, y, k=1.0: k * x * y, lambda g, out, x, y, k=1.0: (g * (k * y + k - 1), g * (k * x - k + 1))
    )
    needs_k = Op("needs_k", lambda x, y, *, k: k * x * y, lambda g, out, x, y, *, k: (g * (k * y + 1), g * (k * x - 1)))
    for f in (
        lambda x: scaled(x, x, k=3.0),
        lambda x: scaled(x, x, k=1.0) + scaled(x, x, k=3.0),
        lambda x: needs_k(x, x, k=2.0),
    ):
        with pytest.raises(GradcheckError, match="through 2 of its arguments") as caught:
            gradcheck(f, [point])
        assert not caught.value.undecided
    assert gradcheck(lambda x: scaled(x, x, k=1.0), [point])


def test_a_parameter_given_twice_is_checked_alone_too():
    w = Tensor(X.copy(), requires_grad=True)
    with pytest.raises(GradcheckError, match="'my_mul' is given w through 2 of its arguments"):
        gradcheck_params(lambda: _mul(0.5)(w, w).sum(), {"w": w})
    assert gradcheck_params(lambda: _mul(0.0)(w, w).sum(), {"w": w})


@pytest.mark.parametrize(
    "f",
    [
        lambda x: _mul(0.0)(x, x),
        lambda x: _mul(0.0)(x, x.exp()),
        lambda x: _mul(0.0)(x * 2, x) + x,
        lambda x: x * x,  # the op table's: checked per argument by its own tests, not again
    ],
    ids=["same", "through_exp", "through_times", "table"],
)
def test_right_rules_pass(f):
    assert gradcheck(f, [X])
    assert gradcheck(f, [Value(0.3)])


def test_a_constant_argument_stays_as_it_was():
    # the target keeps its value in the op's own check; a rule giving None for it is not blamed
    op = Op("scaled_sq", lambda x, y, t: x * y * t, lambda g, out, x, y, t: (g * y * t, g * x * t, None))
    target = Tensor(np.array([2.0, 3.0]))
    assert gradcheck(lambda x: op(x, x, target), [X])


def test_the_op_alone_costs_no_call_of_f():
    calls = [0]

    def f(x):
        calls[0] += 1
        return _mul(0.0)(x, autograd.sin(x))

    assert gradcheck(f, [X])
    counted = calls[0]
    calls[0] = 0
    assert gradcheck(lambda x: f(x) * 1.0, [X]) and calls[0] == counted


def test_a_kink_of_each_argument_alone_is_not_blamed():
    # |x - y| at x = y: each argument alone has a kink there, f(x) = |x - x| = 0 none; the op's rule is not judged
    op = Op("distance", lambda x, y: abs(x - y), lambda g, out, x, y: (g * np.sign(x - y), -g * np.sign(x - y)))
    assert gradcheck(lambda x: op(x, x) + x, [X])


def test_a_node_built_by_hand_is_left_to_fs_check():
    # micrograd's way: no forward to rerun, so its children cannot be moved apart (it raised a ValueError)
    assert gradcheck(lambda x: hand_mul(x, x), [0.3])


@pytest.mark.filterwarnings("ignore:(divide by zero|invalid value) encountered")
def test_an_op_that_cannot_be_judged_alone_is_not_passed():
    # 1 / (x - y + eps / 2): alone, x - eps / 2 is its pole, where no difference judges it ('cannot judge'), and
    # f's check stood: rules off by +-1e12 (a quarter of the slope, -4e12), which cancel in f, passed
    def pole(e: float) -> Op:
        return Op("pole", lambda x, y: 1.0 / (x - y + 5e-7), lambda g, out, x, y: (g * (e - out**2), g * (out**2 - e)))

    for op in (pole(1e12), pole(0.0)):
        with pytest.raises(GradcheckError, match="'pole' is given input 0 through 2 of its arguments") as caught:
            gradcheck(lambda x, op=op: op(x, x) + x, [np.array([0.3])])
        assert caught.value.undecided and "finite differences cannot judge its rules here" in str(caught.value)
        assert "<- cannot judge" in str(caught.value)


def test_an_op_given_an_input_twice_at_numbers_gradcheck_refuses_cannot_be_judged_alone():
    # mul(a * 1e12, a * 1e12): its check alone, at 3e11 where x + eps rounds to x, raised gradcheck's ValueError
    # "input 0[0] = 300000000000.0 ..." of no input the user gave; its rules cannot be judged alone there
    mul = Op("mul", lambda a, b: a * b, lambda g, out, a, b: (g * b, g * a))
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a: mul(a * 1e12, a * 1e12).sum() * 1e-24, [np.array([0.3, 0.5])])
    assert info.value.undecided and "finite differences cannot judge its rules here" in str(info.value)
