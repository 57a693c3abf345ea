"""gradcheck's own trust, from an audit of it as users write their tests: a rule that ignores its g,
a forward that writes into its input, a kink at the point, an op of non-scalar output checked as
it is, and gradcheck_params leaving graphs built before it able to backward."""

import numpy as np
import pytest

from autograd import GradcheckError, Op, Tensor, Value, grad, gradcheck, gradcheck_params, no_grad

X = np.array([1.0, -2.0, 3.0])


@pytest.mark.parametrize(
    "vjp",
    [
        lambda g, out, x: (2 * x,),  # forgets g
        lambda g, out, x: (2 * g * g * x,),  # uses it twice
        lambda g, out, x: (2 * abs(g) * x,),  # drops its sign
    ],
)
def test_a_rule_not_linear_in_its_g_fails_even_through_a_sum(vjp):
    square = Op("square", lambda x: x * x, vjp)
    for f, inputs in ((lambda x: square(x).sum(), [X]), (square, [0.7]), (square, [X])):
        with pytest.raises(GradcheckError, match="is not -2 times as much when the gradient from above is"):
            gradcheck(f, inputs)


def test_an_op_of_several_outputs_is_checked_as_it_is_with_random_weights():
    """g.T where g belongs: a sum's uniform g hides it; fixed random weights do not."""
    B = np.array([[1.0, 2.0], [-1.0, 0.5]])
    right = Op("right", lambda a: a @ B, lambda g, out, a: (g @ B.T,))
    transposed = Op("transposed", lambda a: a @ B, lambda g, out, a: (g.T @ B.T,))
    A = np.array([[0.3, -1.2], [2.0, 0.7]])
    assert gradcheck(right, [A]) and gradcheck(lambda a: transposed(a).sum(), [A])
    with pytest.raises(GradcheckError, match="gradients disagree"):
        gradcheck(transposed, [A])


def test_a_forward_writing_into_its_input_is_refused_not_checked_elsewhere():
    def forward(x):
        x *= 2
        return x * x

    op = Op("doubled", forward, lambda g, out, x: (8 * g * x,))
    # an op's forward is given read-only views: the write is refused where it happens, naming the op
    with pytest.raises(ValueError, match=r"forward of op 'doubled' wrote into an input"):
        gradcheck(lambda x: op(x).sum(), [np.array([1.0, 2.0])])

    def f(x):  # a write that is no op's (through .data) is still refused by gradcheck
        x.data[0] *= 2
        return (x * x).sum()

    with pytest.raises(GradcheckError, match=r"f changed input 0 in place .*must not write into their inputs"):
        gradcheck(f, [np.array([1.0, 2.0])])


@pytest.mark.parametrize(
    ("f", "point"),
    [(lambda x: abs(x) + x, 0.0), (lambda x: x.relu(), 0.0), (lambda x: x.norm(), np.zeros(3))],
)
def test_a_kink_at_the_point_fails_naming_the_one_sided_slopes(f, point):
    with pytest.raises(GradcheckError, match="not differentiable here: one-sided slopes") as e:
        gradcheck(f, [point])
    assert "f has a kink where the one-sided slopes" in str(e.value)


def test_smooth_functions_of_large_curvature_are_no_kinks():
    assert gradcheck(lambda x: 1 / x, [0.01]) and gradcheck(lambda x: (10 * x).exp(), [1.0])
    assert gradcheck(lambda x: x.tan(), [1.5]) and gradcheck(lambda x: x**20, [3.0])
    assert gradcheck(lambda x: 1000 * x * x, [0.0])
    assert gradcheck(lambda x: ((x * x).sum() + 1e-12).sqrt(), [np.zeros(3)])  # the safe norm: a bend eps wide
    assert gradcheck(lambda x: x * x + 5e7, [Value(0.3)])  # rounding of a large f parts the one-sided slopes


def test_outputs_of_different_sizes_are_differenced_before_they_are_weighed():
    """exp(20) beside exp(-5): summed first, the small entry's change was lost (PyTorch passes these)."""
    from autograd import exp

    assert gradcheck(exp, [np.array([-5.0, 20.0])]) and gradcheck(lambda t: t**3, [np.array([0.1, 1e4])])


def test_an_output_not_finite_at_the_point_is_named():
    with pytest.raises(
        ValueError, match=r"f's output is inf at the point \(entry \[1\]\): no derivative can be checked"
    ):
        with np.errstate(divide="ignore"):
            gradcheck(lambda t: t / np.array([1.0, 0.0]), [np.array([1.0, 2.0])])


def test_gradients_rounding_as_subnormals_or_overflowing_still_scale():
    x = np.array([0.3, -1.2, 2.0])
    assert gradcheck(lambda t: ((t.astype(np.float32) * 1e-20) * 1e-20 * 0.3).sum(), [x])
    assert gradcheck(lambda v: (v * 1e-10) * 1e308, [1.0])  # seeded -2 times, the backward overflows: not judged


def test_a_kink_hidden_behind_a_large_constant_entry_is_found():
    from autograd import abs as absolute

    with pytest.raises(GradcheckError, match="not differentiable here"):
        gradcheck(lambda t: absolute(t) + np.array([0.0, 1e8]), [np.zeros(2)])


def test_rounding_inside_f_is_no_kink():
    """Cancellation: the naive variance of numbers near 1e4; its rows pass as PyTorch's check does."""
    x = 1e4 + np.array([0.3, -1.2, 0.8, 0.1, -0.5])
    try:
        gradcheck(lambda t: (t * t).mean() - t.mean() ** 2, [x])
    except GradcheckError as e:
        assert "not differentiable" not in str(e)


def test_the_table_of_an_output_of_several_numbers_says_what_its_rows_are():
    twice = Op("twice", lambda x: 2 * x, lambda g, out, x: (3 * g,))
    with pytest.raises(GradcheckError, match=r"f gives 6 numbers: each row is of sum\(w \* f\(x\)\)"):
        gradcheck(twice, [np.ones(6)])


def test_a_rule_writing_into_its_input_is_named_as_such():
    # a user's rule is given read-only views: the write is refused where it happens, naming the op
    def vjp(g, out, x):
        x *= 2
        return (2 * g * x / 2,)

    op = Op("writes", lambda x: x * x, vjp)
    with pytest.raises(ValueError, match="rule of op 'writes' wrote into its g, its out, an input"):
        gradcheck(lambda x: op(x).sum(), [np.array([1.0, 2.0])])


def test_the_table_counts_the_failing_rows_it_hides():
    bad = Op("bad", lambda x: x * x, lambda g, out, x: (3 * g * x,))
    with pytest.raises(GradcheckError) as e:
        gradcheck(lambda x: bad(x).sum(), [np.linspace(0.1, 1, 40)])
    assert "... 10 more rows, 10 of them failing" in str(e.value)


def test_a_float32_eps_computes_in_float64():
    assert gradcheck(lambda a: a * a, [1.3], eps=np.float32(1e-6))
    w = Value(1.3)
    assert gradcheck_params(lambda: w * w, [w], eps=np.float32(1e-6))


def test_inside_no_grad_gradcheck_still_differentiates():
    with no_grad():
        assert gradcheck(lambda x: (x * x).sum(), [np.array([1.0, 2.0])])
        w = Tensor(np.array([0.5, -1.0]), requires_grad=True)
        assert gradcheck_params(lambda: (w * w).sum(), [w])


def test_a_second_derivative_of_an_unused_argument_is_zero():
    assert gradcheck(grad(lambda x, y: x * x, argnums=1), [0.5, 0.3])


def test_gradcheck_params_leaves_graphs_built_before_able_to_backward():
    w = Tensor(np.array([[0.5, -1.0], [2.0, 0.25]]), requires_grad=True)
    data, version = w.data, w._version
    loss = (w * w).sum()
    assert gradcheck_params(lambda: (w * w).sum(), [w])
    assert w.data is data and w._version == version
    loss.backward()
    np.testing.assert_array_equal(w.grad, 2 * data)


@pytest.mark.parametrize(
    ("params", "kwargs", "error", "words"),
    [
        (lambda w: [w.detach()], {}, ValueError, "param 0 is a constant .* leave it out"),
        (lambda w: [np.ones(2)], {}, TypeError, "param 0 is ndarray, not a parameter"),
        (lambda w: [w], {"max_per_param": 0}, ValueError, "max_per_param must be an int >= 1 or None"),
        (lambda w: [w], {"max_per_param": 2.5}, TypeError, "max_per_param must be an int, got float 2.5"),
        (lambda w: [w], {"seed": "x"}, TypeError, "seed must be an int, got str"),
        (lambda w: [w], {"seed": -1}, ValueError, "seed must be an int >= 0, got -1"),
    ],
)
def test_gradcheck_params_refuses_what_it_cannot_check(params, kwargs, error, words):
    w = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    with pytest.raises(error, match=words):
        gradcheck_params(lambda: (w * w).sum(), params(w), **kwargs)


def test_a_frozen_parameter_is_named_as_such():
    w = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    w.requires_grad = False
    with pytest.raises(ValueError, match=r"param 0 is frozen \(requires_grad=False\)"):
        gradcheck_params(lambda: (w * w).sum(), [w])


def test_gradcheck_params_explains_a_loss_undefined_at_a_moved_point():
    w = Value(5e-7)
    with pytest.raises(ValueError, match=r"loss\(\) is undefined at param 0 = .*farther from the edge"):
        gradcheck_params(lambda: w.log(), [w])


def test_a_kink_beside_curvature_is_still_found():
    from autograd import GradcheckError as Error

    for f, eps in ((lambda x: x.abs() + 200 * x * x, 1e-3), (lambda x: x.abs() * 1e-3 + 200 * x * x, 1e-6)):
        with pytest.raises(Error, match="not differentiable here"):
            gradcheck(f, [np.zeros(1)], eps=eps)
