"""What each correctness check of a training step costs: compiled.py's step (compiled, or eager) timed whole and
with one check at a time replaced by a stub that skips it, beside the buffered numpy step and numpy by hand.

A stub is a timing device, not an engine: a stubbed step checks nothing it skips. Every variant runs the same step
object (one model, its buffers, the same batch), in one process with one BLAS thread on a fixed glibc heap
(harness.STEADY_HEAP), alternated in rounds; a check's cost is the median over rounds of the whole step's time less
the stubbed one's, each the median of its round.

    python benchmarks/check_costs.py [--batch 128] [--eager] [--rounds 30] [--seconds 0.3]
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

import harness
import mlp_steps
import numpy as np


def _stubs() -> dict[str, list[tuple[Any, str, Any]]]:
    """Per check: (module, name, stub) to set while it is left out."""
    from autograd import (
        compile_kernels,
        compile_kernels_softmax,
        cross_entropy_options,
        elementwise_forwards,
        op_table,
        rule_functions,
        scaled_contractions,
        tensor_forwards,
    )
    from nn import optim_base

    label_indices = cross_entropy_options.label_indices  # what sure_labels returns, without its look

    def unchecked(compute: Any, *args: Any, **kwargs: Any) -> tuple[Any, bool]:
        return compute(*args, **kwargs), True

    def plain_sum(x: Any, axis: Any, keepdims: Any, reduce: Any, out: Any = None) -> Any:
        return reduce(x, axis, keepdims=keepdims, **({} if out is None else {"out": out}))

    products = [(m, "first_try", unchecked) for m in (compile_kernels, scaled_contractions)]
    products += [(m, "product_fits", lambda a, b: True) for m in (compile_kernels, scaled_contractions)]
    return {
        "every product's result read for a partial overflow": products,
        "relu's NaN and infinity looks": [
            (compile_kernels, "gated", lambda g, f, out=None: np.multiply(g, f, out=out)),
            (compile_kernels, "unknown_at_nan", lambda f, x: f),
            (rule_functions, "squares_finite", lambda x: True),
            (elementwise_forwards, "squares_finite", lambda x: True),
            (op_table, "gated_off_nan", lambda g, f, x: np.multiply(g, f)),  # the eager rule's, bound in op_table
        ],
        "the bias sums' overflow checks": [(tensor_forwards, "unless_overflowed", plain_sum)],
        "the optimizer's read of the gradients": [(optim_base, "first_not_finite", lambda arrays: None)],
        "cross-entropy's sure labels": [
            (m, "sure_labels", lambda log_p, exp, rows, classes: label_indices(log_p.shape[1], rows, classes))
            for m in (compile_kernels_softmax, tensor_forwards)
        ],
    }


def together(n: int, eager: bool, seconds: float, rounds: int) -> dict[str, list[float]]:
    """In this process, with 1 thread: the step whole, each stubbed variant, and the two numpy steps (us)."""
    harness.pin_threads(1)
    x, y = mlp_steps.batch(n)
    step = mlp_steps.nn_step(x, y, compiled=not eager)
    numpy_steps = {"numpy, buffered": mlp_steps.buffered_step(x, y), "numpy by hand": mlp_steps.numpy_step(x, y)}
    stubs = _stubs()
    stubs["all of these at once"] = [s for group in list(stubs.values()) for s in group]

    def measure(variant: str) -> float:
        if variant in numpy_steps:
            return 1e6 * harness.median_over(numpy_steps[variant], seconds)
        saved = [(m, name, getattr(m, name)) for m, name, _ in stubs.get(variant, [])]
        for m, name, stub in stubs.get(variant, []):
            setattr(m, name, stub)
        try:
            return 1e6 * harness.median_over(step, seconds)
        finally:
            for m, name, real in reversed(saved):
                setattr(m, name, real)

    return harness.alternate(rounds, ["the step", *numpy_steps, *stubs], measure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--eager", action="store_true", help="the eager step (default: compiled)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=0.3, help="timed seconds per variant and round")
    parser.add_argument("--together", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.together:
        print(json.dumps(together(args.batch, args.eager, args.seconds, args.rounds)))
        return
    engine = "eager" if args.eager else "compiled"
    print(harness.header(f"MLP 784-256-128-10, float32, one SGD step at batch {args.batch}: what its checks cost"))
    print(f"{engine}, 1 thread, one process, medians of {args.rounds} alternated rounds (a stub skips its check)")
    flags = ["--batch", str(args.batch), "--seconds", str(args.seconds), "--rounds", str(args.rounds), "--together"]
    times = harness.run_isolated(__file__, flags + (["--eager"] if args.eager else []), threads=1, together=True)
    whole = times.pop("the step")
    print("| us a step | median | less than the step |")
    print("| --- | --- | --- |")
    print(f"| the step ({engine}) | {statistics.median(whole):.0f} | |")
    for variant, ts in times.items():
        saved = statistics.median(a - b for a, b in zip(whole, ts))
        print(f"| {variant} | {statistics.median(ts):.0f} | {saved:.1f} |", flush=True)
    print(harness.header("at the end").splitlines()[1])


if __name__ == "__main__":
    main()
