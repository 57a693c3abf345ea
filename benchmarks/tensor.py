"""The tensor engine against PyTorch CPU and a hand-written numpy step, measured in one run.

One training step of an MLP 784-256-128-10 (ReLU) on float32: forward, cross-entropy,
backward, SGD update; at batch 128 and at batch 1 (where per-op overhead dominates). Prints
the median time per step and the peak memory each engine adds while training (resident set
size, each engine in a process of its own), with the ratios. Needs `pip install torch==2.13.0`.

    python benchmarks/tensor.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

SIZES = (784, 256, 128, 10)
LR = 0.01


def init(seed: int = 0) -> list[np.ndarray]:
    """Weights (He) and zero biases, float32, the same for every engine."""
    rng = np.random.default_rng(seed)
    params = []
    for nin, nout in zip(SIZES, SIZES[1:]):
        params += [(rng.standard_normal((nin, nout)) * np.sqrt(2 / nin)).astype(np.float32), np.zeros(nout, np.float32)]
    return params


def batch(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((n, SIZES[0]), dtype=np.float32), rng.integers(0, SIZES[-1], n)


def numpy_step(x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """The same step written out by hand: the floor for any engine on numpy."""
    W1, b1, W2, b2, W3, b3 = init()
    rows = np.arange(len(y))

    def step() -> float:
        h1 = x @ W1 + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ W2 + b2
        a2 = np.maximum(h2, 0)
        logits = a2 @ W3 + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_p[rows, y].mean()
        d = np.exp(log_p)
        d[rows, y] -= 1
        d /= len(y)
        gW3, gb3 = a2.T @ d, d.sum(axis=0)
        d = (d @ W3.T) * (h2 > 0)
        gW2, gb2 = a1.T @ d, d.sum(axis=0)
        d = (d @ W2.T) * (h1 > 0)
        gW1, gb1 = x.T @ d, d.sum(axis=0)
        for p, g in ((W1, gW1), (b1, gb1), (W2, gW2), (b2, gb2), (W3, gW3), (b3, gb3)):
            p -= LR * g
        return float(loss)

    return step


def chainrule_step(x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    from autograd import Tensor, cross_entropy

    params = [Tensor(p, requires_grad=True) for p in init()]
    inputs = Tensor(x)

    def step() -> float:
        W1, b1, W2, b2, W3, b3 = params
        logits = ((inputs @ W1 + b1).relu() @ W2 + b2).relu() @ W3 + b3
        loss = cross_entropy(logits, y)
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data -= LR * p.grad
        return loss.item()

    return step


def torch_step(x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    params = [torch.tensor(p, requires_grad=True) for p in init()]
    inputs, labels = torch.from_numpy(x), torch.from_numpy(y)

    def step() -> float:
        W1, b1, W2, b2, W3, b3 = params
        logits = torch.relu(torch.relu(inputs @ W1 + b1) @ W2 + b2) @ W3 + b3
        loss = torch.nn.functional.cross_entropy(logits, labels)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
        return loss.item()

    return step


ENGINES = {"chainrule": chainrule_step, "torch": torch_step, "numpy": numpy_step}


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def worker(engine: str, n: int, seconds: float) -> dict[str, float]:
    """Time one engine at one batch size; report median microseconds a step and peak KiB added."""
    x, y = batch(n)
    step = ENGINES[engine](x, y)
    before = rss_kib()
    first = step()
    for _ in range(5):
        step()
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 20:
        start = time.perf_counter()
        last = step()
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"us": 1e6 * float(np.median(times)), "kib": peak - before, "first": first, "last": last}


def run(engine: str, n: int, seconds: float) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", engine, "--batch", str(n), "--seconds", str(seconds)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="timed seconds per engine and batch size")
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.batch, args.seconds)))
        return
    print(f"MLP {'-'.join(map(str, SIZES))}, float32, one SGD step with cross-entropy; median over {args.seconds} s")
    for n in (128, 1):
        r = {engine: run(engine, n, args.seconds) for engine in ENGINES}
        ours, torch, floor = r["chainrule"], r["torch"], r["numpy"]
        print(f"batch {n}:")
        for engine, res in r.items():
            print(
                f"  {engine:10} {res['us']:9.0f} us a step, peak +{res['kib'] / 1024:6.1f} MiB, loss {res['last']:.4f}"
            )
        print(
            f"  chainrule / numpy by hand: {ours['us'] / floor['us']:.2f}x time;  "
            f"chainrule / torch: {ours['us'] / torch['us']:.2f}x time, {ours['kib'] / max(torch['kib'], 1):.2f}x memory"
        )


if __name__ == "__main__":
    main()
