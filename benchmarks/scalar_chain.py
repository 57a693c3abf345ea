"""A long chain of scalar ops, built and differentiated by chainrule and by the scalar floor.

`x = x * 1.000001 + 0.5`, repeated until the chain has `ops` ops: one node per op, each the
only parent of the next, so the build is nothing but making nodes. The garbage collector is on
in both, as users run them: a million live objects make each of its full passes long.
"""

from __future__ import annotations

import time
from statistics import median
from typing import Any

import harness
import scalar_floor

import autograd

VALUES = {"chainrule": autograd.Value, "floor": scalar_floor.TapeValue}


def build_and_backward(value: type, ops: int) -> tuple[float, float]:
    """Seconds to build the chain and seconds for its backward pass (freeing it is off the clock)."""
    start = time.perf_counter()
    x: Any = value(1.0)
    for _ in range(ops // 2):
        x = x * 1.000001 + 0.5
    built = time.perf_counter()
    x.backward()
    done = time.perf_counter()
    del x
    return built - start, done - built


def compare(ops: int, rounds: int) -> str:
    """A table: chainrule's and the floor's build and backward times, and their ratios."""
    runs = harness.alternate(rounds, list(VALUES), lambda name: build_and_backward(VALUES[name], ops))
    lines = [
        f"| chain of {ops:,} ops | chainrule | floor (slot nodes, tape) | chainrule / floor |",
        "| --- | --- | --- | --- |",
    ]
    for k, what in enumerate(("build", "backward")):
        ours, floor = [r[k] for r in runs["chainrule"]], [r[k] for r in runs["floor"]]
        ratio = harness.median_ratio(ours, floor)
        lines.append(f"| {what} | {1000 * median(ours):.0f} ms | {1000 * median(floor):.0f} ms | {ratio:.2f}x |")
    return "\n".join(lines)
