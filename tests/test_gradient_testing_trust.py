"""The tools for testing one's own gradients give no wrong verdict and no silently wrong number: an
audit of gradcheck, gradcheck_params, user ops and the transforms found each of these passing a
wrong gradient, returning 0 for a derivative, or blaming the wrong thing."""

import warnings

import numpy as np
import pytest
from test_micrograd_lecture import hand_mul  # micrograd's __mul__ as a learner writes it

from autograd import GradcheckError, Op, Tensor, Value, grad, gradcheck, gradcheck_params, jvp, no_grad, raw
from nn.functional import cross_entropy

SQUARE_OF_RAW_G = Op("square", lambda x: x * x, lambda g, out, x: (raw(g) * 2 * raw(x),))


@pytest.mark.parametrize("x, v", [(np.array([0.3, -0.7, 1.2]), np.ones(3)), (0.3, 1.0)])
def test_jvp_refuses_a_rule_that_reads_its_g_as_data_instead_of_giving_zero(x, v):
    # jvp is the vjp of the vjp: a rule constant in g gave J v = 0 (PyTorch's func.jvp refuses it too)
    with pytest.raises(TypeError, match="rule of op 'square' .* read its g as data"):
        jvp(SQUARE_OF_RAW_G, (x,), (v,))
    kept = Op("square", lambda x: x * x, lambda g, out, x: (g * 2 * raw(x),))  # raw(x) alone: fine
    np.testing.assert_allclose(jvp(kept, (x,), (v,))[1], 2 * np.asarray(x) * v)


def test_jvp_takes_a_constant_gradient_for_an_input_that_is_a_constant():
    # a constant input's gradient is never read, so a rule may give it a plain 0 (only the primal's must keep g)
    scale = Op("scale", lambda x, c: x * c, lambda g, out, x, c: (g * c, 0.0))
    assert jvp(lambda a: scale(a, 3.0), (0.5,), (1.0,))[1] == 3.0
    scale_t = Op("scale", lambda x, c: x * c, lambda g, out, x, c: (g * c, np.zeros(np.shape(c))))
    c = Tensor([3.0, 4.0])
    np.testing.assert_array_equal(jvp(lambda t: scale_t(t, c), (np.array([1.0, 2.0]),), (np.ones(2),))[1], [3, 4])


def test_numpy_of_a_tensor_inside_grad_is_refused_as_tolist_is():
    # its term was dropped: grad gave 2x for (t * t).sum() + (t.numpy() ** 2).sum()
    x = np.array([1.0, 2.0])
    with pytest.raises(TypeError, match=r"\.numpy\(\) of a Tensor computed from what a transform"):
        grad(lambda t: (t * t).sum() + (t.numpy() ** 2).sum())(x)
    assert np.array_equal(grad(lambda t: (t * t).sum() + (t.detach().numpy() ** 2).sum())(x), 2 * x)


def test_a_rule_that_writes_into_its_g_is_refused_naming_the_op():
    # add hands one g to both inputs: `g *= 2` in one rule doubled the other's gradient, and gradcheck passed
    def double_in_place(g, out, x):
        g *= 2.0
        return (g,)

    double = Op("double", lambda x: 2 * x, double_in_place)
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="rule of op 'double' wrote into its g"):
        (double(x) + x).sum().backward()
    assert x.grad is None


def test_gradcheck_fails_a_wrong_gradient_even_when_every_gradient_is_below_atol():
    wrong_sign = Op("wrong", lambda x: x * x, lambda g, out, x: (-2 * g * x,))
    with pytest.raises(GradcheckError, match="of another sign or size"):
        gradcheck(lambda t: 1e-6 * wrong_sign(t).sum(), [np.array([0.3, -0.7, 1.2])])
    # right ones that small pass, and so do gradients of 0 measured as rounding noise or truncation
    assert gradcheck(lambda t: 1e-6 * (t * t).sum(), [np.array([0.3, -0.7, 1.2])])
    assert gradcheck(lambda t: (t**3).sum(), [np.array([0.0, 1e-5, 6e-8])])


RELU_WITHOUT_MASK = Op("relu", lambda x: np.maximum(x, 0), lambda g, out, x: (g,))
TANH_WITHOUT_SQUARE = Op("tanh", np.tanh, lambda g, out, x: (g * (1 - out),))
SQUARE_WITH_OUT_FOR_X = Op("square", lambda x: x * x, lambda g, out, x: (2 * g * out,))
SIN_WITHOUT_INNER_FACTOR = Op("sin1e4", lambda x: np.sin(1e4 * x), lambda g, out, x: (g * np.cos(1e4 * x),))
CUBE_OF_WRONG_SIGN = Op("cube", lambda x: x**3, lambda g, out, x: (-3 * g * x * x,))


@pytest.mark.parametrize(
    "f, x",
    [
        (lambda t: RELU_WITHOUT_MASK(t).sum() * 1e-7, np.array([0.5, -0.7])),  # f flat where the rule says 1e-7
        (lambda t: TANH_WITHOUT_SQUARE(t).sum() * 1e-6, np.array([-20.0, -25.0])),  # saturated: exactly flat
        (lambda t: SQUARE_WITH_OUT_FOR_X(t).sum() * 1e-3, np.array([1e-4])),  # 1e-4 of the true slope
        (lambda t: SIN_WITHOUT_INNER_FACTOR(t).sum() * 1e-10, np.array([1e-5, 3e-5])),
        (lambda t: CUBE_OF_WRONG_SIGN(t).sum(), np.array([2e-6])),  # the difference is right to 4% there
    ],
)
def test_gradcheck_fails_wrong_gradients_below_atol_where_f_is_flat_or_the_slope_is_clear(f, x):
    # a numeric slope of 0, or one 1e4 times the analytic, passed when the check below atol took either for rounding
    with pytest.raises(GradcheckError, match="of another sign or size"):
        gradcheck(f, [x])


EXP_OF_WRONG_SIGN = Op("exp", np.exp, lambda g, out, x: (-g * np.exp(x),))
TANH_OF_WRONG_SIGN = Op("tanh", np.tanh, lambda g, out, x: (-g * (1 - out * out),))
MASK = np.array([False, False, True])


@pytest.mark.parametrize(
    "f, x",
    [
        (EXP_OF_WRONG_SIGN, np.array([-25.0])),  # its tail: exp(-25) rounds at its own size, not at 25's
        *[  # a mask filled with -inf or -1e9 before softmax: the masked entries move nothing
            (lambda t, fill=fill: TANH_OF_WRONG_SIGN(t).masked_fill(MASK, fill).softmax(axis=0)[0] * 1e-6, x)
            for fill, x in [(-np.inf, np.array([0.13, -0.13, 0.64])), (-1e9, np.array([0.13, -0.13, 0.64]))]
        ],
    ],
)
def test_gradcheck_charges_rounding_inside_f_only_where_it_moves_the_output(f, x):
    # charging every op at its inputs' size, or an unused -inf, made the error estimate swallow the slope
    with pytest.raises(GradcheckError, match="of another sign or size"):
        gradcheck(f, [x])


@pytest.mark.parametrize("x", [np.array([0.7]), 0.7])
def test_gradcheck_passes_a_right_gradient_through_a_subnormal_intermediate(x):
    assert gradcheck(lambda t: (((t * 1e-160) * 1e-160) * 1e160 * 1e160) * 1e-13, [x])


def test_gradcheck_runs_each_rule_twice_as_before_it_estimated_the_rounding_inside_f():
    calls = []
    square = Op("square", lambda a: a * a, lambda g, out, a: calls.append(1) or (g * 2 * a,))
    assert gradcheck(lambda t: square(t).sum(), [np.array([0.3, -0.7])])
    assert len(calls) == 2  # backward, and again from a seed -2 times as large


def test_gradcheck_params_fails_a_wrong_rule_of_a_saturated_unit_below_atol():
    w = Tensor(np.array([[-30.0, -22.0]]), requires_grad=True)
    with pytest.raises(GradcheckError, match="of another sign or size"):
        gradcheck_params(lambda: (TANH_WITHOUT_SQUARE(Tensor(np.ones((2, 1))) @ w) + 1.0).sum() * 1e-6, {"w": w})


@pytest.mark.parametrize(
    "f, x",
    [
        # a confident classifier: the loss's change hides below the rounding of logsumexp at 30 (numeric 0)
        (lambda z: cross_entropy(z, np.array([0])), np.array([[30.0, 0.0, 0.0]])),
        (lambda t: (t * 20).tanh().sum(), np.array([0.7, -0.7])),  # tanh(14) moves by whole steps of 1e-16
        # identically 0: its rounding looks like a slope at eps and 2 eps, the analytic one is ~1e-19
        (lambda t: ((t - t.mean()) / ((t - t.mean()) ** 2).mean().sqrt()).sum() * 1e-6, np.array([-1.39, 0.3, 2.1])),
        # the same far from 0: each entry rounds at 1000's size, both slopes are rounding
        (
            lambda t: ((t - t.mean()) / ((t - t.mean()) ** 2).mean().sqrt()).sum() * 1e-6,
            1000 + np.array([-1.8, 8.7, 7.6]) * 1e-3,
        ),
    ],
)
def test_gradcheck_passes_right_gradients_whose_numeric_slope_is_rounding(f, x):
    # the check of signs below atol failed these: a difference of 0 or of one rounding step is no slope
    assert gradcheck(f, [x])


def test_gradcheck_keeps_numpy_warnings_of_its_own_evaluations_beyond_the_domain_to_itself():
    # the noise estimate and the kink check evaluate f at x - 2 eps and x - 4 eps; f is only asked at x +- eps
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda t: t.log().sum() * 1e-12, [np.array([1.5e-6])])
        # log's curvature at 3 eps: the difference is 4% off; extrapolated from smaller steps it judges the rule
        assert gradcheck(lambda t: t.log().sum(), [np.array([3e-6])])


@pytest.mark.parametrize(
    "f, x",
    [
        (lambda t: (t * t).sum(), np.array([1e8])),  # float64's spacing at 1e16, 2, is a part of eps's change, 400
        (lambda t: (t.sin() + 1e7).sum(), np.array([0.1, 0.2, 0.3, 0.4])),
        (lambda t: (t.astype(np.float32) * 1.7).sin().sum(), np.array([0.3, -0.7])),  # f in float32
        # f in float32 inside, its output float64: the rounding inside shows only in f's graph
        (lambda t: (t.astype(np.float32) * 1.7).sin().sum().astype(np.float64), np.array([1.3, 2.7, -0.2])),
    ],
)
def test_gradcheck_says_it_cannot_judge_where_rounding_swamps_the_difference(f, x):
    with pytest.raises(GradcheckError, match="cannot judge: f's rounding") as e:
        gradcheck(f, [x])
    assert "<- fails" not in str(e.value)
    assert e.value.undecided  # a property test may reject the point (tests/judged.py)


def test_a_wrong_rule_is_no_undecided_failure():
    wrong = Op("wrong_sin", np.sin, lambda g, out, x: (g * np.cos(x) * 1.01,))
    with pytest.raises(GradcheckError, match="<- fails") as e:
        gradcheck(lambda t: wrong(t).sum(), [np.array([0.3, 0.5])])
    assert not e.value.undecided


def test_gradcheck_params_checks_every_entry_along_a_direction_beside_the_sampled_ones():
    def rule(g, out, x, b):
        gb = g.sum(axis=0)
        gb[1] = 0.0  # wrong in one entry of 64, which 20 drawn entries miss
        return g, gb

    add_bias = Op("add_bias", lambda x, b: x + b, rule)
    rng = np.random.default_rng(0)
    x, b = rng.normal(size=(4, 64)), Tensor(rng.normal(size=64), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"b\[0:32\]·d .* <- fails"):
        gradcheck_params(lambda: (add_bias(Tensor(x), b) ** 2).sum(), {"b": b})
    assert gradcheck_params(lambda: ((Tensor(x) + b) ** 2).sum(), {"b": b})


def test_a_node_built_by_hand_under_no_grad_takes_its_backward_as_micrograd_would():
    # the README's own micrograd-style op: gradcheck runs f under no_grad, where the node is a leaf
    assert gradcheck(hand_mul, [0.5, -1.0])
    with no_grad():
        assert hand_mul(Value(0.5), Value(-1.0)).data == -0.5
        with pytest.raises(TypeError, match="_backward must be a function"):
            Value(1.0, (Value(2.0),), "f")._backward = 3


def test_the_transforms_refuse_a_bool_to_differentiate_as_gradcheck_does():
    with pytest.raises(TypeError, match="cannot differentiate with respect to bool True"):
        grad(lambda x: x * x)(True)
    assert grad(lambda x: x * x)(3) == 6.0
