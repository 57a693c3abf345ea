"""A compiled training step (autograd.compile) against eager chainrule, PyTorch and the GEMM floor.

One SGD step of the MLP 784-256-128-10 on float32 with cross-entropy (benchmarks/mlp_steps.py),
written with nn.Linear and nn.SGD, eager and compiled; PyTorch eager; the step written in numpy
with every array made once (the least a replay in numpy can do); and the step's 8 matrix
products alone. For each batch size, all engines in one process with 1 thread (on a fixed glibc
heap, harness.STEADY_HEAP), alternated in rounds (harness.alternate), medians of per-round ratios.

    python benchmarks/compiled.py [--batches 1,8,32,128,512,2048] [--rounds 5] [--seconds 0.5]
"""

from __future__ import annotations

import argparse
import json
import statistics

import harness
import mlp_steps

ENGINES = {
    "compiled": lambda x, y: mlp_steps.nn_step(x, y, compiled=True),
    "eager": mlp_steps.nn_step,
    "torch": mlp_steps.torch_step,
    "buffered": mlp_steps.buffered_step,
    "gemm": mlp_steps.gemm_floor_step,
}
NAMES = {
    "compiled": "compiled",
    "eager": "eager",
    "torch": "PyTorch",
    "buffered": "numpy, buffered",
    "gemm": "GEMM floor",
}


def together(n: int, seconds: float, rounds: int) -> dict[str, list[float]]:
    """In this process, with 1 thread: every engine, alternated, `rounds` medians each (us)."""
    harness.pin_threads(1)
    steps = {engine: build(*mlp_steps.batch(n)) for engine, build in ENGINES.items()}
    return harness.alternate(rounds, list(steps), lambda e: 1e6 * harness.median_over(steps[e], seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="1,8,32,128,512,2048")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.5, help="timed seconds per engine, round and batch")
    parser.add_argument("--together", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if args.together:
        print(json.dumps(together(batches[0], args.seconds, args.rounds)))
        return
    print(harness.header("MLP 784-256-128-10, float32, one SGD step: autograd.compile against its peers"))
    print(f"1 thread, all engines in one process per batch size, medians of {args.rounds} alternated rounds")
    others = [e for e in ENGINES if e != "compiled"]
    print(
        "| batch | "
        + " | ".join(NAMES[e] for e in ENGINES)
        + " | "
        + " | ".join(f"compiled / {NAMES[e]}" for e in others)
        + " |"
    )
    print("| --- " * (len(ENGINES) + len(others) + 1) + "|")
    for n in batches:
        flags = ["--batches", str(n), "--seconds", str(args.seconds), "--rounds", str(args.rounds), "--together"]
        times = harness.run_isolated(__file__, flags, threads=1, together=True)
        cells = [f"{statistics.median(times[e]):.0f} us" for e in ENGINES]
        cells += [f"{harness.median_ratio(times['compiled'], times[e]):.2f}x" for e in others]
        print(f"| {n} | " + " | ".join(cells) + " |", flush=True)
    print(harness.header("at the end").splitlines()[1])


if __name__ == "__main__":
    main()
