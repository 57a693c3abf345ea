"""The MNIST CNN of `examples/mnist.py --model cnn` trained by chainrule and by PyTorch CPU, and one
conv2d layer's forward and backward at a few sizes, each engine in a process of its own with the
same number of threads (numpy's OpenBLAS and PyTorch's both set to --threads).

Training: the same model (two 3x3 convolutions of 32 and 64 channels with ReLU and 2x2 max pooling,
dropout, a hidden layer of 128), the same initial weights (copied through nn.export), the same
batches of 32 in the same order, Adam at 1e-3; the median seconds a batch, times the batches of
an epoch of 55,000 images, is the time per epoch. Prints each engine's figures and the ratios.
Needs `pip install torch==2.13.0`.

    python benchmarks/cnn.py --data-dir DIR [--batches 100] [--threads 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BATCH = 32  # the example's
EPOCH_BATCHES = -(-55000 // BATCH)  # the example's training split
# one conv2d layer: (batch, in channels, out channels, height and width, kernel)
LAYERS = [(128, 1, 32, 28, 3), (128, 32, 64, 14, 3), (32, 64, 64, 14, 3), (32, 3, 16, 32, 5), (8, 64, 64, 56, 3)]


def _example_model(seed: int = 0) -> Any:
    """examples/mnist.py's CNN (its helpers sit beside it, so its folder goes on the path)."""
    sys.path.insert(0, str(ROOT / "examples"))
    spec = importlib.util.spec_from_file_location("example_mnist", ROOT / "examples" / "mnist.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    return example.build_cnn(0.1, seed)


def _torch_twin(model: Any) -> Any:
    """torch.nn's layers for each of the chainrule model's, loaded with its weights."""
    import torch

    import nn
    from nn import conv
    from nn.export import to_torch_state_dict

    def twin(layer: Any) -> torch.nn.Module:
        if isinstance(layer, conv.Conv2d):
            return torch.nn.Conv2d(
                layer.in_channels, layer.out_channels, tuple(layer.weight.shape[2:]), **layer.options()
            )
        if isinstance(layer, nn.Linear):
            return torch.nn.Linear(*layer.W.shape)
        if isinstance(layer, nn.Dropout):
            return torch.nn.Dropout(layer.p)
        if isinstance(layer, conv.MaxPool2d):
            return torch.nn.MaxPool2d(layer.kernel_size, layer.stride, layer.padding, layer.dilation)
        return {nn.ReLU: torch.nn.ReLU, conv.Flatten: torch.nn.Flatten}[type(layer)]()

    theirs = torch.nn.Sequential(*(twin(layer) for layer in model))
    theirs.load_state_dict(to_torch_state_dict(model, as_tensors=True))
    return theirs


def _batches(data_dir: str, n: int, seed: int) -> list[tuple[Any, Any]]:
    import nn

    data = nn.data.mnist(data_dir)
    batches = nn.data.Batches(data.train_images.reshape(-1, 1, 28, 28), data.train_labels, batch_size=BATCH, seed=seed)
    return [batch for batch, _ in zip(batches, range(n))]


def _median(times: list[float]) -> float:
    times = sorted(times)
    return times[len(times) // 2]


def train_chainrule(data_dir: str, n: int) -> dict[str, float]:
    import nn
    from autograd import Tensor
    from nn import functional as F

    model = _example_model()
    optimizer = nn.Adam(model.parameters(), lr=1e-3)
    times, loss = [], 0.0
    for xb, yb in _batches(data_dir, n, seed=0):
        start = time.perf_counter()
        out = F.cross_entropy(model(Tensor(xb)), yb)
        optimizer.zero_grad()
        out.backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
        loss = out.item()
    return {"batch": _median(times[2:]), "total": sum(times), "loss": loss}


def train_torch(data_dir: str, n: int) -> dict[str, float]:
    import torch

    torch.manual_seed(0)  # its dropout masks: the same loss from run to run (chainrule's are seeded by the model)
    model = _torch_twin(_example_model())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    times, loss = [], 0.0
    for xb, yb in _batches(data_dir, n, seed=0):
        start = time.perf_counter()
        out = torch.nn.functional.cross_entropy(model(torch.from_numpy(xb)), torch.from_numpy(yb))
        optimizer.zero_grad()
        out.backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
        loss = out.item()
    return {"batch": _median(times[2:]), "total": sum(times), "loss": loss}


def layer_chainrule(n: int, cin: int, cout: int, size: int, k: int, repeats: int) -> float:
    import numpy as np

    from autograd import Tensor
    from nn.conv import Conv2d

    layer = Conv2d(cin, cout, k, padding=k // 2, seed=0)
    x = Tensor(np.random.default_rng(0).random((n, cin, size, size), np.float32), requires_grad=True)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        layer(x).sum().backward()
        times.append(time.perf_counter() - start)
    return _median(times)


def layer_torch(n: int, cin: int, cout: int, size: int, k: int, repeats: int) -> float:
    import torch

    layer = torch.nn.Conv2d(cin, cout, k, padding=k // 2)
    x = torch.rand(n, cin, size, size, requires_grad=True)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        layer(x).sum().backward()
        times.append(time.perf_counter() - start)
    return _median(times)


def worker(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    if engine == "torch":
        import torch

        torch.set_num_threads(args.threads)
    train = {"chainrule": train_chainrule, "torch": train_torch}[engine]
    layer = {"chainrule": layer_chainrule, "torch": layer_torch}[engine]
    return {
        "train": train(args.data_dir, args.batches),
        "layers": [layer(*shape, repeats=args.repeats) for shape in LAYERS],
    }


def run(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    threads = str(args.threads)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
    flags = ["--data-dir", args.data_dir, "--batches", str(args.batches), "--threads", threads]
    command = [sys.executable, __file__, "--worker", engine, *flags, "--repeats", str(args.repeats)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data/mnist", help="folder with the four MNIST files")
    parser.add_argument("--batches", type=int, default=100, help="training batches per engine (the first 2 untimed)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads of both engines")
    parser.add_argument("--repeats", type=int, default=15, help="forward+backward runs per conv2d size")
    parser.add_argument("--worker", choices=("chainrule", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.batches < 3:
        parser.error(f"--batches must be at least 3 (the first two warm up and are not timed), got {args.batches}")
    if args.worker:
        print(json.dumps(worker(args.worker, args)))
        return
    ours, theirs = run("chainrule", args), run("torch", args)
    a, b = ours["train"], theirs["train"]
    print(f"MNIST CNN, batches of {BATCH}, Adam 1e-3, {args.batches} batches, {args.threads} threads each")
    print(f"{'':24} {'chainrule':>10} {'torch':>10} {'ratio':>7}")
    print(
        f"{'ms a batch (median)':24} {a['batch'] * 1e3:10.1f} {b['batch'] * 1e3:10.1f} {a['batch'] / b['batch']:6.2f}x"
    )
    epoch_a, epoch_b = a["batch"] * EPOCH_BATCHES, b["batch"] * EPOCH_BATCHES
    print(f"{'s an epoch (55,000)':24} {epoch_a:10.1f} {epoch_b:10.1f} {epoch_a / epoch_b:6.2f}x")
    print(f"{'loss after the batches':24} {a['loss']:10.4f} {b['loss']:10.4f}")
    print("one conv2d layer ('same' padding, bias), forward + backward, ms (median):")
    for shape, x, y in zip(LAYERS, ours["layers"], theirs["layers"]):
        n, cin, cout, size, k = shape
        name = f"batch {n}, {cin}->{cout}, {size}x{size}, {k}x{k}"
        print(f"  {name:28} {x * 1e3:10.1f} {y * 1e3:10.1f} {x / y:6.2f}x")


if __name__ == "__main__":
    main()
