"""A sweep of draw(check=True) over ops, magnitudes and rules right and wrong (x1.01, x2, +1, sign flipped) on tensors
of 64 elements: no wrong rule green, no right rule red; it counts the greys. Slow: run it alone, or as a script
(`python tests/test_viz_check_sweep.py`) for the counts and its time."""

from __future__ import annotations

import sys
import time
from collections import Counter

import numpy as np
import pytest
from test_viz_check_flat_pieces import check_of

from autograd import Op, Tensor
from viz.check_verdicts import AGREE, DISAGREE, KINK_DISAGREE

OPS = {  # forward, slope
    "sin": (np.sin, np.cos),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "exp": (np.exp, np.exp),
    "square": (lambda x: x * x, lambda x: 2 * x),
    "cube": (lambda x: x**3, lambda x: 3 * x**2),
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0) * 1.0),
    "abs": (np.abs, np.sign),
    "max(x, 1)": (lambda x: np.maximum(x, 1.0), lambda x: (x > 1) * 1.0),
}


def _data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "normal": rng.normal(size=64),
        "normal 1e-3": rng.normal(size=64) * 1e-3,
        "normal 1e3": rng.normal(size=64) * 1e3,
        "±1e3..1e8": rng.choice([-1.0, 1.0], 64) * 10 ** rng.uniform(3, 8, 64),
        "tile 0 1 -1 2": np.tile([0.0, 1.0, -1.0, 2.0], 16),
        "whole 0..2": rng.integers(0, 3, 64).astype(float),
    }


RULES = {"right": (1.0, 0.0), "x1.01": (1.01, 0.0), "x2": (2.0, 0.0), "+1": (1.0, 1.0), "sign flipped": (-1.0, 0.0)}


def _op(name: str, factor: float, plus: float) -> Op:
    forward, slope = OPS[name]
    return Op(f"{name}_rule", forward, lambda g, out, x: (g * (factor * slope(x) + plus),))


def sweep() -> tuple[Counter, list[tuple[str, str, str, str]]]:
    """The verdicts counted by (rule right or wrong, colour), and the cases listed."""
    w = Tensor(np.random.default_rng(1).normal(size=64))
    counts, cases = Counter(), []
    for data_name, data in _data().items():
        for op_name in OPS:
            right_grad = None
            for rule, (factor, plus) in RULES.items():
                x = Tensor(data.copy(), requires_grad=True)
                with np.errstate(all="ignore"):
                    check = check_of((_op(op_name, factor, plus)(x) * w).sum(), x)
                grad = np.asarray(x.grad)
                right_grad = grad if rule == "right" else right_grad
                with np.errstate(all="ignore"):
                    off = np.abs(grad - right_grad) > 1e-3 * np.abs(right_grad)
                wrong = bool(np.any(off & np.isfinite(right_grad)))
                kind = "wrong" if wrong else "right"
                colour = {AGREE: "green", DISAGREE: "red", KINK_DISAGREE: "red"}.get(check.verdict, "grey")
                counts[kind, colour] += 1
                cases.append((f"{op_name} of {data_name}, rule {rule}", kind, colour, f"{check.verdict}: {check.part}"))
    return counts, cases


@pytest.mark.slow
def test_no_wrong_rule_is_green_and_no_right_rule_red():
    counts, cases = sweep()
    bad = [case for case in cases if case[1:3] in (("wrong", "green"), ("right", "red"))]
    assert not bad, bad


if __name__ == "__main__":
    start = time.process_time()
    counts, cases = sweep()
    for case in cases:
        if case[2] != ("green" if case[1] == "right" else "red") or "-v" in sys.argv:
            print(*case, sep=" | ")
    print(dict(sorted(counts.items())), f"{time.process_time() - start:.1f} s CPU")
