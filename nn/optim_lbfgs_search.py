"""LBFGS's strong-Wolfe line search, as torch.optim.LBFGS's (line_search_fn="strong_wolfe", after minFunc):
from the step length t along the direction d, a bracketing phase that grows t (by cubic interpolation,
between 1.01 and 10 times the last step) until an interval holds a point of the strong Wolfe conditions (or
one is met), then a zoom phase that shrinks the interval by cubic interpolation, kept a tenth of the interval
away from its ends where the last trial was too close. c1 = 1e-4 (sufficient decrease), c2 = 0.9 (curvature),
at most `max_ls` evaluations after the first."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

C1, C2 = 1e-4, 0.9  # PyTorch's: sufficient decrease, and the curvature condition's factor


@dataclass
class Trial:
    """A step length tried, with the loss, the gradient and the slope along the direction there."""

    t: Any
    f: float
    g: np.ndarray
    slope: Any


def cubic_minimum(a: Trial, b: Trial, bounds: tuple[Any, Any] | None = None) -> Any:
    """The minimiser of the cubic through two trials' losses and slopes, within `bounds` (the interval between
    them unless given); the middle of the bounds where the cubic has no minimum (its discriminant negative) or
    no single one: two trials at one step length (an interval closed on a point, a first step of 0), where
    torch's 0 / 0 is NaN, so the middle too (Python's numbers would raise ZeroDivisionError)."""
    low, high = bounds if bounds is not None else (min(a.t, b.t), max(a.t, b.t))
    if a.t == b.t:
        return (low + high) / 2.0
    far, near = (b, a) if a.t <= b.t else (a, b)  # written from the farther end
    d1 = a.slope + b.slope - 3 * (a.f - b.f) / (a.t - b.t)
    squared = d1**2 - a.slope * b.slope
    if not squared >= 0:
        return (low + high) / 2.0
    d2 = math.sqrt(squared) if isinstance(squared, float) else np.sqrt(squared)
    at = far.t - (far.t - near.t) * ((far.slope + d2 - d1) / (far.slope - near.slope + 2 * d2))
    return min(max(at, low), high)


def strong_wolfe(
    evaluate: Callable[[Any], tuple[float, np.ndarray]],
    d: np.ndarray,
    start: Trial,
    t: Any,
    tolerance_change: float,
    max_ls: int,
) -> tuple[Trial, int]:
    """The trial the search ends on, and how many times it called `evaluate(t)` (the loss and the gradient at
    the start plus t * d), from `start` (t = 0: the loss, gradient and slope where the step begins) and the
    first step length `t`."""
    largest = np.abs(d).max()
    decrease = start.slope  # the slope at the start, negative

    def at(t: Any) -> Trial:
        f, g = evaluate(t)
        return Trial(t, f, g, g @ d)

    def sufficient(trial: Trial) -> bool:
        return not trial.f > start.f + C1 * trial.t * decrease

    def flat_enough(trial: Trial) -> bool:
        return abs(trial.slope) <= -C2 * decrease

    new, evals, tried = at(t), 1, 0
    prev = Trial(0, start.f, start.g, start.slope)
    bracket: list[Trial] | None = None
    done = False
    while tried < max_ls:  # bracketing
        if not sufficient(new) or (tried > 1 and new.f >= prev.f):
            bracket = [prev, new]
            break
        if flat_enough(new):
            bracket, done = [new], True
            break
        if new.slope >= 0:
            bracket = [prev, new]
            break
        bounds = (new.t + 0.01 * (new.t - prev.t), new.t * 10)
        prev, new = new, at(cubic_minimum(prev, new, bounds))
        evals, tried = evals + 1, tried + 1
    if tried == max_ls:  # out of evaluations: between the start and the last trial
        bracket = [Trial(0, start.f, start.g, None), new]
    assert bracket is not None
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    stuck = False  # the last trial was too close to an end of the interval
    while not done and tried < max_ls:  # zoom
        ends = (min(bracket[0].t, bracket[1].t), max(bracket[0].t, bracket[1].t))
        if abs(bracket[1].t - bracket[0].t) * largest < tolerance_change:
            break
        t = cubic_minimum(bracket[0], bracket[1])
        margin = 0.1 * (ends[1] - ends[0])
        if min(ends[1] - t, t - ends[0]) < margin:
            if stuck or t >= ends[1] or t <= ends[0]:
                t = ends[1] - margin if abs(t - ends[1]) < abs(t - ends[0]) else ends[0] + margin
                stuck = False
            else:
                stuck = True
        else:
            stuck = False
        new = at(t)
        evals, tried = evals + 1, tried + 1
        if not sufficient(new) or new.f >= bracket[low].f:
            bracket[high] = new
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if flat_enough(new):
                done = True
            elif new.slope * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new
    return bracket[low], evals
