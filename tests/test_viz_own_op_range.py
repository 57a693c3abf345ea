"""An overflow inside an op of the user's own (an `autograd.Op`) is drawn and told as a table op's is: its forward's
inf or its rule's, with the value on paper. Only the op table's ops were redone in long doubles, so a user's
scaled_cube, whose rule g·3·x·x·1e-300 overflows at x = 1e200 (x·x is 1e400) though the derivative is 3e+100, drew
x's gradient as a bare inf, "1 × inf = inf"."""

import numpy as np
import pytest

import viz
from autograd import Op, Tensor, Value
from viz.captions import forward_caption
from viz.lost_masks import WIDER
from viz.steps import backward_pass

pytestmark = pytest.mark.skipif(not WIDER, reason="this platform's long double is no wider than a float")

# x³·1e-300, worked out so that its forward stays finite at 1e200 (1e-100 · 1e200 · 1e200) and its rule does not
scaled_cube = Op("scaled_cube", lambda x: (x * 1e-300) * x * x, lambda g, out, x: (g * 3 * x * x * 1e-300,))
square = Op("square", lambda x: x * x, lambda g, out, x: (2 * x * g,))


def _captions(root) -> str:
    return "\n".join(step.caption for step in viz.backward_steps(root))


def test_an_overflow_inside_a_users_rule_is_drawn_and_told_with_its_value_on_paper():
    x = Value(1e200, label="x")
    with np.errstate(all="ignore"):
        y = scaled_cube(x)
        y.label = "y"
        y.backward()
        drawn = viz.draw(y, backward=True).source
        told = _captions(y)
    assert "grad inf (lost on the way)" in drawn
    assert "= 1 × inf = inf (the local derivative lost on the way: on paper 3e+100)" in drawn
    assert "the local derivative came out inf: on paper 3e+100, a step of its float computation" in told


def test_an_overflow_inside_a_users_rule_on_a_tensor_is_counted():
    t = Tensor(np.array([1e200, 2.0]), requires_grad=True, label="t")
    with np.errstate(all="ignore"):
        s = scaled_cube(t).sum()
        s.label = "s"
        s.backward()
        drawn = viz.draw(s, backward=True).source
    assert "1 inf of 2; the rest min 1.2e-299 mean 1.2e-299 max 1.2e-299 (1 of 2 lost on the way)" in drawn


def test_an_overflow_of_a_users_forward_says_it_overflowed():
    x = Value(1e200, label="x")
    with np.errstate(all="ignore"):
        y = square(x)
        y.label = "y"
        lines = forward_caption(backward_pass(y)).splitlines()[1:]
    assert lines == ["y = square(x) = inf (overflowed: on paper 1e+400, beyond the largest float, 1.798e+308)"]


def test_a_users_op_that_draws_noise_is_not_told_of_another_draw_and_its_random_numbers_go_on():
    """Redone, x·U(1e10, 2e10) at 1e300 would be told on paper of a draw the forward never made (1.5e+310 where
    it drew 1.9e10): nothing is told, and the drawing leaves numpy's random state as it found it."""
    noisy = Op("noisy", lambda x: x * np.random.uniform(1e10, 2e10), lambda g, out, x: (g * out / x,))
    rng = np.random.default_rng(0)
    own_noise = Op("own_noise", lambda x: x * rng.uniform(1e10, 2e10), lambda g, out, x: (g * out / x,))
    for op in (noisy, own_noise):
        with np.errstate(all="ignore"):
            y = op(Value(1e300, label="x"))
            y.label = "y"
            before = np.random.get_state()[1].copy()
            lines = forward_caption(backward_pass(y)).splitlines()[1:]
        assert lines == [f"y = {op.name}(x) = inf"]
        assert (np.random.get_state()[1] == before).all()


def test_a_users_op_is_judged_once_for_its_data_not_again_at_each_drawing():
    """Judging whether an op of the user's own can be redone runs it three times (its float, two long doubles); done
    at each drawing, each edge and each step, a scaled_cube's forward ran 5 times a drawing where replay's check ran
    it once, its prints and counters repeating with it (save_html: 13 runs where 5). Judged once for its data, a
    drawing after the first runs it as often as before (replay's check, and the rule's redo of its value)."""
    runs = []
    counted = Op(
        "counted_cube",
        lambda x: runs.append(1) or (x * 1e-300) * x * x,
        lambda g, out, x: (g * 3 * x * x * 1e-300,),
    )
    t = Tensor(np.array([1e200, 2.0]), requires_grad=True, label="t")
    with np.errstate(all="ignore"):
        s = (counted(t) * 2.0).sum()
        s.label = "s"
        s.backward()
        first = viz.draw(s, backward=True).source
        del runs[:]
        again = viz.draw(s, backward=True).source
    assert again == first and "(1 of 2 lost on the way)" in again
    assert len(runs) == 2  # was 5: replay's check, the rule's redo in long doubles


def test_a_users_op_whose_zeros_lost_nothing_is_not_judged():
    """A relu of the user's own makes exact zeros, which may have lost something to the range until redone: it was
    judged (3 runs) before its value was redone, so drawing two of them ran the forward 12 times where 2 (replay's
    check), for nothing to tell. It is judged only where its redone value tells something."""
    runs = []
    own_relu = Op("own_relu", lambda x: runs.append(1) or np.maximum(x, 0), lambda g, out, x: (g * (x > 0),))
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(8, 4)), label="x")
    w = Tensor(rng.normal(size=(4, 4)), requires_grad=True, label="w")
    loss = own_relu(own_relu(x @ w) @ w).sum()
    loss.label = "loss"
    loss.backward()
    del runs[:]
    drawn = viz.draw(loss, backward=True).source
    assert "lost" not in drawn and "overflowed" not in drawn
    assert len(runs) == 6  # was 12: replay's check, the redo of each value and of each gradient, 2 each


def test_judging_a_users_op_gives_it_copies_of_the_users_arrays():
    """A forward that writes into its input with numpy's ufunc.at (which ignores the read-only view it is given: a bug
    of the user's that only detect_anomaly finds) wrote into the user's own leaf each time viz judged the op: a
    drawing took t's 3 to 11 (replay's check, which ran each op on the user's arrays too, to 6 of them). Judged on
    copies, it is left as it is."""
    from viz.own_ops import repeats

    def writes(x):
        np.add.at(x, 1, 1.0)
        return x * x * 1e300

    t = Tensor(np.array([1e10, 2.0]), requires_grad=True, label="t")
    with np.errstate(all="ignore"):
        y = Op("writes", writes, lambda g, out, x: (2 * x * g * 1e300,))(t)
        kept = t.data.copy()
        repeats(y)
    assert (t.data == kept).all()  # was [1e10, 4]


def test_a_drawing_runs_a_users_op_again_on_copies_of_the_users_arrays():
    """replay's check of data changed after the forward ran each op on its inputs' own arrays: a forward writing
    into its input (ufunc.at, through the read-only view) took the leaf's 3 to 4 at each drawing (drawn with
    backward=True, such an op is refused: its data changed after the forward)."""

    def writes(x):
        np.add.at(x, 1, 1.0)
        return x * 2.0

    t = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="t")
    y = Op("writes", writes, lambda g, out, x: (2.0 * g,))(t).sum()
    kept = t.data.copy()  # [1, 3]: the forward's own write
    viz.draw(y)
    assert (t.data == kept).all()


def test_a_users_op_on_tensors_is_redone_with_the_keywords_it_was_given():
    """A tensor's op keeps the keywords it was called with apart from the op (a Value's op is bound to them): redone
    without them, scaled(t, scale=1e-100) at 1e300 gave another value, and nothing was told of its overflow."""
    scaled = Op("scaled", lambda x, scale=1.0: x * x * scale, lambda g, out, x, scale=1.0: (2 * x * g * scale,))
    t = Tensor(np.array([1e300, 2.0]), requires_grad=True, label="t")
    with np.errstate(all="ignore"):
        r = scaled(t, scale=1e-100)
        r.label = "r"
        lines = forward_caption(backward_pass(r.sum())).splitlines()[1:]
    assert lines[0] == (
        "r = scaled(t, scale=1e-100) = 1 inf of 2; the rest min 4e-100 mean 4e-100 max 4e-100 (1 of 2 overflowed to an "
        "infinity: beyond the largest float, 1.798e+308)"
    )


def _pick_square(x, labels):
    rows = np.arange(len(labels))
    return (x[rows, labels] * 1e300) * x[rows, labels]


def _pick_square_rule(g, out, x, labels):
    rows, sent = np.arange(len(labels)), np.zeros_like(x)
    sent[rows, labels] = 2 * x[rows, labels] * 1e300 * g
    return sent, None


def test_a_users_op_with_integer_labels_is_told_with_its_labels_as_given():
    """A user's op taking integer labels (a loss's targets) was judged and redone with them as float tensors asking
    for a gradient, which autograd refuses (and long-double labels index nothing): its overflow was drawn as a bare
    inf, told nothing. The labels are now given as they are; only float inputs are widened."""
    from viz.own_ops import repeats

    pick = Op("pick_square", _pick_square, _pick_square_rule)
    x = Tensor(np.array([[1e10, 2.0], [3.0, 1.0]]), requires_grad=True, label="x")
    labels = Tensor(np.array([0, 1]), label="labels")
    with np.errstate(all="ignore"):
        r = pick(x, labels)
        r.label = "r"
        s = r.sum()
        s.label = "s"
        s.backward()
        drawn = viz.draw(s, backward=True).source
        lines = forward_caption(backward_pass(s)).splitlines()[1:]
        assert repeats(r)  # was False: nothing it lost was told
    assert lines[0] == (
        "r = pick_square(x, labels) = 1 inf of 2; the rest min 1e+300 mean 1e+300 max 1e+300 (1 of 2 overflowed to an "
        "infinity: beyond the largest float, 1.798e+308)"
    )
    assert "grad 1 inf of 4; the rest min 0 mean 6.67e+299 max 2e+300 (1 of 4 overflowed)" in drawn
    assert labels.data.dtype == np.int64 and (labels.data == [0, 1]).all()
