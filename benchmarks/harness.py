"""What every benchmark here shares: thread pinning, engines alternated in rounds, medians of
per-round ratios, one process per engine, and a header naming the BLAS kernel and the load.

On a shared, noisy machine a figure means little alone: peers are measured in the same run,
in alternating order, and a ratio is taken within each round (so a burst of load hits both
sides of it) before the median over rounds is reported.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# glibc hands freed heap back to the system when the free space at its top passes a threshold,
# and the next step's arrays fault their pages in again (at batch 2048, some 2,700 faults and 5 ms
# a step, for numpy by hand as for chainrule). In one process that depends on what the engine
# measured before left at the top of the heap: one engine's figure would depend on its
# neighbour's. Processes that measure engines together fix the thresholds for all of them, at
# the values glibc's own adaptive rule reaches (mmap above 32 MiB, trim above 64 MiB); a
# process with one engine keeps glibc's defaults, page faults and all.
STEADY_HEAP = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(64 << 20)}
_limits: list[Any] = []  # threadpoolctl's limiter, kept alive while the limit must hold


def pin_threads(threads: int) -> None:
    """Every BLAS and OpenMP pool of this process, numpy's and PyTorch's, to `threads`.

    The environment variables reach libraries loaded later (and child processes);
    threadpoolctl, if installed, resizes the pools already loaded; PyTorch's own count is set
    directly if it has been imported."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:
        _limits[:] = [threadpool_limits(limits=threads)]
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def blas_description() -> str:
    """numpy's BLAS and the kernel it chose for this processor (from threadpoolctl), for the header;
    thread counts are set per measurement, so each table says its own."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS kernel unknown (pip install threadpoolctl to see it)"
    import numpy  # noqa: F401  (loads numpy's BLAS so that threadpoolctl sees it)

    pools = [p for p in threadpool_info() if p["user_api"] == "blas" and "numpy" in p["filepath"]]
    return "; ".join(f"{p['internal_api']} {p['version']}, kernel {p.get('architecture', '?')}" for p in pools)


def header(title: str) -> str:
    """The title, then the machine's state: load average, numpy's BLAS kernel, and a warning
    if OpenBLAS has been told to use an older kernel than this processor's."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [title, f"machine: {os.cpu_count()} cores, load average {load}; numpy: {blas_description()}"]
    forced = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    if os.getloadavg()[0] > 0.5:
        lines.append("note: other processes hold the cores; a figure with more than one thread waits for them")
    if forced:
        lines.append(f"note: {forced} is set and may slow numpy; unset both for this command to compare fairly")
    return "\n".join(lines)


def median_over(fn: Callable[[], Any], seconds: float, at_least: int = 3) -> float:
    """Median seconds of fn, called repeatedly for about `seconds` (and at least `at_least` times)."""
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < at_least:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def alternate(rounds: int, engines: Sequence[str], measure: Callable[[str], Any]) -> dict[str, list[Any]]:
    """measure(engine) for every engine in each of `rounds` rounds, the order rotating from one
    round to the next so that no engine always runs first (or right after a given other).

    Before each measure the garbage collector runs, off the clock, so that reference cycles one
    engine left are not collected on the next one's time (an engine's own cycles, made while it
    is measured, are collected on its time, as they are for its users)."""
    results: dict[str, list[Any]] = {e: [] for e in engines}
    for r in range(rounds):
        k = r % len(engines)
        for engine in [*engines[k:], *engines[:k]]:
            gc.collect()
            results[engine].append(measure(engine))
    return results


def median_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """The median of per-round ratios: each taken between figures measured close in time."""
    return statistics.median(a / b for a, b in zip(numerators, denominators))


def run_isolated(script: str, args: Sequence[str], threads: int, together: bool = False) -> Any:
    """Run `python script args` in a fresh process with every thread pool set to `threads`
    (through the environment, read before any library starts) and return the JSON it prints.
    `together`: the process measures several engines, on a STEADY_HEAP."""
    env = {**os.environ, **{name: str(threads) for name in THREAD_VARIABLES}, **(STEADY_HEAP if together else {})}
    out = subprocess.run([sys.executable, script, *args], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


class Worker:
    """A process of its own that hands over one measurement per request, so that engines that
    must not share a process (their thread pools would fight over the cores: PyTorch's OpenMP
    threads keep spinning after its work) can still be alternated, step by step or epoch by
    epoch. The child runs `serve` over its iterator of results."""

    def __init__(self, script: str, args: Sequence[str], threads: int) -> None:
        env = {**os.environ, **{name: str(threads) for name in THREAD_VARIABLES}}
        self.process = subprocess.Popen(
            [sys.executable, script, *args], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def next(self) -> Any:
        """Ask for the next result and wait for it."""
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker exited with {self.process.wait()}")
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def serve(run: Callable[[Callable[[Any], None]], None]) -> None:
    """The child's side of Worker: `run(report)` starts once the parent asks for a result and
    hands each result to `report`, which sends it as a JSON line and returns when the parent asks
    for the next (or has closed the pipe after the last). So a run that reports from a callback
    (nn.fit's, once per epoch) is measured one request at a time, as a loop would be."""
    sys.stdin.readline()

    def report(result: Any) -> None:
        print(json.dumps(result), flush=True)
        sys.stdin.readline()

    run(report)
