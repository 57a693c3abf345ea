"""The default MNIST configuration trained by chainrule and by PyTorch CPU, in one run.

The same model (784-256-128-10, ReLU, dropout 0.2), the same initial weights, the same
batches of 128 in the same order, Adam at 1e-3, for 15 epochs, the two engines' epochs
alternated (numpy's BLAS and PyTorch with the same number of threads). Prints seconds per epoch
for both and their ratio, test accuracy after each epoch, and when each first reached 98.0%.
`--compile` trains chainrule with `nn.fit(..., compile=True)` (autograd.compile: each step
recorded, then replayed; dropout masks drawn again on each replay). Needs `pip install torch==2.13.0`.

    python benchmarks/mnist.py --data-dir DIR [--epochs 15] [--threads 2] [--limit IMAGES] [--compile]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import time
from collections.abc import Callable

import harness
import numpy as np

import nn
from nn import functional as F

SIZES = (784, 256, 128, 10)


def chainrule_model() -> nn.Sequential:
    model = nn.Sequential()
    for i, (nin, nout) in enumerate(zip(SIZES, SIZES[1:])):
        model.add(nn.Linear(nin, nout, seed=i))
        if i < len(SIZES) - 2:
            model.add(nn.ReLU()).add(nn.Dropout(0.2, seed=i))
    return model


Report = Callable[[tuple[float, float]], None]


def train_chainrule(
    data: nn.data.MNIST,
    epochs: int,
    seed: int,
    report: Report,
    compile: bool = False,  # noqa: A002 (nn.fit's name)
) -> None:
    """Reports the seconds of training and the test accuracy after each epoch. One nn.fit call for
    all epochs, as the README's configuration trains: its callback reports each epoch (fit's own
    seconds, which hold no evaluation without val_data) and waits there for the next request;
    `compile`: fit's compiled step (recorded on the first two steps of each batch shape)."""
    model = chainrule_model()
    optimizer = nn.Adam(model.parameters(), lr=1e-3)
    batches = nn.data.Batches(data.train_images, data.train_labels, batch_size=128, seed=seed)

    def after_epoch(epoch: int, model: nn.Module, history: nn.History) -> None:
        report((history.seconds[-1], nn.evaluate(model, F.cross_entropy, data.test_images, data.test_labels)[1]))

    nn.fit(
        model,
        F.cross_entropy,
        optimizer,
        batches,
        epochs=epochs,
        metric=None,
        verbose=False,
        progress=False,
        callbacks=[after_epoch],
        compile=compile,
    )


def train_torch(data: nn.data.MNIST, epochs: int, seed: int, report: Report) -> None:
    """The same in PyTorch, from the same initial weights, reporting after each epoch."""
    import torch

    torch.manual_seed(seed)
    layers: list[torch.nn.Module] = []
    for layer in chainrule_model():
        if isinstance(layer, nn.Linear):
            linear = torch.nn.Linear(*layer.W.shape)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.W.data.T.copy()))
                linear.bias.copy_(torch.from_numpy(layer.b.data))
            layers.append(linear)
        elif isinstance(layer, nn.ReLU):
            layers.append(torch.nn.ReLU())
        else:
            layers.append(torch.nn.Dropout(layer.p))
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = nn.data.Batches(data.train_images, data.train_labels, batch_size=128, seed=seed)
    test_x, test_y = torch.from_numpy(data.test_images), torch.from_numpy(data.test_labels)
    for _ in range(epochs):
        start = time.perf_counter()
        model.train()
        for xb, yb in batches:
            loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(xb)), torch.from_numpy(yb))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            report((seconds, float((model(test_x).argmax(dim=1) == test_y).float().mean())))


TRAINERS = {"chainrule": train_chainrule, "torch": train_torch}


def first_at(accuracy: list[float], seconds: list[float], target: float) -> str:
    for epoch, a in enumerate(accuracy):
        if a >= target:
            return f"epoch {epoch + 1}, {sum(seconds[: epoch + 1]):.1f} s of training"
    return "never"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data/mnist")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for numpy's BLAS and PyTorch")
    parser.add_argument("--limit", type=int, help="train on only the first LIMIT images (a quick run)")
    parser.add_argument("--compile", action="store_true", help="train chainrule with nn.fit(..., compile=True)")
    parser.add_argument("--engine", choices=["chainrule", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        data = nn.data.mnist(args.data_dir)
        if args.limit:
            data = dataclasses.replace(
                data, train_images=data.train_images[: args.limit], train_labels=data.train_labels[: args.limit]
            )
        harness.pin_threads(args.threads)
        trainer = TRAINERS[args.engine]
        if args.engine == "chainrule":
            trainer = functools.partial(train_chainrule, compile=args.compile)
        harness.serve(lambda report: trainer(data, args.epochs, args.seed, report))
        return
    flags = ["--data-dir", args.data_dir, "--epochs", str(args.epochs), "--seed", str(args.seed)]
    flags += ["--threads", str(args.threads)] + (["--limit", str(args.limit)] if args.limit else [])
    flags += ["--compile"] if args.compile else []
    workers = {name: harness.Worker(__file__, [*flags, "--engine", name], args.threads) for name in TRAINERS}
    epochs = harness.alternate(args.epochs, list(workers), lambda name: workers[name].next())
    for worker in workers.values():
        worker.close()
    ours, theirs = ([list(x) for x in zip(*epochs[name])] for name in workers)
    print(harness.header(f"MNIST: each engine in a process of its own with {args.threads} threads, epochs alternated"))
    print(f"MNIST, MLP {'-'.join(map(str, SIZES))} with dropout 0.2, Adam 1e-3, batches of 128, {args.epochs} epochs")
    print(f"chainrule's steps: {'compiled (nn.fit(compile=True))' if args.compile else 'eager'}")
    print(f"{'epoch':>5} {'chainrule s':>12} {'torch s':>9} {'chainrule acc':>14} {'torch acc':>10}")
    for e in range(args.epochs):
        print(f"{e + 1:5d} {ours[0][e]:12.2f} {theirs[0][e]:9.2f} {ours[1][e]:14.4f} {theirs[1][e]:10.4f}")
    a, b = float(np.median(ours[0])), float(np.median(theirs[0]))
    print(f"median seconds per epoch: chainrule {a:.2f}, torch {b:.2f}, ratio {a / b:.2f}x")
    print(f"total training: chainrule {sum(ours[0]):.1f} s, torch {sum(theirs[0]):.1f} s")
    print(f"first at 98.0%: chainrule {first_at(ours[1], ours[0], 0.98)}; torch {first_at(theirs[1], theirs[0], 0.98)}")
    print(f"final test accuracy: chainrule {ours[1][-1]:.4f}, torch {theirs[1][-1]:.4f}")


if __name__ == "__main__":
    main()
