"""check=True's measure with rounding ops held on their stairs (numeric_leaves._stairs_held), reviewed: frac, a
rounding op (x − trunc(x), its rule 1), was not among them, so a right rule beside it at 1e15 + 0.5 was drawn red
("numeric 2 ✗ backward 3", the steps measuring its stairs' average slope) and a wrong one green; and the measure held
still took the root's value from the stairs it held still, and % and fmod's quotient from a rounded a / b, so where the
forward took another (1.0 % 0.1 takes nine 0.1s, floor(1.0 / 0.1) is 10) nothing settled: a wrong rule grey."""

import pytest

from autograd import Op, Value
from viz.graph import all_gradients, read_graph
from viz.numeric import AGREE, DISAGREE
from viz.numeric_leaves import finite_difference_checks

dbl = Op("dbl", lambda a: 2 * a, lambda g, out, a: (g,))  # rule 1, slope 2


def check_of(root, leaf):
    root.backward()
    graph = read_graph(root, None, None)
    return finite_difference_checks(root, graph.order, graph.consts, all_gradients(root, graph.order))[id(leaf)]


@pytest.mark.parametrize("at", [1e15 + 0.5, 207371497954.16196, 2601.0])
def test_a_right_rule_beside_frac_is_not_red(at):
    x = Value(at, label="x")
    assert check_of(x * 2.0 + x.frac(), x).verdict != DISAGREE


@pytest.mark.parametrize("at", [1e15 + 0.5, 207371497954.16196, 2601.0])
def test_a_wrong_rule_beside_frac_is_red(at):
    x = Value(at, label="x")
    check = check_of(dbl(x) + x.frac(), x)
    assert check.verdict == DISAGREE and abs(check.numeric - 3.0) < 1e-6 and check.analytic == 2.0


@pytest.mark.parametrize("op", ["%", "fmod"])
def test_a_remainder_held_takes_the_quotient_the_forward_took(op):
    """1.0 % 0.1 is 0.0999...: nine 0.1s taken, where floor(1.0 / 0.1) is 10. Held with ten, the root moved by 0.1
    and its one-sided slopes never settled: dbl(x) + x % 0.1 at 1.0, dbl's rule 1 for 2, was drawn grey."""
    rem = (lambda a, b: a % b) if op == "%" else (lambda a, b: a.fmod(b))
    x = Value(1.0, label="x")
    check = check_of(dbl(x) + rem(x, 0.1), x)
    assert check.verdict == DISAGREE and abs(check.numeric - 3.0) < 1e-6 and check.analytic == 2.0
    x = Value(1.0, label="x")
    assert check_of(x * 2.0 + rem(x, 0.1), x).verdict != DISAGREE
    a, b = Value(1.0, label="a"), Value(0.1, label="b")
    held = check_of(rem(a, b) * 1.0, b)  # its rule -9 in b, the slope between the stairs the forward is on
    assert held.verdict != DISAGREE and b.grad == -9.0
    c = Value(2.0, label="c")
    assert check_of(rem(c, 0.7) * 3.0, c).verdict == AGREE  # off the stairs: green as before


@pytest.mark.parametrize("at", [-5200157489523.366, -32888286236071.43])
def test_a_wrong_rule_agreeing_with_stairs_crossed_is_not_green(at):
    """dbl(x) + relu(x − floor(x) − 0.5) at -5.2e12, dbl's rule 1 for 2: the steps cross millions of floor's stairs,
    measuring relu's average slope there, 0, where its rule says 1, which cancelled dbl's error: drawn "numeric 2 ✓"
    (2 of a 150-point sweep). Held still, relu's kink lies within every step: nothing to judge by. Not green now."""
    x = Value(at, label="x")
    check = check_of(dbl(x) + (x - x.floor() - 0.5).relu(), x)
    assert check.verdict != AGREE and "stairs" in check.detail
    z = Value(at, label="z")
    assert check_of(z * 2.0 + (z - z.floor() - 0.5).relu(), z).verdict != DISAGREE  # the right rule: not red


@pytest.mark.parametrize("op", ["frac", "%", "fmod"])
def test_frac_and_a_remainders_dividend_show_their_fraction(op):
    """frac(x) at x = 1e15 + 0.5 was drawn "frac(1e+15) = 0.5" (x "data 1e+15"), and x % 3 at 1e13 + 0.5 beside
    x "data 1.000e+13", which the .5 decides, as floor's input now shows it."""
    import viz
    from viz.html import page_html

    at = 1e15 + 0.5 if op == "frac" else 1e13 + 0.5
    x = Value(at, label="x")
    y = {"frac": lambda: x.frac(), "%": lambda: x % 3.0, "fmod": lambda: x.fmod(3.0)}[op]() + x * 2.0
    y.label = "y"
    y.backward()
    full = f"{at:.1f}"
    assert f"{{ x | data {full} |" in viz.draw(y, backward=True).source
    assert full in page_html(y)


@pytest.mark.parametrize("name", ["floor", "trunc", "%", "frac"])
def test_an_own_op_named_as_a_rounding_op_is_not_held_still(name):
    """An op of one's own named "floor" (x², its rule 2x, right) was held still as floor's stairs are and drawn red,
    "numeric 1 ✗ backward 7.6 (measured with floor's stairs held still ...)": its name is the user's to choose."""
    own = Op(name, lambda a: a * a, lambda g, out, a: (2 * a * g,))
    x = Value(3.3, label="x")
    assert check_of(own(x) + x, x).verdict == AGREE


@pytest.mark.parametrize("at", [21281073090.38824, -54198758924.61615, 113831593058.58295])
def test_a_right_rule_beside_wiggles_finer_than_the_steps_is_not_red(at):
    """2·x + sin(x) at 2.1e10, its rule right: the steps first taken (1.3e5) cross thousands of sin's periods and
    measured 2, where backward's is 1.34; finer ones measured 1.3396 ± 0.008, but too coarsely to agree, and the
    disagreement stood: drawn red, "numeric 2 ✗ backward 1.34" (and since the stairs held still, beside % too)."""
    x = Value(at, label="x")
    assert check_of(x * 2.0 + x.sin(), x).verdict != DISAGREE
    z = Value(at, label="z")
    assert check_of((z * 2.0) % 3.7 + z.sin(), z).verdict != DISAGREE
    w = Value(at, label="w")
    assert check_of(dbl(w) + w.sin(), w).verdict == DISAGREE  # a wrong rule beside them: red still


def test_an_equal_zero_below_the_measures_error_is_not_green():
    """dbl(x) + |x| + floor(x) at -1e-300, dbl's rule 1 for 2: backward's 0, and the root, -1, rounds every step
    small enough to stay off floor's stair at 0 (6e-306) away: "numeric 0 ✓", though a slope of 1e289 would not have
    shown. Equal numbers agree only where the measure could tell them apart from 1."""
    x = Value(-1e-300, label="x")
    assert check_of(dbl(x) + abs(x) + x.floor(), x).verdict != AGREE
    z = Value(2.5, label="z")
    assert check_of(z.floor() * 3.0, z).verdict == AGREE  # floor's 0, flat at every step: green as before


def test_an_equal_slope_measured_exactly_stays_green():
    """Equal nonzero numbers are no rounding's chance: 2·x + relu(x − floor(x) − 0.5) at 2.8e-201 measures 2 exactly,
    though its error bound, from the -0.5 inside relu, is 1e192."""
    x = Value(2.8247874783208054e-201, label="x")
    assert check_of(x * 2.0 + (x - x.floor() - 0.5).relu(), x).verdict == AGREE


def test_a_remainder_held_rounds_at_its_dividends_size():
    """8.9 % dbl(b) at b = -0.00059, dbl's rule 1 for 2: held still, 8.9 − 2b·q cancels to 0.0005, and its rounding,
    at 8.9's size, was taken at 0.0005's: a finer step's 1.638e4 was told beside backward's 7541, the slope 1.508e4."""
    b = Value(-0.0005900847183418288, label="b")
    check = check_of(8.898715973283931 % dbl(b), b)
    assert check.verdict == DISAGREE and abs(check.numeric / (2 * check.analytic) - 1) < 1e-3
