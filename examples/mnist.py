"""The lesson's MNIST lab on chainrule: 1-, 2- or 3-layer perceptrons, any activation.

The default (784-256-128-10, ReLU, dropout 0.2, Adam, batches of 128, 15 epochs) reaches
about 98.3% on the 10,000 test images in well under a minute on two cores. Saves the loss and
accuracy curves and the largest |weight| of each layer per epoch, the lab's two plots (needs
matplotlib: pip install chainrule[plot]). The last line printed is `test accuracy: 0.xxxx`.

    python examples/mnist.py --data-dir DIR [--layers 3] [--activation relu] [--epochs 15]
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from plots import save_plot

import nn
from nn import functional as F
from nn.plot import plot_curves, plot_history

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def build(layers: int, hidden: list[int], activation: str, dropout: float, seed: int) -> nn.Sequential:
    """`layers` linear layers: 1 is softmax regression; 2 and 3 put hidden layers between."""
    sizes = [784, *hidden[: layers - 1], 10]
    init = "he" if activation == "relu" else "xavier"
    model = nn.Sequential()
    for i, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
        model.add(nn.Linear(nin, nout, init=init, seed=seed + i))
        if i < len(sizes) - 2:
            model.add(ACTIVATIONS[activation]())
            if dropout:
                model.add(nn.Dropout(dropout, seed=seed + i))
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data/mnist", help="folder with the four MNIST files (gzipped or raw)")
    parser.add_argument("--layers", type=int, choices=(1, 2, 3), default=3, help="number of linear layers")
    parser.add_argument("--hidden", default="256,128", help="hidden layer sizes, comma separated")
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu")
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-dir", default=".", help="where to save the plots")
    parser.add_argument("--save", help="save the trained model to this .npz file")
    args = parser.parse_args()

    try:
        data = nn.data.mnist(args.data_dir)
    except FileNotFoundError as e:
        sys.exit(f"examples/mnist.py: {e}")
    model = build(args.layers, [int(h) for h in args.hidden.split(",")], args.activation, args.dropout, args.seed)
    print(model)
    largest: dict[str, list[float]] = {}

    def record_weights(epoch: int, model: nn.Module, history: nn.History) -> None:
        for name, p in model.named_parameters():
            if name.endswith(".W"):
                largest.setdefault(name, []).append(float(np.abs(p.data).max()))

    start = time.perf_counter()
    history = nn.fit(
        model, F.cross_entropy, nn.Adam(model.parameters(), lr=args.lr),
        (data.train_images, data.train_labels), epochs=args.epochs, batch_size=args.batch_size,
        val_data=(data.test_images, data.test_labels), seed=args.seed, callbacks=[record_weights],
    )  # fmt: skip
    print(f"trained in {time.perf_counter() - start:.1f} s")
    if args.save:
        nn.save(model, args.save)
        print(f"model saved to {args.save}")
    out = Path(args.out_dir)
    save_plot(plot_history, history, path=out / "mnist_curves.png")
    save_plot(plot_curves, {"max |weight|": largest}, path=out / "mnist_weights.png")
    _, test_accuracy = nn.evaluate(model, F.cross_entropy, data.test_images, data.test_labels)
    print(f"test accuracy: {test_accuracy:.4f}")


if __name__ == "__main__":
    main()
