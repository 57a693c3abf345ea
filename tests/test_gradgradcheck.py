"""autograd.gradgradcheck, PyTorch's: the second derivatives of f, checked by gradcheck of the gradients of
sum(grad_outputs * f(inputs)) (a vector-Jacobian product, taken with create_graph=True) in the inputs and in
grad_outputs. There was none; the README's idiom, gradcheck of gradients(op(u).sum(), [u], create_graph=True),
was to be written by hand. A rule of one's own that reads raw data (raw(x), .data, .item()) gives create_graph a
constant, and the Hessian through it 0 without a word (hessian of softplus at 0.3: 0 where 0.2445): gradgradcheck
fails it, saying so."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn.functional as F
from autograd import GradcheckError, Op, Tensor, Value, gradgradcheck, raw, sigmoid
from autograd.testing import judged_gradgradcheck

SOFTPLUS = Op("softplus", lambda x: np.logaddexp(0, x), lambda g, out, x: (g * sigmoid(x),))
RAW_SOFTPLUS = Op("raw_softplus", lambda x: np.logaddexp(0, x), lambda g, out, x: (g * sigmoid(raw(x)),))
DATA_SQUARE = Op("data_square", lambda x: x * x, lambda g, out, x: (g * 2 * x.data,))
ITEM_CUBE = Op("item_cube", lambda x: x**3, lambda g, out, x: (g * 3 * x.item() ** 2,))
RAW_G_SQUARE = Op("raw_g_square", lambda x: x * x, lambda g, out, x: (raw(g) * 2 * x,))
# a product of one's own, its rule right: gradients in both inputs, the second derivative mixed
TIMES = Op("times", lambda a, b: a * b, lambda g, out, a, b: (g * b, g * a))


def _t(*values: float) -> Tensor:
    return Tensor(np.array(values), requires_grad=True)


@pytest.mark.parametrize(
    "f, inputs",
    [
        (lambda x: x.tanh(), [_t(0.3, -1.2, 0.7)]),
        (lambda x: x.softmax(axis=-1), [Tensor(np.array([[0.3, -1.2, 0.7], [2.0, 0.1, -0.4]]), requires_grad=True)]),
        (lambda a, b: (a @ b).sigmoid(), [Tensor(np.eye(2) + 0.3, requires_grad=True), _t(0.5, -0.25)]),
        (lambda x: (x * x.exp()).sum(), [_t(0.3, -0.8)]),
        (lambda x, y: (x * y).tanh() + x.exp() / y, [0.3, 1.2]),  # Values
        (lambda x: SOFTPLUS(x), [_t(0.3, -2.0)]),
        (lambda x: SOFTPLUS(x) * x, [Value(0.3)]),
        (lambda a, b: TIMES(a, b).sin(), [_t(0.3, 0.9), _t(-0.5, 1.1)]),
    ],
)
def test_right_rules_pass(f, inputs):
    assert gradgradcheck(f, inputs) is True


@pytest.mark.parametrize(
    "op, given",
    [
        (RAW_SOFTPLUS, lambda: Value(0.3)),
        (RAW_SOFTPLUS, lambda: _t(0.3, -1.1)),
        (DATA_SQUARE, lambda: _t(0.3, -1.1)),  # a Value's rule is given floats in a plain backward: no .data
        (ITEM_CUBE, lambda: Tensor(np.array(0.3), requires_grad=True)),
    ],
    ids=["raw-value", "raw-tensor", "data-tensor", "item-tensor"],
)
def test_a_rule_reading_raw_data_fails_naming_the_likely_cause(op, given):
    assert autograd.gradcheck(op, [given()])  # its first derivative is right
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(op, [given()])
    message = str(info.value)
    assert not info.value.undecided
    assert message.startswith("gradgradcheck: the second derivative of f")
    assert f"op of your own {op.name!r}" in message
    assert "reads raw data" in message and "once_differentiable" in message
    assert "<- fails" in message  # gradcheck's own table follows


def test_a_rule_reading_its_g_as_data_fails_in_grad_outputs():
    with pytest.raises(GradcheckError, match=r"(?s)second derivative.*grad_outputs.*<- fails"):
        gradgradcheck(RAW_G_SQUARE, [_t(0.3, 0.7)])


def test_grad_outputs_given_are_used_and_checked_for_shape():
    assert gradgradcheck(lambda x: x.tanh(), [_t(0.3, 0.7)], grad_outputs=[np.array([1.5, -0.5])])
    assert gradgradcheck(lambda x: x.tanh(), [_t(0.3, 0.7)], grad_outputs=np.array([1.5, -0.5]))
    with pytest.raises(ValueError, match=r"grad_outputs must be .* of f's output, \(2,\); got float64 of shape \(3,\)"):
        gradgradcheck(lambda x: x.tanh(), [_t(0.3, 0.7)], grad_outputs=np.ones(3))


def test_options_reach_gradcheck():
    # x**3 whose rule's own derivative is off by 0.15% (its square's rule): within rtol=1e-2, beyond 1e-3; the
    # rule itself is right, and gradgradcheck, as PyTorch's, checks the rule's derivatives, not the rule
    square = Op("square", lambda x: x * x, lambda g, out, x: (g * 2.003 * x,))
    off = Op("off", lambda x: x**3, lambda g, out, x: (g * 3 * square(x),))
    assert autograd.gradcheck(off, [_t(0.7)])
    with pytest.raises(GradcheckError):
        gradgradcheck(off, [_t(0.7)])
    assert gradgradcheck(off, [_t(0.7)], rtol=1e-2)


def test_integers_pass_through_unchecked():
    picked = lambda x, i: (x[i] ** 3).sum()  # noqa: E731
    assert gradgradcheck(picked, [_t(0.3, 0.5, 0.9), np.array([0, 2])])


def test_float32_inputs_are_noted_once_per_line():
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("default")
        for _ in range(3):
            gradgradcheck(lambda x: x.sin(), [Tensor(np.array([0.3, 0.6], dtype=np.float32), requires_grad=True)])
    notes = [w for w in log if "checking in float64" in str(w.message)]
    assert len(notes) == 1 and notes[0].filename == __file__


def test_judged_gradgradcheck_outside_a_property_test_raises_as_gradgradcheck():
    assert judged_gradgradcheck(lambda x: x.tanh(), [_t(0.3)])
    with pytest.raises(GradcheckError, match="reads raw data"):
        judged_gradgradcheck(RAW_SOFTPLUS, [_t(0.3)])


@settings(max_examples=12, deadline=None, database=None)
@given(st.sampled_from([0.0, 0.7, -0.4]))
def test_judged_gradgradcheck_rejects_a_kink_of_the_gradient_in_a_property_test(x):
    # relu's square: its gradient 2 relu(x) has a kink at 0, where gradgradcheck cannot judge (undecided)
    assert judged_gradgradcheck(lambda t: t.relu() ** 2, [_t(x, 1.0)])


def test_a_kink_of_the_gradient_cannot_be_judged():
    with pytest.raises(GradcheckError, match="second derivative of f cannot be judged") as info:
        gradgradcheck(lambda t: t.relu() ** 2, [_t(0.0, 1.0)])
    assert info.value.undecided


def test_it_is_public():
    assert "gradgradcheck" in autograd.__all__


def test_an_f_whose_result_has_no_graph_is_refused_saying_why():
    with pytest.raises(TypeError, match=r"f's result \(Tensor\) is a constant.*not np.sin\(x.data\)"):
        gradgradcheck(lambda x: Tensor(np.sin(x.data)), [_t(0.3)])
    with pytest.raises(ValueError, match="f has one output, and grad_outputs gives 2"):
        gradgradcheck(lambda x: x.sin(), [_t(0.3)], grad_outputs=[np.ones(1), np.ones(1)])


@pytest.mark.parametrize(
    "given, says",
    [
        (np.array([np.nan, 1.0]), r"grad_outputs must be finite.*\[nan  1\.\]"),  # said "f's output is nan"
        (np.array([np.inf, 1.0]), r"grad_outputs must be finite"),
        (np.zeros(2), r"grad_outputs are all 0: f's second derivatives would be weighed by 0"),  # passed any rule
    ],
    ids=["nan", "inf", "zeros"],
)
def test_grad_outputs_that_check_nothing_or_are_not_finite_are_refused(given, says):
    with pytest.raises(ValueError, match=says):
        gradgradcheck(RAW_SOFTPLUS, [_t(0.3, 0.7)], grad_outputs=given)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # 0 * inf in the gradient at 0
def test_a_refusal_of_the_gradients_gradcheck_says_it_is_of_fs_gradient():
    # |x| ** 0.5 is 0 at 0, its gradient nan there: gradcheck's refusal named f's output as nan, in gradcheck's name
    with pytest.raises(ValueError) as info:
        gradgradcheck(lambda x: x.abs() ** 0.5, [_t(0.0, 0.5)])
    message = str(info.value)
    assert message.startswith("gradgradcheck: gradcheck of the gradient in input 0 of sum(grad_outputs * f(...))")
    assert "f's output is nan at the point (entry [0])" in message  # gradcheck's own words follow, its f that gradient


@pytest.mark.parametrize(
    "loss",
    [
        lambda p, t: F.binary_cross_entropy(p.tanh() * 0.5 + 0.5, t),
        lambda p, t: F.kl_div(p, t, reduction="sum"),
    ],
    ids=["binary_cross_entropy", "kl_div"],
)
def test_the_likely_cause_names_the_users_ops_not_chainrules_own(loss):
    # nn's losses are ops with rules of chainrule's own: 'ops of your own 'binary_cross_entropy', 'raw_softplus''
    t = Tensor(np.array([1.0, 0.0, 1.0]) / 2)
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(lambda x, t: loss(RAW_SOFTPLUS(x), t), [_t(0.3, -0.4, 0.8), t])
    assert "f reaches an op of your own 'raw_softplus':" in str(info.value)


@pytest.mark.parametrize(
    "shape, given",
    [((2,), [1.5, -0.5]), ((1,), [2.0]), ((2, 2), [[1.0, -2.0], [0.5, 1.5]])],
    ids=["list-of-two", "list-of-one", "nested"],
)
def test_grad_outputs_given_as_a_list_of_fs_numbers_are_read_as_them(shape, given):
    # read as PyTorch's sequence of one per output alone: "f has one output, and grad_outputs gives 2", and [2.0]
    # for an output of shape (1,) "got float64 of shape ()"
    x = Tensor(np.linspace(0.2, 0.9, int(np.prod(shape))).reshape(shape), requires_grad=True)
    assert gradgradcheck(lambda t: t.tanh(), [x], grad_outputs=given)
    with pytest.raises(GradcheckError):  # and used: the rule's own derivative read raw, weighed by them
        gradgradcheck(RAW_SOFTPLUS, [x], grad_outputs=given)


@pytest.mark.parametrize("given", ["0.3", np.array([1 + 2j])], ids=["text", "complex"])
def test_an_input_that_is_no_real_number_is_refused_in_gradgradchecks_name(given):
    with pytest.raises(TypeError, match=r"^gradgradcheck: input 0 is"):  # was "gradcheck: input 0 is ..."
        gradgradcheck(lambda x: x * x, [given])
