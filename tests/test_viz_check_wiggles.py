"""check=True never calls a right rule wrong where the finite difference cannot measure the slope: steps wider than a
term's wiggles (sin's period beside steps of 1e8 at 2e13) average over them, and the steps fine enough to follow them
are swamped by the root's rounding (2·x + sin(x) at 4.4e14 rounds by 1.6 per unit of step). Those were drawn red,
"numeric 2 ✗ backward 3"; beside % the note blamed %'s stairs. Grey now, saying why; wrong rules that a finer step
does measure stay red."""

import numpy as np
import pytest

from autograd import Op, Value
from viz.graph import all_gradients, read_graph
from viz.numeric import DISAGREE, TOO_SMALL, UNMEASURED
from viz.numeric_leaves import finite_difference_checks

dbl = Op("dbl", lambda a: 2 * a, lambda g, out, a: (g,))  # rule 1, slope 2
wide_tan = Op("wide_tan", np.tan, lambda g, out, a: (g * 1.5 / np.cos(a) ** 2,))  # rule 1.5 times tan's


def check_of(root, leaf):
    root.backward()
    graph = read_graph(root, None, None)
    return finite_difference_checks(root, graph.order, graph.consts, all_gradients(root, graph.order))[id(leaf)]


RIGHT_RULES_RED_BEFORE = [
    ("sin(x) + floor(x)", lambda x: x.sin() + x.floor(), 23602276197599.156),
    ("cos(x)", lambda x: x.cos(), 74718169315905.25),
    ("2x + sin(x)", lambda x: x * 2.0 + x.sin(), 103407123120408.64),
    ("2x + sin(x)", lambda x: x * 2.0 + x.sin(), 437873563629729.44),
    ("2x + sin(x)", lambda x: x * 2.0 + x.sin(), -9498399266983.271),
    ("2x + cos(x)", lambda x: x * 2.0 + x.cos(), 218988486243766.72),
    ("sin(x) + x % 3.7", lambda x: x.sin() + x % 3.7, 42583872093444.76),
    ("tan(x·x) + floor(x)", lambda x: (x * x).tan() + x.floor(), 81948327037661.22),
]


@pytest.mark.parametrize(
    "name, f, at", RIGHT_RULES_RED_BEFORE, ids=[f"{n} at {a:g}" for n, _, a in RIGHT_RULES_RED_BEFORE]
)
def test_a_right_rule_beside_wiggles_no_step_can_follow_is_grey_and_says_why(name, f, at):
    x = Value(at, label="x")
    check = check_of(f(x), x)
    assert check.verdict != DISAGREE and (check.detail or check.verdict == TOO_SMALL), (name, check)
    assert "stairs held still" not in check.detail  # sin's wiggles were told as %'s stairs


def test_the_note_names_the_term_that_bends():
    x = Value(437873563629729.44, label="x")
    check = check_of(x * 2.0 + x.sin(), x)
    assert check.verdict == UNMEASURED and check.detail.startswith("sin bends within the steps")


@pytest.mark.parametrize(
    "f, at",
    [
        (lambda x: dbl(x) + x.sin(), 21281073090.38824),  # finer steps follow sin: 1.34 measured, backward 0.34
        (lambda x: x * 2.0 + wide_tan(x), -54765.79165301141),  # tan bends at the wider steps only
        (lambda x: wide_tan(x * x) + x.floor(), -6.283185307180586),  # x·x's rounding carried into tan, not bends
    ],
)
def test_a_wrong_rule_a_finer_step_measures_stays_red(f, at):
    x = Value(at, label="x")
    assert check_of(f(x), x).verdict == DISAGREE


SMOOTH = {
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "tan": lambda x: x.tan(),
    "tanh": lambda x: x.tanh(),
    "exp": lambda x: x.exp(),
    "log": lambda x: abs(x).log(),
    "pow": lambda x: abs(x) ** 2.5,
}
BESIDE = {
    "alone": lambda x, s: s,
    "2x +": lambda x, s: x * 2.0 + s,
    "+ floor": lambda x, s: s + x.floor(),
    "+ round": lambda x, s: s + x.round(),
    "+ %": lambda x, s: s + x % 3.7,
    "+ frac": lambda x, s: s + x.frac(),
}


def points() -> list[float]:
    """Magnitudes 1e-8 to 1e16, and points beside zeros of sin's and cos's slopes, up to 1e14."""
    rng = np.random.default_rng(46)
    grid = [s * m * 10.0**e for e in range(-8, 17, 2) for s, m in ((1, rng.uniform(1, 10)), (-1, rng.uniform(1, 10)))]
    zeros = [k * np.pi / 2 for k in (1, 2, 7, 8, *rng.integers(1e7, 1e14, 6))]
    return grid + zeros + [z + 1e-7 for z in zeros]


@pytest.mark.parametrize("beside", list(BESIDE))
@pytest.mark.parametrize("op", list(SMOOTH))
def test_no_right_rule_is_red_over_magnitudes_and_beside_zeros_of_the_slope(op, beside):
    red = []
    with np.errstate(all="ignore"):
        for at in points():
            x = Value(float(at), label="x")
            try:
                root = BESIDE[beside](x, SMOOTH[op](x))
            except ArithmeticError:  # exp(1e16) overflows
                continue
            if check_of(root, x).verdict == DISAGREE:
                red.append(at)
    assert red == []


def forgot(op: str) -> Op:
    """An op whose rule gives 0: a rule forgotten."""
    return Op(f"forgot_{op}", getattr(np, op), lambda g, out, a: (g * 0.0,))


@pytest.mark.parametrize(
    "f, at",
    [
        (lambda x: forgot("sin")(x * 3.0) + x, 55.4093433062158),
        (lambda x: forgot("sin")(x * x) + 1.0, -5.005686752943819),
        (lambda x: forgot("sin")(x * x) * x, -5.005686752943819),
        (lambda x: forgot("exp")(x * 3.0) + x, 55.4093433062158),
    ],
)
def test_a_rule_of_0_inside_the_root_stays_red(f, at):
    # the rounding a term carries from its input (x·3 = 166 rounds at 3e-14, moving sin by as much) was weighed by
    # backward's gradients, which a rule of 0 makes 0: sin seemed to bend at fine steps and took back the red
    x = Value(at, label="x")
    assert check_of(f(x), x).verdict == DISAGREE
