"""The table of a failed gradcheck (its rows judged by check_verdict): the rows, what each row's verdict
means, and what to do, under them; and the words a row's verdict begins with."""

from __future__ import annotations

from .check_grain import PROBE
from .check_scales import FAR, FAR_ROW

_MAX_ROWS = 30
UNDECIDED = "<- cannot judge: "  # how a row finite differences cannot judge begins (GradcheckError.undecided)
JUMPS = "<- not continuous here: "  # how a row where f jumps begins
FAILS = "<- fails"  # a row whose rule disagrees with f's difference beyond all doubt
BREAKS_ONLY = "no gradient can be checked there, and none is seen to disagree"  # a table of kinks and jumps alone
ROUNDS = "f's rounding moves this slope by up to "  # a row whose error is within how far f's rounding moves it
STEPS = "f's output lies on a grid far coarser than its dtype's (rounding inside f), moving this slope by"
HIDDEN = (
    "an entry of f's output did not move at x +- eps, and rounds too coarsely to show a slope of 10 atol: "
    "this row cannot vouch for its gradient"
)

# a row still at x +- eps that moves on both sides within PROBE eps, at a slope not the rule's (check_grain.stairs):
# the treads of a step function, whose 0 is right, or x kept to a grain inside f, whose 0 is wrong, look alike
TREADS = f"f's output did not move at x +- eps, but moves on both sides within {PROBE} eps (a slope of "
TREADS_WHY = (
    f": treads of a step function narrower than {PROBE} eps (floor(1e4 x) / 1e4 steps every 1e-4; a smaller eps "
    "tells) or x kept to a grain inside f (sin(x + 1e11) keeps x to steps of 1.5e-5; an eps far above that tells)"
)


def not_finite_at(where: str = "x +- eps") -> str:
    """The verdict of a row where f is not finite (or undefined) at a step within 2 eps (`where`): no difference
    measures its slope there, whatever the rule."""
    return (
        f"{UNDECIDED}f is not finite at {where} (a pole, an overflow or a domain's edge that close): check with a "
        "smaller eps, or at a point farther from it"
    )


def table(rows: list[tuple], eps: float, atol: float, rtol: float, outputs: int) -> str:
    """The table of judged `rows` (label, value, analytic, numeric, errors, refined, verdict), failing ones
    first, and a note under it for each kind of verdict among them (`outputs`: how many numbers f gives)."""
    failed = [r for r in rows if r[-1]]
    shown = (failed + [r for r in rows if not r[-1]])[:_MAX_ROWS]
    head = ("input", "at value", "analytic", "numeric", "abs error", "rel error", "")
    body = [
        (name, f"{x:.6g}", f"{a:.8g}", f"{n:.8g}", f"{ae:.3g}", f"{re:.3g}", wrong)
        for name, x, a, n, ae, re, _, wrong in shown
    ]
    widths = [max(len(r[c]) for r in [head, *body]) for c in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in [head, *body]]
    hidden = len(rows) - len(shown)
    if hidden:
        hidden_failing = len(failed) - sum(1 for r in shown if r[-1])
        lines.append(
            f"... {hidden} more rows, {hidden_failing} of them failing"
            if hidden_failing
            else f"... {hidden} more rows, all passing"
        )
    kinks = any("not differentiable" in r[-1] for r in failed)
    jumps = [r[0] for r in failed if r[-1].startswith(JUMPS)]
    unjudged = any(ROUNDS in r[-1] for r in failed)
    stepped = any(STEPS in r[-1] for r in failed)
    hidden = any(HIDDEN in r[-1] for r in failed)
    curved = any("bends within eps" in r[-1] for r in failed)
    far = any(FAR_ROW in r[-1] for r in failed)
    directions = any(r[0].endswith("·d") for r in rows)
    refined = [r[0] for r in rows if r[-2]]
    return "\n".join(
        [
            _headline(failed, len(rows)),
            *lines,
            "analytic: from backward; numeric: central difference (f(x+eps) - f(x-eps)) / ((x+eps) - (x-eps)) "
            f"with eps={eps}; abs error: |analytic - numeric|; rel error: abs error / |numeric|;",
            f"a row fails when abs error > atol + rtol * |numeric| (atol={atol}, rtol={rtol}).",
            *(
                [
                    "where f's output rounds by as much as the difference measures (large values, cancellation, "
                    "f computing in float32), finite differences cannot tell a right gradient from a wrong one: "
                    "check at a point of smaller magnitude, with f computing in float64, or with a larger eps, where f "
                    "is smooth over it (the rounding's share of the slope shrinks as 1 / eps)"
                ]
                if unjudged
                else []
            ),
            *(
                [
                    "f's numbers keep far fewer bits than their dtype (rounding inside f that its graph does not "
                    "show: (x + 1e12) - 1e12 in an op of yours keeps x to steps of 1.2e-4; a computation in float32 "
                    "given back as float64), so a difference at this eps measures that rounding, and finite "
                    "differences cannot tell a right gradient from a wrong one: compute f without it, or check "
                    "with an eps well beyond its steps"
                ]
                if stepped
                else []
            ),
            *(
                [
                    "an entry of f's output that did not move at x +- eps, and is too large for 2 eps to show a "
                    "slope of 10 atol in it (1e12 beside 2 x), is not judged by a row that sums it with entries "
                    "that moved (a rule wrong in it passed): check it alone, with a larger eps, or at a smaller "
                    "magnitude"
                ]
                if hidden
                else []
            ),
            *([FAR] if far else []),
            *(
                [
                    f"{_few(refined)}: the numeric slope is extrapolated from central differences at eps / 2, eps / 4, "
                    "... (Richardson's) where they shrink as a smooth f's do, f curving within eps, or is theirs where "
                    "they stay as at eps, f straight there"
                ]
                if refined
                else []
            ),
            *(
                [
                    "where f bends within eps of the point (curves fast, or has a kink or a jump less than eps "
                    "away), the central difference is off by as much as the error (where f is smooth, its "
                    "truncation: about eps**2 / 6 times f'''), and finite differences cannot tell a right gradient "
                    "from a wrong one: check with a smaller eps (eps=1e-8), or at a point farther from the bend "
                    "(where f computes in float32, a smaller eps shows its rounding instead: compute f in float64)"
                ]
                if curved
                else []
            ),
            *(
                [
                    "a row x[...]·d is the slope along a direction d that moves the elements x[...] indexes (x[7, :]: "
                    "row 7; x[i] to x[j]: those from x[i] to x[j] in x.ravel()'s order) alone, each weighed by 1 / its "
                    "tolerance; its value is their norm, and it "
                    "fails when abs error > the sum of their tolerances along d: some element is off by more "
                    "than its own (check it with max_per_param=None)"
                ]
                if directions
                else []
            ),
            *([_outputs_note(outputs, any("→f[" in r[0] for r in rows))] if outputs > 1 else []),
            *(
                [
                    "f has a kink where the one-sided slopes (f(x) - f(x-eps)) / eps and (f(x+eps) - f(x)) / eps "
                    "differ by as much at 2 and 4 eps: no gradient can be checked there; check at a point away from "
                    "it (a bend narrower than eps looks the same: then a smaller eps tells)"
                ]
                if kinks
                else []
            ),
            *(
                [
                    f"f jumps at {_few(jumps)}: f(x+eps) - f(x-eps), less a slope's part, stays about as large at "
                    "eps / 4, 2 and 4 eps, where a slope's would double, as at a step (floor, sign, round, a "
                    "branch on x's value): f is not continuous there, no gradient can be checked, and the rule is "
                    "not to blame; check at a point away from the jump (a continuous change narrower than eps / 4 "
                    "looks the same, and a rule there may be wrong: a smaller eps tells)"
                ]
                if jumps
                else []
            ),
        ]
    )


def _headline(failed: list[tuple], rows: int) -> str:
    """The table's first line: how many rows disagree, or, where none is seen to, how many cannot be judged
    (a 0 beside a 0 where no entry moved read '2 of 2 gradients disagree')."""
    if all(r[-1].startswith(UNDECIDED) for r in failed):
        judged = "cannot be judged by finite differences (none is seen to disagree)"
        return f"gradcheck: {len(failed)} of {rows} gradients {judged}"
    if any(r[-1].startswith(FAILS) for r in failed):
        return f"gradcheck: {len(failed)} of {rows} gradients disagree with finite differences"
    # kinks and jumps at the point (and rows not judged): no rule is seen to be wrong, so none is said to disagree
    breaks = [r for r in failed if not r[-1].startswith(UNDECIDED)]
    jumps = [r[0] for r in breaks if r[-1].startswith(JUMPS)]
    kinks = [r[0] for r in breaks if not r[-1].startswith(JUMPS)]
    where = [
        *([f"not continuous at {_few(jumps)} (it jumps within eps / 4 of the point)"] if jumps else []),
        *([f"not differentiable at {_few(kinks)} (a kink: its one-sided slopes differ)"] if kinks else []),
    ]
    return f"gradcheck: f is {' and '.join(where)}: {BREAKS_ONLY}"


def _outputs_note(outputs: int, blocks: bool) -> str:
    """What a row is of, for an f of several `outputs` (`blocks`: its rows are each of a block of them)."""
    if not blocks:
        return f"f gives {outputs} numbers: each row is of sum(w * f(x)), w fixed random weights, not of one of them."
    return (
        f"f gives {outputs} numbers: a row x[i]→f[...] is of sum(w * f(x)) over the entries f[...] indexes (f[2, :]: "
        "row 2; f[j] to f[k]: those from f[j] to f[k] in its ravel's order) alone, w fixed random weights, each "
        "entry's weighed by 1 / its tolerance (atol + rtol * its largest slope, + 1e4 times that slope's rounding): "
        "an entry whose gradient is off by more than 64 times that fails its row; a row x[i]→f[j] (f[2, 5]) is of "
        "that entry alone, judged where its block's row agrees."
    )


def _few(labels: list[str], shown: int = 5) -> str:
    """Row labels for a message, cut after `shown`."""
    more = f" and {len(labels) - shown} more" if len(labels) > shown else ""
    return ", ".join(labels[:shown]) + more
