"""The scalar engine against micrograd, measured in one run on the same graphs.

micrograd's demo: an MLP 2-16-16-1 over 100 two-dimensional points, hinge loss plus 1e-4 L2.
Prints milliseconds for forward, backward and a whole training step, bytes per graph node,
and the ratios (micrograd / chainrule). Needs `pip install micrograd==0.1.0`.

    python benchmarks/scalar.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

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
    """Nodes reachable from root, walked without recursion (works for both engines)."""
    seen, stack = {id(root)}, [root]
    while stack:
        node = stack.pop()
        for p in node.parents if isinstance(node, autograd.Value) else node._prev:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


def best_ms(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure(value: type, sizes: list[int], data: tuple, repeats: int) -> dict[str, float]:
    model = MLP(value, sizes, seed=1)
    xs, ys = data
    forward = best_ms(lambda: model.loss(xs, ys), repeats)

    def backward_only() -> float:
        loss = model.loss(xs, ys)
        start = time.perf_counter()
        loss.backward()
        return time.perf_counter() - start

    backward = 1000 * statistics.median(backward_only() for _ in range(repeats))
    step = best_ms(lambda: model.step(xs, ys), repeats)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = model.loss(xs, ys)
    graph_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    nodes = count_nodes(loss)
    return {"forward": forward, "backward": backward, "step": step, "nodes": nodes, "bytes": graph_bytes}


def trains(sizes: list[int], data: tuple, steps: int) -> tuple[float, float, float]:
    model = MLP(autograd.Value, sizes, seed=1)
    start = time.perf_counter()
    losses = [model.step(*data) for _ in range(steps)]
    return losses[0], losses[-1], 1000 * (time.perf_counter() - start) / steps


def row(name: str, ours: float, theirs: float, ratio: str, fmt: str = ".1f") -> str:
    return f"{name:22}{ours:>12{fmt}}{theirs:>12{fmt}}{ratio:>26}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per figure (median)")
    args = parser.parse_args()
    data = moons(100, noise=0.1, seed=0)
    sizes = [2, 16, 16, 1]
    gc.collect()
    ours = measure(autograd.Value, sizes, data, args.repeats)
    gc.collect()
    theirs = measure(MicroValue, sizes, data, args.repeats)

    print(f"MLP {'-'.join(map(str, sizes))}, 100 points, hinge + L2 loss; median of {args.repeats} runs")
    print(f"{'':22}{'chainrule':>12}{'micrograd':>12}{'ratio':>26}")
    for key in ("forward", "backward", "step"):
        speedup = f"{theirs[key] / ours[key]:.2f}x faster"
        print(row(f"{key} (ms)", ours[key], theirs[key], speedup))
    print(row("graph nodes", ours["nodes"], theirs["nodes"], "", fmt="d"))
    per_ours, per_theirs = ours["bytes"] / ours["nodes"], theirs["bytes"] / theirs["nodes"]
    print(row("bytes per node", per_ours, per_theirs, f"{per_ours / per_theirs:.2f}x the memory", fmt=".0f"))

    big = [2, 64, 64, 1]
    first, last, ms = trains(big, data, steps=3)
    print(f"MLP {'-'.join(map(str, big))}: chainrule: loss {first:.4f} -> {last:.4f} in 3 steps, {ms:.0f} ms a step;")
    try:
        MLP(MicroValue, big, seed=1).step(*data)
        print("  micrograd: trained too")
    except RecursionError:
        print("  micrograd: RecursionError in backward")


if __name__ == "__main__":
    main()
