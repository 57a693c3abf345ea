"""The bound on the pairs of a line that a running op's rule forms under create_graph: cumprod's and
logcumsumexp's second derivatives take every pair (i, k) along the axis, n entries per entry, where a plain
backward is linear in n. Refused before any is allocated, past conv_limits' bound (RATIO times the input, at
least FLOOR entries) or memory, in one MemoryError naming the line and the way out."""

from __future__ import annotations

import math

import numpy as np


def check_line_pairs(op: str, shape: tuple[int, ...], axis: int, dtype: np.dtype, joined_by: str) -> None:
    """Refuse the pairs of `op`'s rule under create_graph along `axis` of an input of `shape` and `dtype`, where
    they pass the bound or memory, naming the ways out: a plain backward, or runs of the line, each run's `op`
    `joined_by` (cumprod's "times") the last entry of the runs before it."""
    from .conv_limits import check_bound, check_memory  # conv_limits imports the op table, through tensor_ops

    a = axis % len(shape)
    n, size = shape[a], math.prod(shape)
    fn, argument = f"{op} under create_graph", f"a line of {n} entries along axis {a}"
    fix = (
        "a plain backward (without create_graph) takes no pairs and is linear in the length; for higher derivatives "
        f"split the line into runs, each run's {op} {joined_by} the last entry of the runs before it (the same "
        "numbers, n²/runs pairs)"
    )
    check_bound(fn, argument, "its pairs (i, k)", size * n, size, fix)
    check_memory(fn, f"the pairs (i, k) of {argument}", size * n, dtype, fix)
