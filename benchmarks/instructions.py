"""Instructions per training step, counted by valgrind's callgrind: a measure that shared, noisy
machines cannot disturb, for comparing two versions of the engine (a change must not slow it).

Counts a run of N steps and of M steps and reports (count_M - count_N) / (M - N), so start-up
and imports cancel out; the median of three such differences. Workloads: the scalar benchmark's
MLP 2-16-16-1 step (forward and backward, 30 points), a tensor MLP 784-256-10 SGD step at
batch 1 and 128 (one OpenBLAS thread), compiled.py's step at batch 1, compiled and written in
numpy with preallocated buffers (the replay's floor), and a step of `benchmarks/mnist.py`'s
training, `nn.fit(..., compile=True)` on one batch of 128 an epoch (its batches, loop, replay,
dropout and Adam: `--only fit`).

    python benchmarks/instructions.py [--only scalar] [TREE ...]   # each TREE a checkout (default: this one)

Needs valgrind (apt-get install valgrind).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOADS = {  # name: (the code run per step, its setup, the two step counts)
    "scalar step": (
        "loss = m.loss(xs, ys); loss.backward()",
        "from scalar import MLP, moons; xs, ys = moons(30, 0.1, 0); m = MLP(autograd.Value, [2, 16, 16, 1], 1)",
        (1, 5),
    ),
    "tensor step, batch 1": ("step()", "from instructions import tensor_step; step = tensor_step(1)", (2, 12)),
    "tensor step, batch 128": ("step()", "from instructions import tensor_step; step = tensor_step(128)", (2, 6)),
    # compiled.py's step replayed, and its floor: what the replay's Python adds to the same numpy calls
    "compiled step, batch 1": (
        "step()",
        "import mlp_steps; step = mlp_steps.nn_step(*mlp_steps.batch(1), compiled=True)",
        (10, 40),
    ),
    "numpy buffered, batch 1": (
        "step()",
        "import mlp_steps; step = mlp_steps.buffered_step(*mlp_steps.batch(1))",
        (10, 40),
    ),
    # a step of the MNIST benchmark's fit(compile=True): its batches, fit's loop, the replay, dropout and Adam
    "fit step, MNIST's MLP": ("epoch()", "from instructions import fit_epoch; epoch = fit_epoch()", (4, 12)),
}


def tensor_step(batch: int):
    """One SGD step of a 784-256-10 MLP with cross-entropy, as a function."""
    import numpy as np

    import autograd
    from autograd import Tensor, cross_entropy

    rng = np.random.default_rng(0)
    params = [
        Tensor(rng.normal(size=(784, 256)).astype(np.float32) * 0.05, requires_grad=True),
        Tensor(np.zeros(256, np.float32), requires_grad=True),
        Tensor(rng.normal(size=(256, 10)).astype(np.float32) * 0.05, requires_grad=True),
        Tensor(np.zeros(10, np.float32), requires_grad=True),
    ]
    x, y = rng.random((batch, 784), dtype=np.float32), rng.integers(0, 10, batch)

    def step() -> None:
        w1, b1, w2, b2 = params
        loss = cross_entropy((Tensor(x) @ w1 + b1).relu() @ w2 + b2, y)
        for p in params:
            p.grad = None
        loss.backward()
        with autograd.no_grad():
            for p in params:
                p.data -= 0.1 * p.grad

    return step


def fit_epoch():
    """An epoch of one batch of 128 as `nn.fit(..., compile=True)` trains the MNIST benchmark's model (784-256-128-10,
    dropout 0.2, Adam 1e-3, cross-entropy): its Batches, its loop and its step, recorded before it is counted."""
    import numpy as np
    from mnist import chainrule_model

    import nn
    from nn.train_steps import train_epoch, training_step

    class NoInterrupts:  # fit's Ctrl-C handler, which no step here meets
        stop = False

        def held(self):
            return contextlib.nullcontext()

    rng = np.random.default_rng(0)
    x, y = rng.random((128, 784), dtype=np.float32), rng.integers(0, 10, 128)
    model = chainrule_model()
    step = training_step(model, nn.functional.cross_entropy, nn.Adam(model.parameters(), lr=1e-3), compile=True)
    batches, ctrl_c = nn.data.Batches(x, y, batch_size=128, seed=0), NoInterrupts()

    def epoch() -> None:
        train_epoch(step, batches, None, ctrl_c, 1)

    for _ in range(3):  # recorded on the first two steps
        epoch()
    epoch.model = model  # for its test
    return epoch


def count(tree: Path, setup: str, code: str, steps: int) -> int:
    program = f"import gc, autograd\n{setup}\ngc.disable()\nfor _ in range({steps}):\n    {code}\n"
    env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{HERE}", "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", program],
        env=env,
        cwd=tree,  # `python -c` puts the working directory first on the path: it must be the tree measured
        capture_output=True,
        text=True,
        check=True,
    )
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def main() -> None:
    if not shutil.which("valgrind"):
        sys.exit("benchmarks/instructions.py needs valgrind: apt-get install valgrind")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="only the workloads whose name starts with this")
    parser.add_argument("trees", nargs="*", help="checkouts to compare (default: this one)")
    args = parser.parse_args()
    trees = [Path(t).resolve() for t in args.trees] or [HERE.parent]
    print("instructions per step (millions), median of 3; lower is faster")
    for name, (code, setup, (few, many)) in WORKLOADS.items():
        if not name.startswith(args.only):
            continue
        row = []
        for tree in trees:
            diffs = [(count(tree, setup, code, many) - count(tree, setup, code, few)) / (many - few) for _ in range(3)]
            row.append(f"{tree}: {statistics.median(diffs) / 1e6:.2f}")
        print(f"{name:24} " + "   ".join(row))


if __name__ == "__main__":
    main()
