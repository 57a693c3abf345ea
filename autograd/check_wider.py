"""A check that f's rounding kept from judging, taken again at a larger eps to fail a wrong rule it hid.

Where a row's error is within how far f's rounding moves its slope (f's output large beside the slope measured:
sum(c * tanh(x)), c 1 and 1e9 in turn, rounding of up to 6.2 at eps 1e-6), the row cannot be judged, and a check
with no row failing outright is undecided: judged_gradcheck rejects the point, and a rule doubled at x[4] (1.96
for 0.98) never failed there. The rounding's share of a slope shrinks as 1 / eps: the whole check is taken again at
the eps that brings it below a quarter of the error of the row it hides the most (a power of two times eps, at
most REACH times), with every screen of a check at that eps (a bend within it, a kink, a pole or a domain's edge);
a failure there is told, after a line saying so. A right rule is not passed by it: a larger step is taken only to
fail a rule, never to pass one, and where the check there does not fail, the check at eps stands, undecided."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from contextvars import ContextVar

from .check_numeric import GradcheckError
from .check_refusals import REACH
from .check_table import UNDECIDED
from .check_verdict import Row, judged_rows

_WIDENING: ContextVar[bool] = ContextVar("widening", default=False)  # inside a check taken again: not again


def wider_eps(rows: list[Row], eps: float, atol: float, rtol: float) -> float | None:
    """The eps to take the check again at, where a row cannot be judged for f's rounding alone: the least power of
    two times eps at which that rounding is below a quarter of the row's error, of the row needing the least (the
    one most likely a wrong rule's), at most REACH eps; None where no row is such (a rounding of inf, through a slope
    of inf beside the row: sqrt's at 0, no eps brings down)."""
    needs = [
        4 * r.rounding / r.error
        for r, wrong in judged_rows(rows, atol, rtol)
        if wrong.startswith(f"{UNDECIDED}f's rounding moves") and 0 < r.error < math.inf and r.rounding < math.inf
    ]
    if not needs:
        return None
    return eps * min(2.0 ** math.ceil(math.log2(max(2.0, min(needs)))), float(REACH))


def failed_wider(check: Callable[[float], object], rows: list[Row], tolerances: tuple[float, float, float]) -> None:
    """Raise the failure of `check` (the same check, at another eps) at wider_eps, if it fails outright there,
    after a line saying why it was taken; else nothing (a check refused or undecided there tells nothing more)."""
    eps, atol, rtol = tolerances
    wider = None if _WIDENING.get() else wider_eps(rows, eps, atol, rtol)
    if wider is None:
        return
    token = _WIDENING.set(True)
    try:
        with warnings.catch_warnings():  # said once by the check at eps (float32 inputs upcast)
            warnings.simplefilter("ignore")
            check(wider)
    except GradcheckError as failed:
        if not failed.undecided:
            raise GradcheckError(
                f"gradcheck: at eps={eps} f's rounding kept some rows from being judged; taken again at "
                f"eps={wider:.2g}, where it moves each slope {wider / eps:g} times less, the check fails:\n{failed}"
            ) from None
    except Exception:  # refused at that eps, or f raised there (a step outside its domain): nothing more to tell
        return
    finally:
        _WIDENING.reset(token)
