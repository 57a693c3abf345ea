"""One SGD step of an MLP 784-256-128-10 (ReLU, cross-entropy, float32) written four ways:
chainrule, PyTorch, numpy by hand, and the GEMMs of the step alone. Each builder takes a batch
and returns the step as a function of no arguments; all start from the same weights.
"""

from __future__ import annotations

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
    """n random inputs in [0, 1) and their random labels."""
    rng = np.random.default_rng(seed)
    return rng.random((n, SIZES[0]), dtype=np.float32), rng.integers(0, SIZES[-1], n)


def numpy_step(x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """The step written out by hand in numpy, as a careful programmer would.

    Weight gradients go through np.dot: for a batch of one `a.T @ d` is an outer product, for
    which numpy's matmul takes a slow path (about 7x slower here), and np.dot is no slower at
    any other batch size. chainrule's matmul rule does the same."""
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
        gW3, gb3 = np.dot(a2.T, d), d.sum(axis=0)
        d = (d @ W3.T) * (h2 > 0)
        gW2, gb2 = np.dot(a1.T, d), d.sum(axis=0)
        d = (d @ W2.T) * (h1 > 0)
        gW1, gb1 = np.dot(x.T, d), d.sum(axis=0)
        for p, g in ((W1, gW1), (b1, gb1), (W2, gW2), (b2, gb2), (W3, gW3), (b3, gb3)):
            p -= LR * g
        return float(loss)

    return step


def buffered_step(x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """numpy_step with every array made once and written again by each call (`out=`; the softmax as
    exp / sum, as compile's kernel keeps it), the update as a multiply into a scratch array and a
    subtract in place, as eager's rounding needs: the least a replay of the step in numpy does
    (what autograd.compile's replay aims at), with no Python per op beyond the numpy calls."""
    W1, b1, W2, b2, W3, b3 = params = init()
    n, rows = len(y), np.arange(len(y))
    h1, a1, d1 = (np.empty((n, 256), np.float32) for _ in range(3))
    h2, a2, d2 = (np.empty((n, 128), np.float32) for _ in range(3))
    m1, m2 = np.empty((n, 256), bool), np.empty((n, 128), bool)
    logits, e = np.empty((n, 10), np.float32), np.empty((n, 10), np.float32)
    total = np.empty((n, 1), np.float32)
    grads = [np.empty_like(p) for p in params]
    scratch = [np.empty_like(p) for p in params]
    outer = np.dot if n == 1 else np.matmul  # as numpy_step: the outer product of a batch of one through np.dot

    def step() -> float:
        np.add(np.matmul(x, W1, out=h1), b1, out=h1)
        np.maximum(h1, 0, out=a1)
        np.add(np.matmul(a1, W2, out=h2), b2, out=h2)
        np.maximum(h2, 0, out=a2)
        np.add(np.matmul(a2, W3, out=logits), b3, out=logits)
        np.subtract(logits, logits.max(axis=1, keepdims=True), out=logits)
        np.add.reduce(np.exp(logits, out=e), axis=1, keepdims=True, out=total)
        loss = -np.mean(logits[rows, y] - np.log(total[:, 0]))
        np.divide(e, total, out=e)
        e[rows, y] -= 1
        np.multiply(e, 1 / n, out=e)
        outer(a2.T, e, out=grads[4]), np.add.reduce(e, axis=0, out=grads[5])
        np.multiply(np.matmul(e, W3.T, out=d2), np.greater(h2, 0, out=m2), out=d2)
        outer(a1.T, d2, out=grads[2]), np.add.reduce(d2, axis=0, out=grads[3])
        np.multiply(np.matmul(d2, W2.T, out=d1), np.greater(h1, 0, out=m1), out=d1)
        outer(x.T, d1, out=grads[0]), np.add.reduce(d1, axis=0, out=grads[1])
        for p, g, s in zip(params, grads, scratch):
            np.subtract(p, np.multiply(g, LR, out=s), out=p)
        return float(loss)

    return step


def gemm_floor_step(x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """Only the step's eight matrix products, on arrays of the same shapes: three forward, three
    weight gradients (np.dot, as above), two input gradients. No engine computing the step
    eagerly on this BLAS can be faster."""
    W1, _, W2, _, W3, _ = init()
    rng = np.random.default_rng(2)
    a1, a2 = (rng.random((len(x), n), dtype=np.float32) for n in SIZES[1:3])
    d1, d2, d3 = (rng.random((len(x), n), dtype=np.float32) for n in SIZES[1:])

    def step() -> float:
        x @ W1, a1 @ W2, a2 @ W3
        np.dot(a2.T, d3), np.dot(a1.T, d2), np.dot(x.T, d1)
        d3 @ W3.T, d2 @ W2.T
        return 0.0

    return step


def chainrule_step(x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """The step in chainrule's Tensor engine, as its README writes it."""
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


def nn_step(x: np.ndarray, y: np.ndarray, compiled: bool = False) -> Callable[[], float]:
    """The step with chainrule's nn (Linear layers, nn.SGD), eager or through autograd.compile; a
    compiled step is recorded on its first two calls, made here, so every timed call replays it."""
    import autograd
    import nn

    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    for layer, (W, b) in zip(model.layers[::2], zip(*[iter(init())] * 2)):
        layer.W.data, layer.b.data = W, b
    optimizer = nn.SGD(model.parameters(), lr=LR)
    inputs = autograd.Tensor(x)

    def step(inputs: autograd.Tensor, labels: np.ndarray) -> autograd.Tensor:
        loss = autograd.cross_entropy(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    run = autograd.compile(step, strict=True) if compiled else step
    run(inputs, y), run(inputs, y)
    return lambda: float(run(inputs, y).data)


def torch_step(x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """The step in PyTorch (CPU), eager, as its tutorials write it."""
    import torch

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


ENGINES = {"chainrule": chainrule_step, "torch": torch_step, "numpy": numpy_step, "gemm": gemm_floor_step}
