"""gradcheck and gradcheck_params give no verdict on nothing and no pass for a wrong rule: an audit of
the testing kit found each of these passing."""

import warnings

import numpy as np
import pytest

from autograd import (
    GradcheckError,
    Op,
    Tensor,
    Value,
    check_weights,
    grad,
    gradcheck,
    gradcheck_params,
    raw,
    tensor_ops,
)


def _square(p):
    return (p * p).sum() if isinstance(p, Tensor) else p * p


@pytest.mark.parametrize("make", [lambda: Tensor(np.ones(3), requires_grad=True), lambda: Value(1.5)])
def test_gradcheck_params_refuses_a_loss_that_uses_none_of_the_parameters(make):
    # the loss reached another copy: every row compared 0 with 0, and the check passed
    given, used = make(), make()
    with pytest.raises(GradcheckError, match=r"loss\(\) uses none of the parameters given \(w\)"):
        gradcheck_params(lambda: _square(used), {"w": given})
    assert gradcheck_params(lambda: _square(given), [given])


def test_gradcheck_params_still_says_an_empty_list_has_nothing_to_check():
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="no elements"):
        gradcheck_params(lambda: (w * w).sum(), [])


def _stacked(scale: float, offset: float, wrong: float = 1.0) -> Op:
    """x -> [scale * x, x + offset], its rule wrong by the factor `wrong` in the second entry."""
    return Op(
        "stacked",
        lambda x: np.concatenate([scale * x, x + offset]),
        lambda g, out, x: (g[:1] * scale + g[1:] * wrong,),
    )


@pytest.mark.parametrize("scale", [1e3, 1e6])
def test_a_rule_wrong_in_an_output_entry_beside_a_far_larger_one_fails(scale):
    # summed as they were, the entry moving by 1 was lost beside the one moving by 1e6, and a rule
    # doubling it passed (PyTorch's check of the whole Jacobian fails it)
    with pytest.raises(GradcheckError, match="1 of 1 gradients disagree"):
        gradcheck(_stacked(scale, 0.0, wrong=2.0), [np.array([0.7])])
    assert gradcheck(_stacked(scale, 0.0), [np.array([0.7])])


def test_an_output_entry_moving_by_no_more_than_its_rounding_is_not_weighed_up():
    # x + 1e9 moves by 1 but rounds by 0.2 per step: weighed up beside 1e6 * x, its rounding would hide every
    # slope, so it is not, and 1e6 * x is judged: a rule wrong in it fails. Its own slope, rounding by 6% of
    # itself, cannot be judged: the row passed, vouching for a rule off by 3% in it; it says it cannot judge
    forward = lambda x: np.concatenate([1e6 * x, x + 1e9])  # noqa: E731
    wrong_in_first = Op("stacked", forward, lambda g, out, x: (g[:1] * 2e6 + g[1:],))
    with pytest.raises(GradcheckError, match="1 of 1 gradients disagree") as caught:
        gradcheck(wrong_in_first, [np.array([0.7])])
    assert not caught.value.undecided
    for wrong in (1.0, 1.03):
        with pytest.raises(GradcheckError, match="an entry of f's output .* rounds too coarsely") as caught:
            gradcheck(_stacked(1e6, 1e9, wrong=wrong), [np.array([0.7])])
        assert caught.value.undecided


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_an_output_entry_overflowing_at_a_moved_point_is_not_weighed_up_to_nan():
    # exp(710) overflows at x + eps: its entry is not weighed up (to inf / inf, NaN), and its row names the
    # overflow (its weight, 1 or more, takes exp(709.78) = 1.8e308 beyond the largest float: -inf)
    from autograd import exp

    with pytest.raises(GradcheckError, match=r"709.783 +-inf +-inf .*<- cannot judge: f is not finite at x \+- eps"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gradcheck(exp, [np.array([0.5, 709.782712893384])])
    # exp's own overflow is f's to warn of; gradcheck's sums of its ends ("overflow encountered in add") are not
    assert [str(w.message) for w in caught if "autograd/check_" in w.filename.replace("\\", "/")] == []


_CURVED = [
    (lambda v: v.log(), np.log, lambda x: 1 / x, 1e-5),
    (lambda v: 1 / v, lambda x: 1 / x, lambda x: -1 / x**2, 1e-5),
    (lambda v: (1e5 * v).sin(), lambda x: np.sin(1e5 * x), lambda x: 1e5 * np.cos(1e5 * x), 0.3),
]


@pytest.mark.parametrize("f, forward, slope, x", _CURVED, ids=["log", "reciprocal", "sin_1e5"])
def test_a_right_gradient_where_f_curves_within_eps_is_not_blamed(f, forward, slope, x):
    # the central difference's truncation (eps**2 / 6 f''' = 335 for log at 1e-5) was above rtol, and the
    # row said the right gradient fails, then that it cannot judge; its slope extrapolated from smaller steps
    # judges it (check_richardson). In an op of one's own, which may hide a grid no smaller step shows, the
    # extrapolation only keeps the right rule from being blamed, and a rule 1% off from passing
    assert gradcheck(f, [x])
    assert gradcheck(f, [x], eps=1e-9)
    for times in (1.0, 1.01):
        op = Op("curved", forward, lambda g, out, x, times=times: (g * times * slope(x),))
        with pytest.raises(GradcheckError) as caught:
            gradcheck(op, [np.array(x)])
        assert caught.value.undecided or times != 1.0


def test_a_wrong_gradient_where_f_curves_within_eps_still_fails():
    log_off = Op("log", np.log, lambda g, out, x: (g * 1.1 / x,))
    with pytest.raises(GradcheckError, match=r"110000 +100335.35 .*<- fails\n"):
        gradcheck(log_off, [1e-5])


@pytest.mark.parametrize(
    "f, what",
    [
        (lambda t: np.sin(t.data), r"\(ndarray\)"),
        (lambda t: float(np.sin(t.data).sum()), r"\(float\)"),
        (lambda t: t.sin().detach(), r"\(a constant Tensor\)"),
    ],
)
def test_an_f_computing_on_its_inputs_data_is_named_not_its_rule(f, what):
    # its table alone said the gradients are 0, as if a rule gave them
    with pytest.raises(GradcheckError, match=rf"^gradcheck: f's result {what} has no graph .*np.sin\(x.data\)"):
        gradcheck(f, [np.array([0.3, 0.5])])
    assert gradcheck(lambda t: Tensor([1.0, 2.0], dtype=np.float64), [np.array([0.3, 0.5])])  # a constant f: 0
    # in float32 a change below its spacing (a slope up to 0.06 over the step 2e-6) would not show either
    with pytest.raises(GradcheckError, match="no entry of f's output moved at x") as caught:
        gradcheck(lambda t: Tensor([1.0, 2.0], dtype=np.float32), [np.array([0.3, 0.5])])
    assert caught.value.undecided


def test_a_second_derivative_check_through_a_rule_reading_raw_data_names_the_rule():
    """gradcheck(grad(f)) of an op whose rule reads raw(x): grad's result is a constant, and the message
    spoke of f computing on data alone, where f is grad itself; it names such a rule too."""
    square = Op("square", lambda x: x * x, lambda g, out, x: (2 * g * raw(x),))
    w = np.array([0.7, -1.3])
    assert np.allclose(grad(lambda y: (square(y) * w).sum())(np.array([0.5, 2.0])), [0.7, -5.2])
    with pytest.raises(GradcheckError, match=r"has no graph .*a rule that reads its inputs as data \(raw\(x\)"):
        gradcheck(lambda x: grad(lambda y: (square(y) * w).sum())(x), [np.array([0.5, 2.0])])


@pytest.mark.parametrize("x", [6e-7, -6e-7, 7e-7, 9e-7])
def test_a_right_gradient_beside_a_kink_less_than_eps_away_is_not_blamed(x):
    # relu at 0.6 eps: the central difference straddles the kink (0.8 for a slope of 1), and the row said the
    # rule fails; then that f is not differentiable (at 0.9 eps: 'cannot judge'), where it is. The differences
    # at eps / 2 and below do not straddle it, and judge the rule there: the right one passes, a wrong one fails
    assert gradcheck(lambda v: v.relu(), [x])
    assert gradcheck(lambda v: v.relu(), [x], eps=1e-8)
    wrong = Op("relu", tensor_ops.OPS["relu"].forward, lambda g, out, x: (g * ((x > 0) + 0.1),))  # off by 0.1
    with pytest.raises(GradcheckError, match="<- fails") as caught:
        gradcheck(wrong, [np.array(x)])
    assert not caught.value.undecided


def test_gradcheck_params_refuses_a_computed_tensor_naming_it():
    # moving y's data bumped its version, and backward said y was changed in place after * made it
    w = Tensor(np.ones(3), requires_grad=True)
    y = w * 2
    with pytest.raises(ValueError, match=r"y is computed \(by \*\), not a parameter"):
        gradcheck_params(lambda: (y * y).sum(), {"y": y})


def test_gradcheck_params_refuses_a_loss_that_writes_into_a_parameter():
    # each row was taken around another point, and the table blamed the gradient of the element written
    w = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)

    def loss():
        w.data[0] += 1
        return (w * w).sum()

    with pytest.raises(GradcheckError, match=r"loss\(\) changed w in place"):
        gradcheck_params(loss, {"w": w})
    assert np.array_equal(w.data, [0.5, -1.0, 2.0])


@pytest.mark.parametrize(
    "f, x, eps",
    [
        (lambda v: v * v, 1.0, 1e308),
        (lambda v: v * v, np.array([1.0, 2.0]), 1e308),  # the Jacobian's path, entry by entry
        (lambda v: (1 / (v - 1e-7)).sum(), np.array([0.0]), 1e-7),
    ],
)
@pytest.mark.filterwarnings("ignore:(overflow|divide by zero|invalid value) encountered")
def test_a_row_whose_difference_is_not_finite_says_why(f, x, eps):
    # it said only "fails", beside a numeric slope of nan or inf, blaming nothing; and gradcheck's own arithmetic on
    # those ends (inf - inf, their spacing) warned "invalid value encountered in subtract" beside f's own warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(GradcheckError, match=r"<- cannot judge: f is not finite at x \+- eps"):
            gradcheck(f, [x], eps=eps)
    assert [str(w.message) for w in caught if "autograd/check_" in w.filename.replace("\\", "/")] == []


def test_the_outputs_kept_for_the_rows_are_bounded(monkeypatch):
    # every f(x +- eps) was kept for weighing the entries: 2000 inputs by 2000 outputs held 256 MB at its peak.
    # The budget (2**22 numbers, 32 MB) made 2**16 here, so that 600 inputs exceed it: 0.8 MB at the peak,
    # 6.3 MB kept whole (at 2000 inputs and the real budget, 38 MB against 67 MB, in 2.3 s under tracemalloc)
    import tracemalloc

    assert check_weights.KEPT * 8 <= 32 * 2**20
    monkeypatch.setattr(check_weights, "KEPT", 2**16)
    # a first gradcheck in the process imports numpy.ma (1.1 MB): traced, it made the peak 1.92 MB of the 2 MB
    # bound whenever this test ran first in its process (alone, or first on its xdist worker)
    assert gradcheck(lambda v: v * 2.0, [np.linspace(-1, 1, 3)])
    tracemalloc.start()
    try:
        assert gradcheck(lambda v: v * 2.0, [np.linspace(-1, 1, 600)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2e6


def test_an_infinite_gradient_beside_a_finite_difference_fails_naming_the_rule():
    """The row said "cannot judge: f's rounding moves this slope by up to inf" (the rounding is read off the
    same backward, which the rule's inf reached), blaming finite differences for a wrong rule."""
    square = Op("square", lambda a: a * a, lambda g, out, a: (g * np.inf,))
    with pytest.raises(GradcheckError, match=r"input 0\[0\] +1 +inf +2 .*<- fails: the rule's gradient is not finite"):
        gradcheck(square, [np.array([1.0])])
