"""gradcheck's failure names the entry of f's output a rule is off in, its analytic and numeric slopes, and
the fix: a row of an output of several numbers weighs a block of its entries, and its two slopes (of a sum
no one computed) named none; a user had to find the entry by hand."""

import re

import numpy as np
import pytest

from autograd import GradcheckError, Op, gradcheck

FIX = "fix: the derivative rule (backward) of your op {!r}, the one op of yours f uses, gives a wrong slope there"


def _product(A: np.ndarray, wrong: np.ndarray) -> Op:
    """x -> A @ x over x's one axis (A of shape (*out_shape, n)), its rule's Jacobian A + `wrong`."""
    J = (A + wrong).reshape(-1, A.shape[-1])
    return Op("product", lambda x: A @ x, lambda g, out, x: (np.reshape(g, -1) @ J,))


@pytest.mark.parametrize("shape, entry, named", [((100,), (57,), "f[57]"), ((10, 10), (5, 7), "f[5, 7]")])
def test_a_rule_off_in_one_entry_names_it_with_both_slopes(shape, entry, named):
    rng = np.random.default_rng(0)
    A = rng.uniform(-1, 1, (*shape, 4))
    wrong = np.zeros_like(A)
    wrong[(*entry, 2)] = 0.5  # d f[entry] / d x[2] off by 0.5
    x = rng.uniform(-1, 1, 4)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(_product(A, wrong), [x])
    message = str(caught.value)
    lines = [line for line in message.splitlines() if line.startswith("  input 0[2]")]
    assert len(lines) == 1 and f": {named} analytic " in lines[0]
    analytic, numeric = (float(lines[0].split(word)[1].split(",")[0]) for word in (" analytic ", " numeric "))
    assert analytic == pytest.approx(A[(*entry, 2)] + 0.5) and numeric == pytest.approx(A[(*entry, 2)], abs=1e-6)
    assert FIX.format("product") in message and not caught.value.undecided


def test_a_failing_check_of_one_number_says_the_fix():
    wrong = Op("square", lambda x: x * x, lambda g, out, x: (g * 3 * x,))
    with pytest.raises(GradcheckError, match=re.escape(FIX.format("square"))):
        gradcheck(wrong, [0.7])


def test_the_fix_names_the_op_and_a_rule_giving_an_input_none():
    """The fix line named neither the op nor a missing gradient: 'the derivative rule of an op f uses gives a wrong
    slope ... where f uses several ops, check each alone', for f the user's one op, whose rule returned None."""
    ignores_b = Op("mul_ign", lambda a, b: a * b, lambda g, out, a, b: (g * b, None))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(ignores_b, [np.array([0.5, 1.5]), np.array([2.0, -1.0])])
    assert str(caught.value).splitlines()[-1] == (
        FIX.format("mul_ign") + ", between a failing row's input element and f's output; its gradient is 0 where f "
        "moves (input 1[0], input 1[1]): does a rule return None or 0 for an input it uses?"
    )
    square = Op("square", lambda x: x * x, lambda g, out, x: (g * 3 * x,))
    with pytest.raises(GradcheckError, match=r"of one of your ops f uses \('mul_ign', 'square'\) gives a wrong slope"):
        gradcheck(lambda x, y: square(x) + ignores_b(x, y), [0.7, 0.2])


def test_a_check_that_cannot_judge_blames_no_rule():
    plus = Op("plus", lambda x: x + 1e12, lambda g, out, x: (g * 0,))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(plus, [np.array([0.5, 0.25])])
    assert caught.value.undecided and "fix:" not in str(caught.value) and "each alone" not in str(caught.value)


def test_an_entry_whose_difference_only_rounds_is_not_named():
    # 1e8 + x has slope 1, its difference 0.9984 at x = 0.3 (the spacing of 1e8 over 2 eps): it was named off
    # by 0.0016, beside the entry the rule is off in
    def rule(g, out, x):
        return (np.array([g[0] * 1.02 + g[1] + g[2]]),)

    op = Op("offsets", lambda x: np.concatenate([x, 1e8 + x, 2e8 + x]), rule)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(op, [np.array([0.3])])
    lines = [line for line in str(caught.value).splitlines() if line.startswith("  input 0[0]")]
    assert lines == ["  input 0[0]: f[0] analytic 1.02, numeric 1, abs error 0.02"]


def test_a_row_that_cannot_be_judged_shows_its_entries_own_numbers():
    """A squared relu (right rule) at [0.0, 1.0]: the row of input 0[0] cannot be judged, its numbers those of
    sum(w * f), 'numeric 0.00016468', where its entry's own central difference is 5e-7, below atol; the table
    now ends with each entry's own slopes."""
    relu2 = Op("relu2", lambda x: np.maximum(x, 0) ** 2, lambda g, out, x: (g * 2 * np.maximum(x, 0),))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(relu2, [np.array([0.0, 1.0])])
    assert caught.value.undecided
    lines = str(caught.value).splitlines()
    assert lines[-2].startswith("the entries of f's output the first rows that cannot be judged weigh, each alone")
    assert lines[-1] == "  input 0[0]: f[0] analytic 0, numeric 5e-07, abs error 5e-07"


def test_the_entries_named_are_read_off_the_jacobian_gradcheck_keeps(monkeypatch):
    """A failing row's entries were each compared by a backward pass of their own, though gradcheck holds every
    entry's gradient already (its Jacobian, one pass per entry of f's output): 100 outputs took 100 + 32 passes for
    one failing row; the lines read that Jacobian, and the criterion is written once (check_jacobian.off_alone)."""
    from autograd import check_entries, check_jacobian

    passes = []
    counted = check_jacobian.entry_gradients

    def entry_gradients(*args):
        passes.append(args[2])
        return counted(*args)

    monkeypatch.setattr(check_jacobian, "entry_gradients", entry_gradients)
    monkeypatch.setattr(check_entries, "entry_gradients", entry_gradients, raising=False)
    rng = np.random.default_rng(0)
    A, x = rng.uniform(-1, 1, (100, 4)), rng.uniform(-1, 1, 4)
    wrong = np.zeros_like(A)
    wrong[57, 2] = 0.5
    with pytest.raises(GradcheckError, match=r"  input 0\[2\]→f\[32:64\]: f\[57\] analytic "):
        gradcheck(_product(A, wrong), [x])
    assert sorted(passes) == list(range(100))
