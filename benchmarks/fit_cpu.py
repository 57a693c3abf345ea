"""CPU seconds of one epoch of `examples/mnist.py`'s training (its CNN or its default MLP) on the
first IMAGES training images, in one or more checkouts, each run in a process of its own, checkouts
alternated in rounds; the median per checkout, and that figure scaled to the example's 55,000 images.

CPU time, not wall time: on a loaded machine wall time measures the load, while the CPU a run takes
compares versions of the engine. It counts every thread, so it also shows what BLAS threads cost
there (`--threads 2` on a busy machine: OpenBLAS's threads waiting on each other, see
docs/performance.md). The loss after the epoch is printed too: the same in every checkout means
the same numbers were computed.

    python benchmarks/fit_cpu.py --data-dir DIR [--model cnn] [--images 2000] [--threads 1] [TREE ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from harness import THREAD_VARIABLES

ROOT = Path(__file__).resolve().parents[1]
EPOCH_IMAGES = 55000  # the example's training split


def worker(data_dir: str, model: str, images: int) -> dict[str, float]:
    """One epoch as examples/mnist.py trains it, in the checkout this process runs in (its working directory)."""
    tree = Path.cwd()
    sys.path[:0] = [str(tree), str(tree / "examples")]  # the example imports its helpers from its own folder
    import nn

    if not Path(nn.__file__).resolve().is_relative_to(tree.resolve()):  # an installed copy would be measured instead
        raise RuntimeError(f"imported {nn.__file__}, not the checkout {tree}'s")
    spec = importlib.util.spec_from_file_location("example_mnist", tree / "examples" / "mnist.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    data = nn.data.mnist(data_dir)
    X, y = data.train_images[:images], data.train_labels[:images]
    if model == "cnn":
        # checkouts older than the example's standardised() did the same inline
        standardised = getattr(example, "standardised", lambda X, m, s: (X.reshape(-1, 1, 28, 28) - m) / s)
        X, net, batch = standardised(X, X.mean(), X.std()), example.build_cnn(0.1, 0), 32
    else:
        net, batch = example.build(3, [256, 128], "relu", 0.2, 0), 128
    optimizer = nn.Adam(net.parameters(), lr=1e-3)
    start = time.process_time()
    history = nn.fit(net, nn.functional.cross_entropy, optimizer, (X, y), batch_size=batch, seed=0, verbose=False)
    return {"cpu": time.process_time() - start, "loss": history.loss[-1]}


def run(tree: Path, args: argparse.Namespace) -> dict[str, float]:
    env = {**os.environ, **dict.fromkeys(THREAD_VARIABLES, str(args.threads)), "PYTHONPATH": str(tree)}
    flags = ["--data-dir", str(Path(args.data_dir).resolve()), "--model", args.model, "--images", str(args.images)]
    command = [sys.executable, __file__, "--worker", *flags]
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tree)
    if out.returncode:
        sys.exit(f"benchmarks/fit_cpu.py: the run in {tree} failed:\n{out.stderr}")
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data/mnist", help="folder with the four MNIST files")
    parser.add_argument("--model", choices=("cnn", "mlp"), default="cnn", help="the example's CNN or its default MLP")
    parser.add_argument("--images", type=int, default=2000, help="training images of the epoch (from the first)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads of each run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per checkout, checkouts alternated")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("trees", nargs="*", help="checkouts to compare (default: this one)")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.data_dir, args.model, args.images)))
        return
    trees = [Path(t).resolve() for t in args.trees] or [ROOT]
    runs: dict[Path, list[dict[str, float]]] = {tree: [] for tree in trees}
    for _ in range(args.rounds):
        for tree in trees:
            runs[tree].append(run(tree, args))
    print(f"{args.model}, one epoch of {args.images} images, {args.threads} BLAS threads, median of {args.rounds}")
    for tree, results in runs.items():
        cpu = statistics.median(r["cpu"] for r in results)
        each = ", ".join(f"{r['cpu']:.2f}" for r in results)
        losses = ", ".join(sorted({f"{r['loss']:.4f}" for r in results}))
        print(
            f"{tree}: {cpu:.2f} CPU s ({each}), "
            f"{cpu * EPOCH_IMAGES / args.images:.1f} s for {EPOCH_IMAGES:,} images; loss {losses}"
        )


if __name__ == "__main__":
    main()
