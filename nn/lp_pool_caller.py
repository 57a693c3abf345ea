"""Who a refusal of lp_pool's machinery speaks for (`Caller`): the function the user called, on what dtype, over
what it sums (a pool's windows, a distance's or a norm's rows), so that pdist's refusal says pdist, not lp_pool,
and a float32 pool taken in float64 says so rather than only "float64"."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Caller(NamedTuple):
    """The user's function (`name`: lp_pool2d, LPPool2d, pdist, ...), the dtype of its input, and what it sums over
    ("window" or "row")."""

    name: str
    dtype: np.dtype
    part: str = "window"


def out_of(caller: Caller, work: np.dtype) -> str:
    """ "float64's range", with why where the work's dtype is not the input's ("float64's range (lp_pool1d takes
    this float32 input in float64)")."""
    words = f"{np.dtype(work)}'s range"
    if np.dtype(work) != np.dtype(caller.dtype):
        words += f" ({caller.name} takes this {np.dtype(caller.dtype)} input in {np.dtype(work)})"
    return words


def wider(caller: Caller, work: np.dtype) -> str:
    """The fix of taking it in float64, where the work was not already."""
    return (
        f", or take the {'pool' if caller.part == 'window' else 'input'} in float64"
        if np.dtype(work) != np.float64
        else ""
    )
