"""A check that f's rounding kept from judging, taken again at a larger eps to fail a wrong rule it hid.

Where a row's error is within how far f's rounding moves its slope (f's output large beside the slope measured:
sum(c * tanh(x)), c 1 and 1e9 in turn, rounding of up to 6.2 at eps 1e-6), the row cannot be judged, and a check
with no row failing outright is undecided: judged_gradcheck rejects the point, and a rule doubled at x[4] (1.96
for 0.98) never failed there. The rounding's share of a slope shrinks as 1 / eps: the whole check is taken again at
the eps that brings it below a quarter of the error of the row it hides the most (a power of two times eps, at
most REACH times), with every screen of a check at that eps (a bend within it, a kink, a pole or a domain's edge);
a failure there is told, after a line saying so, where a row failing there is one f's rounding hid at eps: where f
bends within the larger step, other rows' truncation grows (x * |x| at 0 beside entries of 1e9: 0.0041 at 4096 eps,
where its bend screen let one row fail), and a row judged, or undecided for another reason, at eps tells nothing
there. A right rule is not passed by it: a larger step is taken only to fail a rule, never to pass one, and where
the check there does not fail so, the check at eps stands, undecided."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from contextvars import ContextVar

from .check_numeric import GradcheckError
from .check_refusals import REACH
from .check_table import ROUNDS, UNDECIDED
from .check_verdict import Row, failing, judged_rows

# inside a check taken again (not again): the rows its verdict judged, once it has them
_WIDENING: ContextVar[list[list[Row]] | None] = ContextVar("widening", default=None)


def _hidden(rows: list[Row], atol: float, rtol: float) -> list[Row]:
    """The rows that cannot be judged for f's rounding alone, finite (a rounding of inf, through a slope of inf
    beside the row: sqrt's at 0, no eps brings down)."""
    return [
        r
        for r, wrong in judged_rows(rows, atol, rtol)
        if wrong.startswith(UNDECIDED + ROUNDS) and 0 < r.error < math.inf and r.rounding < math.inf
    ]


def wider_eps(rows: list[Row], eps: float, atol: float, rtol: float) -> float | None:
    """The eps to take the check again at, where a row cannot be judged for f's rounding alone: the least power of
    two times eps at which that rounding is below a quarter of the row's error, of the row needing the least (the
    one most likely a wrong rule's), at most REACH eps; None where no row is such."""
    needs = [4 * r.rounding / r.error for r in _hidden(rows, atol, rtol)]
    if not needs:
        return None
    return eps * min(2.0 ** math.ceil(math.log2(max(2.0, min(needs)))), float(REACH))


def failed_wider(
    check: Callable[[float], object], rows: list[Row], tolerances: tuple[float, float, float], failed: GradcheckError
) -> None:
    """Where `failed`, the check's verdict on `rows`, is undecided: raise the failure of `check` (the same check, at
    another eps) at wider_eps, if a row f's rounding hid fails outright there, after a line saying why it was taken;
    else nothing (a check refused or undecided there tells nothing more). Inside such a check, keep its rows."""
    eps, atol, rtol = tolerances
    seen = _WIDENING.get()
    if seen is not None:
        seen.append(rows)
        return
    wider = wider_eps(rows, eps, atol, rtol) if failed.undecided else None
    if wider is None:
        return
    hidden = {r.label for r in _hidden(rows, atol, rtol)}
    seen = []
    token = _WIDENING.set(seen)
    try:
        with warnings.catch_warnings():  # said once by the check at eps (float32 inputs upcast)
            warnings.simplefilter("ignore")
            check(wider)
    except GradcheckError as wide:
        if not wide.undecided and seen and hidden & {r.label for r in failing(seen[-1], atol, rtol)}:
            raise GradcheckError(
                f"gradcheck: at eps={eps} f's rounding kept some rows from being judged; taken again at "
                f"eps={wider:.2g}, where it moves each slope {wider / eps:g} times less, the check fails:\n{wide}"
            ) from None
    except Exception:  # refused at that eps, or f raised there (a step outside its domain): nothing more to tell
        return
    finally:
        _WIDENING.reset(token)
