"""A sweep of gradcheck over ops of one's own, right and wrong rules (x1.01, x2, +1e-3, sign flipped), magnitudes
1e-8 to 1e9 and mixed, float64 and float32, the default eps and a user's: no right rule may fail, no wrong one pass.
`python tests/test_gradcheck_sweep.py` prints the counts (right -> fail, wrong -> pass, undecided, refused)."""

from __future__ import annotations

import sys
import warnings
from collections import Counter

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError, Op

W = np.array([[0.7, -1.3, 2.0], [0.4, 1.1, -0.5], [-2.2, 0.3, 0.9]])


def c(x: np.ndarray) -> np.ndarray:
    """1 and 1e9 in turn, of x's size (x * |x| at 0 beside entries of 1e9 failed its right rule at eps 0.004)."""
    return np.where(np.arange(np.size(x)) % 2 == 0, 1.0, 1e9)


# each op: forward, its slope (numpy, the truth), its rule's slope (on g's kind: arrays or nodes), positive x only
OPS = {
    "sin": (np.sin, np.cos, lambda out, x: ag.cos(x), False),
    "sin(1e5x)": (
        lambda x: np.sin(1e5 * x),
        lambda x: 1e5 * np.cos(1e5 * x),
        lambda out, x: 1e5 * ag.cos(1e5 * x),
        False,
    ),
    "exp": (np.exp, np.exp, lambda out, x: out, False),
    "x|x|": (lambda x: x * np.abs(x), lambda x: 2 * np.abs(x), lambda out, x: 2 * ag.abs(x), False),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2, lambda out, x: 1 - out * out, False),
    "sqrt": (np.sqrt, lambda x: 0.5 / np.sqrt(x), lambda out, x: 0.5 / out, True),
    "log": (np.log, lambda x: 1 / x, lambda out, x: 1 / x, True),
    "c·x|x|": (
        lambda x: c(x) * x * np.abs(x),
        lambda x: 2 * c(x) * np.abs(x),
        lambda o, x: 2 * c(x) * ag.abs(x),
        False,
    ),
    "pow": (lambda x: x**3, lambda x: 3 * x**2, lambda out, x: 3 * x * x, False),
}
RULES = {
    "right": (1.0, 0.0),
    "built-in": (1.0, 0.0),
    "x1.01": (1.01, 0.0),
    "x2": (2.0, 0.0),
    "+1e-3": (1.0, 1e-3),
    "flipped": (-1.0, 0.0),
}
BASE = np.array([0.3, -0.7, 1.3])
POINTS = {
    **{f"{m:g}": m * BASE for m in (1e-8, 1e-4, 1.0, 1e4, 1e9)},
    "mixed": np.array([1e-8, -1.0, 1e8]),
    "mixed0": np.array([0.0, 1e-8, -3e4, 1e9]),
    "zeros": np.array([1.0544744370141428, 0, 0, 0.625, 0, 0]),
}
EPS = (None, 1e-3, 0.004, 0.01)
ATOL, RTOL = 1e-5, 1e-3


# the op table's own ops, whose rules are right: none may fail
BUILT_IN = {
    "sin": lambda x: ag.sin(x),
    "sin(1e5x)": lambda x: ag.sin(1e5 * x),
    "exp": lambda x: ag.exp(x),
    "x|x|": lambda x: x * ag.abs(x),
    "c·x|x|": lambda x: c(x) * x * ag.abs(x),
    "tanh": lambda x: ag.tanh(x),
    "sqrt": lambda x: ag.sqrt(x),
    "log": lambda x: ag.log(x),
    "pow": lambda x: x**3,
}


def elementwise(name: str, factor: float, add: float) -> Op:
    forward, _, rule, _ = OPS[name]
    return Op(name, forward, lambda g, out, x: (g * (factor * rule(out, x) + add),))


def matmul(factor: float, add: float) -> Op:
    return Op("matvec", lambda x: x @ W, lambda g, out, x: (factor * (g @ W.T) + add * g,))


def wrong_beyond_tolerance(slope: np.ndarray, factor: float, add: float) -> bool:
    """Whether a rule giving factor * slope + add is off its slope beyond gradcheck's tolerance (twice over)."""
    return bool(np.any(np.abs((factor - 1) * slope + add) > 2 * (ATOL + RTOL * np.abs(slope))))


def cases():
    """(op name, rule name, point name, dtype, eps, op, x, whether the rule is wrong beyond the tolerance)."""
    for name in [*OPS, "matmul"]:
        for rule, (factor, add) in RULES.items():
            for where, x in POINTS.items():
                if name == "matmul":
                    x = x[:3] if x.size >= 3 else x
                    op, slope = matmul(factor, add), np.diag(W)
                    op = (
                        (lambda t: t @ ag.Tensor(W)) if rule == "built-in" else op
                    )  # the added part sits on the diagonal
                    wrong = wrong_beyond_tolerance(W, factor, 0.0) or wrong_beyond_tolerance(slope, 1.0, add)
                else:
                    forward, truth, _, positive = OPS[name]
                    x = np.abs(x) if positive else x
                    if positive and not np.all(x > 0):
                        continue
                    with np.errstate(all="ignore"):
                        slope = truth(x)
                    if not np.all(np.isfinite(slope)) or not np.all(np.isfinite(forward(x))):
                        continue
                    op, wrong = elementwise(name, factor, add), wrong_beyond_tolerance(slope, factor, add)
                    op = BUILT_IN[name] if rule == "built-in" else op
                wrong = wrong and rule != "built-in"
                if rule not in ("right", "built-in") and not wrong:
                    continue  # within the tolerance: passing it is right
                for dtype in (np.float64, np.float32):
                    xd = x.astype(dtype)
                    if dtype == np.float32 and not np.all(np.isfinite(forward_of(name)(xd))):
                        continue
                    for eps in EPS:
                        yield name, rule, where, dtype.__name__, eps, op, xd, wrong


def forward_of(name: str):
    return (lambda x: x @ W) if name == "matmul" else OPS[name][0]


def outcome(op: Op, x: np.ndarray, eps: float | None) -> str:
    kwargs = {} if eps is None else {"eps": eps}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ag.gradcheck(op, [x], **kwargs)
        return "pass"
    except GradcheckError as e:
        return "undecided" if e.undecided else "fail"
    except (ValueError, ArithmeticError):
        return "refused"


def sweep() -> tuple[Counter, list[tuple]]:
    counts, bad = Counter(), []
    for name, rule, where, dtype, eps, op, x, wrong in cases():
        got = outcome(op, x, eps)
        counts[("wrong" if wrong else "built-in" if rule == "built-in" else "right", got)] += 1
        if (wrong and got == "pass") or (not wrong and got != "pass"):
            bad.append((name, rule, where, dtype, eps, got))
    return counts, bad


# still failing, right: sin(1e5 x) at [1e-8, -1, 1e8], eps 0.01. The rounding inside f of the entry at 1e8 (sin of
# 1e13) is charged to every row, 1.77 at eps where the row moving x[0] alone has none: its halvings stop at eps / 32,
# their noise past the tolerance, and the extrapolation there (-960 within 121, the off-ladder checks missing by 91
# within that) failed the rule, 181646. Listed so that its fix shows here too.
KNOWN = {("sin(1e5x)", "built-in", "mixed", dtype, 0.01, "fail") for dtype in ("float64", "float32")}


@pytest.mark.slow
def test_no_right_rule_fails_and_no_wrong_rule_passes():
    counts, bad = sweep()
    assert {b for b in bad if b[-1] in ("pass", "fail")} == KNOWN
    assert counts[("wrong", "fail")] > 0 and counts[("right", "pass")] > 0 and counts[("built-in", "pass")] > 0


if __name__ == "__main__":
    counts, bad = sweep()
    if "-v" in sys.argv:
        for name, rule, where, dtype, eps, op, x, _ in cases():
            print("case", name, rule, where, dtype, eps, outcome(op, x, eps))
    for key in sorted(counts):
        print(*key, counts[key])
    for b in bad:
        print("BAD" if b[-1] in ("pass", "fail") else "right", *b)
