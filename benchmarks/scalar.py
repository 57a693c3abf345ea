"""The scalar engine against micrograd and against the scalar floor, measured in one run.

micrograd's demo: an MLP 2-16-16-1 over 100 two-dimensional points, hinge loss plus 1e-4 L2.
The floor (benchmarks/scalar_floor.py) is the least design that differentiates it: slot nodes
on a tape replayed in reverse. micrograd runs twice, with the garbage collector on (as its
users run it) and off (which shows how much of its time its reference cycles cost). Prints
milliseconds for forward, backward and a whole step, bytes per graph node, and ratios; then a
chain of a million ops built and differentiated by chainrule and by the floor
(benchmarks/scalar_chain.py), and whether a model of 884,000 nodes trains, and how its step's
time compares with the small one's.
Needs `pip install micrograd==0.1.0`.

    python benchmarks/scalar.py [--rounds 5] [--repeats 3] [--chain 1000000] [--big-steps 3]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import harness
import scalar_chain
import scalar_floor

import autograd

try:
    from micrograd.engine import Value as MicroValue
except ImportError:
    sys.exit("benchmarks/scalar.py compares against micrograd: pip install micrograd==0.1.0")


def moons(n: int, noise: float, seed: int) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles with labels -1 and +1 (micrograd's demo data)."""
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = math.pi * (i // 2) / (n // 2 - 1)
        upper = i % 2 == 0
        x, y = (math.cos(t), math.sin(t)) if upper else (1 - math.cos(t), 0.5 - math.sin(t))
        xs.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        ys.append(-1.0 if upper else 1.0)
    return xs, ys


class MLP:
    """micrograd's MLP, written over any Value class: neurons sum w*x from the bias, ReLU between layers."""

    def __init__(self, value: type, sizes: list[int], seed: int) -> None:
        rng = random.Random(seed)
        self.value = value
        self.layers = [
            [([value(rng.uniform(-1, 1)) for _ in range(nin)], value(0.0)) for _ in range(nout)]
            for nin, nout in zip(sizes, sizes[1:])
        ]

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]

    def __call__(self, x: list[Any]) -> Any:
        for k, layer in enumerate(self.layers):
            last = k == len(self.layers) - 1
            x = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = x if last else [v.relu() for v in x]
        return x[0]

    def loss(self, xs: list[list[float]], ys: list[float]) -> Any:
        scores = [self([self.value(a) for a in row]) for row in xs]
        losses = [(1 + -y * s).relu() for y, s in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        return data_loss + 1e-4 * sum(p * p for p in self.parameters())

    def step(self, xs: list[list[float]], ys: list[float], lr: float = 0.05) -> float:
        params = self.parameters()
        for p in params:
            p.grad = 0.0
        loss = self.loss(xs, ys)
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        return loss.data


def count_nodes(root: Any) -> int:
    """Nodes reachable from root, walked without recursion (works for every engine here)."""
    seen, stack = {id(root)}, [root]
    while stack:
        node = stack.pop()
        for p in node._prev if isinstance(node, MicroValue) else node.parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


@dataclass
class Engine:
    """A Value class as measured: with the garbage collector on or off, and what to do with a
    forward pass's graph that is not differentiated (the floor's tape must be dropped)."""

    value: type
    gc: bool = True
    forget: Callable[[], None] = lambda: None


ENGINES = {
    "chainrule": Engine(autograd.Value),
    "floor": Engine(scalar_floor.TapeValue, forget=scalar_floor.forget),
    "micrograd": Engine(MicroValue),
    "micrograd, GC off": Engine(MicroValue, gc=False),
}


def one_round(engine: Engine, model: MLP, data: tuple, repeats: int) -> dict[str, float]:
    """Median seconds of `repeats` consecutive forward passes, backward passes and whole steps."""
    xs, ys = data

    def forward() -> None:
        model.loss(xs, ys)
        engine.forget()

    def backward_only() -> float:
        loss = model.loss(xs, ys)
        start = time.perf_counter()
        loss.backward()
        return time.perf_counter() - start

    was_enabled = gc.isenabled()
    if not engine.gc:
        gc.disable()
    try:
        return {
            "forward": harness.median_over(forward, 0, at_least=repeats),
            "backward": statistics.median(backward_only() for _ in range(repeats)),
            "step": harness.median_over(lambda: model.step(xs, ys), 0, at_least=repeats),
        }
    finally:
        if was_enabled:
            gc.enable()


def graph_memory(engine: Engine, sizes: list[int], data: tuple) -> tuple[int, int]:
    """Graph nodes of one loss, and the bytes tracemalloc sees allocated while building it (the
    floor makes no nodes for constants, so bytes per node would not compare like with like)."""
    model = MLP(engine.value, sizes, seed=1)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = model.loss(*data)
    graph_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    nodes = count_nodes(loss)
    engine.forget()
    return nodes, graph_bytes


def step_ms(sizes: list[int], data: tuple, steps: int, paused: bool) -> tuple[float, list[float]]:
    """Median milliseconds of a chainrule training step of an MLP of these sizes (after one untimed
    step), with the collector on or paused (`autograd.gc_paused`), and the losses of the timed steps."""
    model = MLP(autograd.Value, sizes, seed=1)
    times, losses = [], []
    with autograd.gc_paused() if paused else contextlib.nullcontext():
        model.step(*data)
        for _ in range(steps):
            start = time.perf_counter()
            losses.append(model.step(*data))
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), losses


def big_model(data: tuple, steps: int) -> str:
    """Whether an MLP 2-64-64-1 (about 884,000 nodes a step) trains in chainrule and in micrograd, and
    how a step's time grows with the graph (13.4x the nodes of the 2-16-16-1 one), collector on and paused."""
    big, small = [2, 64, 64, 1], [2, 16, 16, 1]
    ms, losses = step_ms(big, data, steps, paused=False)
    line = f"MLP {'-'.join(map(str, big))}: chainrule: loss {losses[0]:.4f} -> {losses[-1]:.4f}, {ms:.0f} ms a step"
    growth = []
    for paused in (False, True):
        big_ms = ms if not paused else step_ms(big, data, steps, paused)[0]
        growth.append(f"{big_ms / step_ms(small, data, steps, paused)[0]:.1f}x" + (" paused" if paused else " on"))
    line += f" ({', '.join(growth)}: the step against the 2-16-16-1 one, GC on and paused); "
    try:
        MLP(MicroValue, big, seed=1).step(*data)
        return line + "micrograd: trained too"
    except RecursionError:
        return line + "micrograd: RecursionError in backward"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100, help="training points (micrograd's demo: 100)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of alternated engines (median over them)")
    parser.add_argument("--repeats", type=int, default=3, help="consecutive timed runs per figure in a round")
    parser.add_argument("--chain", type=int, default=1_000_000, help="ops in the chain benchmark (0: skip it)")
    parser.add_argument("--big-steps", type=int, default=3, help="steps of the MLP 2-64-64-1 check (0: skip it)")
    args = parser.parse_args()
    data = moons(args.points, noise=0.1, seed=0)
    sizes = [2, 16, 16, 1]
    models = {name: MLP(e.value, sizes, seed=1) for name, e in ENGINES.items()}
    runs = harness.alternate(
        args.rounds, list(ENGINES), lambda name: one_round(ENGINES[name], models[name], data, args.repeats)
    )
    memory = {name: graph_memory(ENGINES[name], sizes, data) for name in ("chainrule", "floor", "micrograd")}

    title = f"MLP {'-'.join(map(str, sizes))}, {args.points} points, hinge + L2 loss ({memory['chainrule'][0]:,} nodes)"
    print(harness.header(title))
    print(f"medians of {args.rounds} alternated rounds of {args.repeats} runs; ratios: medians of per-round ratios")
    names = list(ENGINES)
    ratios = [("chainrule", "floor"), ("micrograd", "chainrule"), ("micrograd, GC off", "chainrule")]
    print("| per training step | " + " | ".join(names) + " | " + " | ".join(f"{a} / {b}" for a, b in ratios) + " |")
    print("| --- " * (1 + len(names) + len(ratios)) + "|")
    for key in ("forward", "backward", "step"):
        times = {name: [r[key] for r in runs[name]] for name in names}
        cells = [f"{1000 * statistics.median(times[name]):.1f} ms" for name in names]
        cells += [f"{harness.median_ratio(times[a], times[b]):.2f}x" for a, b in ratios]
        print(f"| {key} | " + " | ".join(cells) + " |")
    graph = {name: memory[name.split(",")[0]][1] for name in names}
    cells = [f"{graph[name] / 2**20:.1f} MiB" for name in names]
    cells += [f"{graph[a] / graph[b]:.2f}x" for a, b in ratios]
    print("| memory of one step's graph | " + " | ".join(cells) + " |")
    if args.chain:
        print("\n" + scalar_chain.compare(args.chain, args.rounds))
    if args.big_steps:
        print("\n" + big_model(data, args.big_steps))
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
