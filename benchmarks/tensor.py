"""The tensor engine against PyTorch CPU, numpy by hand and the GEMM floor, over batch sizes.

"numpy by hand" is the same step written out in numpy; the GEMM floor is the step's matrix
products alone, the least any eager engine on this BLAS must spend.

One SGD step of an MLP 784-256-128-10 (benchmarks/mlp_steps.py), measured twice:
- with --threads threads, each engine in a process of its own (thread pools that never share
  the cores with another engine's), started in alternating order round after round; also the
  peak memory each engine adds while training (resident set size);
- with one thread for everyone, all engines in one process, alternated within each round, on
  glibc heap thresholds fixed for all of them (harness.STEADY_HEAP: otherwise whether a step's
  arrays fault their pages in depends on the engine measured before it).
Prints the median time per step and the medians of per-round ratios.
Needs `pip install torch==2.13.0` (and threadpoolctl, to see and pin numpy's BLAS kernel).

    python benchmarks/tensor.py [--batches 1,8,32,128,512,2048] [--rounds 3] [--seconds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics

import harness
import mlp_steps
from mlp_steps import ENGINES, SIZES

NAMES = {"chainrule": "chainrule", "torch": "PyTorch", "numpy": "numpy by hand", "gemm": "GEMM floor"}


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def one_engine(engine: str, n: int, seconds: float, threads: int) -> dict[str, float]:
    """In a process of its own: one engine's median microseconds a step and the peak KiB it adds."""
    step = ENGINES[engine](*mlp_steps.batch(n))
    harness.pin_threads(threads)
    before = rss_kib()
    for _ in range(5):
        step()
    seconds_a_step = harness.median_over(step, seconds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"us": 1e6 * seconds_a_step, "kib": peak - before, "loss": step()}


def all_engines(n: int, seconds: float, rounds: int) -> dict[str, list[float]]:
    """In one process with one thread: every engine, alternated, `rounds` medians each (us)."""
    steps = {engine: build(*mlp_steps.batch(n)) for engine, build in ENGINES.items()}
    harness.pin_threads(1)
    for step in steps.values():
        step()
    return harness.alternate(rounds, list(steps), lambda e: 1e6 * harness.median_over(steps[e], seconds))


def isolated_runs(n: int, args: argparse.Namespace) -> dict[str, list[dict[str, float]]]:
    """Each engine in a fresh process per round, with args.threads threads, in alternating order."""
    flags = ["--batches", str(n), "--seconds", str(args.seconds), "--threads", str(args.threads)]
    return harness.alternate(
        args.rounds, list(ENGINES), lambda e: harness.run_isolated(__file__, [*flags, "--engine", e], args.threads)
    )


def duration(us: float) -> str:
    return f"{us / 1000:.1f} ms" if us >= 10_000 else f"{us:.0f} us"


def table(title: str, per_batch: dict[int, dict[str, list[float]]], memory: dict[int, dict[str, float]]) -> None:
    """One row per batch size: each engine's median time, then chainrule's ratios to the others."""
    print(f"\n{title}")
    columns = [f"{NAMES[e]}" for e in ENGINES] + [f"chainrule / {NAMES[e]}" for e in list(ENGINES)[1:]]
    if memory:
        columns.append("peak memory, chainrule / PyTorch")
    print("| batch | " + " | ".join(columns) + " |")
    print("| --- " * (len(columns) + 1) + "|")
    for n, times in per_batch.items():
        cells = [duration(statistics.median(times[e])) for e in ENGINES]
        cells += [f"{harness.median_ratio(times['chainrule'], times[e]):.2f}x" for e in list(ENGINES)[1:]]
        if memory:
            ours, theirs = memory[n]["chainrule"], memory[n]["torch"]
            cells.append(f"+{ours / 1024:.1f} / +{theirs / 1024:.1f} MiB")
        print(f"| {n} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="1,8,32,128,512,2048", help="comma-separated batch sizes")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of alternated runs (median over them)")
    parser.add_argument("--seconds", type=float, default=1.0, help="timed seconds per engine, round and batch")
    parser.add_argument("--threads", type=int, default=2, help="threads for the process-per-engine comparison")
    parser.add_argument("--only", choices=["processes", "one-thread"], help="run only one of the two comparisons")
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--together", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if args.engine:
        print(json.dumps(one_engine(args.engine, batches[0], args.seconds, args.threads)))
        return
    if args.together:
        print(json.dumps(all_engines(batches[0], args.seconds, args.rounds)))
        return

    print(harness.header(f"MLP {'-'.join(map(str, SIZES))}, float32, one SGD step with cross-entropy"))
    print(f"medians of {args.rounds} alternated rounds of {args.seconds} s per engine")
    if args.only != "one-thread":
        isolated, memory = {}, {}
        for n in batches:
            runs = isolated_runs(n, args)
            isolated[n] = {e: [r["us"] for r in rs] for e, rs in runs.items()}
            memory[n] = {e: statistics.median(r["kib"] for r in rs) for e, rs in runs.items()}
            losses = ", ".join(f"{e} {rs[-1]['loss']:.4f}" for e, rs in runs.items() if e != "gemm")
            print(f"batch {n}, {args.threads} threads: measured; last losses {losses}")
        table(f"{args.threads} threads, each engine in its own process", isolated, memory)
    if args.only != "processes":
        together = {}
        for n in batches:
            flags = ["--batches", str(n), "--seconds", str(args.seconds), "--rounds", str(args.rounds)]
            together[n] = harness.run_isolated(__file__, [*flags, "--together"], threads=1, together=True)
        table("1 thread, all engines in one process, alternated", together, {})
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
