"""The lesson's MNIST lab on chainrule: 1-, 2- or 3-layer perceptrons, any activation, or a CNN.

The default (784-256-128-10, ReLU, dropout 0.2, Adam, batches of 128, 15 epochs) reaches
about 98% on the 10,000 test images in well under a minute on two cores. `--model cnn` is a
small convolutional network (two 3x3 convolutions of 32 and 64 channels, each followed by ReLU
and 2x2 max pooling, dropout, a linear head of 128; Adam with the lr times 0.7 after each epoch,
batches of 32, 5 epochs by default) on standardised images, which reaches 99.3-99.4%, at about a
minute of CPU an epoch with one BLAS thread (65 s, validation included; docs/performance.md). On
a busy machine run it with OPENBLAS_NUM_THREADS=1: OpenBLAS's threads waiting on each other made
an epoch 11 minutes of CPU (and 38 of wall) at a load of 10 on two cores. Each epoch is validated
on 5,000 training images held out by a seeded split; the test images are used once, at the end.
Saves the loss and accuracy curves and the largest |weight| of each layer per epoch, the lab's two
plots, and the confusion matrix on the test images and the first layer's weights as images (a
CNN's filters; with one layer, the 10 digits' templates), in --out (needs matplotlib: pip install -e
".[plot]" in the clone). The last line printed is `test accuracy: 0.xxxx`. --layers, --hidden and
--activation are the perceptron's: with --model cnn they are refused.

    python examples/mnist.py --data-dir DIR [--layers 3] [--activation relu] [--epochs 15] [--out DIR]
    python examples/mnist.py --data-dir DIR --model cnn [--epochs 5]
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from flags import COUNT, POSITIVE, SEED, checked, parser_for
from plots import save_plot

import nn
from nn import functional as F
from nn.conv import Conv2d, Flatten, MaxPool2d
from nn.idx import WHERE
from nn.plot import plot_curves, plot_history
from nn.plot_images import plot_confusion, plot_images

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def build(layers: int, hidden: list[int], activation: str, dropout: float, seed: int) -> nn.Sequential:
    """`layers` linear layers: 1 is softmax regression; 2 and 3 put the first `layers - 1` sizes
    of `hidden` between 784 inputs and 10 outputs (784-256-128-10 for 3 and [256, 128])."""
    if len(hidden) < layers - 1:
        raise ValueError(f"{layers} layers need {layers - 1} hidden sizes, got {hidden}")
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


def build_cnn(dropout: float, seed: int) -> nn.Sequential:
    """Images (batch, 1, 28, 28) -> two blocks of 3x3 convolution ("same" padding), ReLU and 2x2 max
    pooling, of 32 then 64 channels (64 x 7 x 7 features), dropout, a hidden layer of 128, 10 logits."""
    return nn.Sequential(
        Conv2d(1, 32, 3, padding=1, seed=seed), nn.ReLU(), MaxPool2d(2),
        Conv2d(32, 64, 3, padding=1, seed=seed + 1), nn.ReLU(), MaxPool2d(2),
        nn.Dropout(dropout, seed=seed), Flatten(),
        nn.Linear(64 * 7 * 7, 128, seed=seed + 2), nn.ReLU(), nn.Dropout(2 * dropout, seed=seed + 1),
        nn.Linear(128, 10, seed=seed + 3),
    )  # fmt: skip


SIZES = checked(
    lambda text: [int(part) for part in text.split(",")],
    lambda sizes: min(sizes) >= 1,
    "whole numbers >= 1, comma separated",
)


# flags that only the perceptron reads: the CNN's layers are fixed (every other flag applies to both models)
MLP_ONLY = ("--layers", "--hidden", "--activation")


def make_parser() -> argparse.ArgumentParser:
    """Every flag, with its help and a type that turns a bad value into an argparse error."""
    parser = parser_for(__doc__, __file__)
    parser.add_argument("--data-dir", default="data/mnist", help="folder with the four MNIST files (gzipped or raw)")
    parser.add_argument("--model", choices=("mlp", "cnn"), default="mlp", help="a perceptron, or a convolutional net")
    parser.add_argument("--layers", type=int, choices=(1, 2, 3), help="number of linear layers (default 3; mlp only)")
    parser.add_argument("--hidden", type=SIZES, help="hidden layer sizes, comma separated (default 256,128; mlp only)")
    parser.add_argument(
        "--activation", choices=sorted(ACTIVATIONS), help="between linear layers (default relu; mlp only)"
    )
    dropout = checked(float, lambda p: 0 <= p < 1, "a probability in [0, 1)")
    parser.add_argument(
        "--dropout",
        type=dropout,
        help="dropout after each hidden layer, 0 for none (default 0.2; cnn: 0.1, twice that before the head)",
    )
    parser.add_argument("--epochs", type=COUNT, help="passes over the training images (default 15; cnn: 5)")
    parser.add_argument("--batch-size", type=COUNT, help="images per optimizer step (default 128; cnn: 32)")
    parser.add_argument("--lr", type=POSITIVE, default=1e-3, help="Adam's learning rate")
    decay = checked(float, lambda g: 0 < g <= 1, "a factor in (0, 1]")
    parser.add_argument("--lr-decay", type=decay, help="lr multiplied by this after each epoch (default 1; cnn: 0.7)")
    parser.add_argument("--val-size", type=COUNT, default=5000, help="training images held out for validation")
    parser.add_argument("--seed", type=SEED, default=0, help="seed of the weights, the split, the batches and dropout")
    parser.add_argument("--out", default=".", help="folder for the plots (made if missing)")
    parser.add_argument("--save", help="save the trained model to this .npz file")
    parser.add_argument(
        "--compile", action="store_true", help="train through autograd.compile: the same numbers, each step replayed"
    )
    return parser


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """What no single flag's type can see: flags that disagree, folders that are missing; makes --out."""
    cnn = args.model == "cnn"
    given_mlp_flags = [flag for flag in MLP_ONLY if getattr(args, flag.removeprefix("--")) is not None]
    if cnn and given_mlp_flags:  # build_cnn would ignore them without a word
        parser.error(
            f"argument {given_mlp_flags[0]}: --model cnn has fixed layers, sizes and ReLU (build_cnn); "
            f"leave out {', '.join(given_mlp_flags)}, which only --model mlp uses"
        )
    args.layers = args.layers or 3
    if not cnn and args.layers == 1 and args.activation is not None:  # nothing between layers: it would only pick
        parser.error(  # the init (xavier for tanh and sigmoid), without a word
            "argument --activation: --layers 1 has no hidden layer, so no activation; leave --activation out"
        )
    args.activation = args.activation or "relu"
    args.epochs = args.epochs or (5 if cnn else 15)
    given_dropout = args.dropout is not None
    args.dropout = (0.1 if cnn else 0.2) if args.dropout is None else args.dropout
    args.batch_size = args.batch_size or (32 if cnn else 128)
    args.lr_decay = (0.7 if cnn else 1.0) if args.lr_decay is None else args.lr_decay
    if cnn and 2 * args.dropout >= 1:
        parser.error(f"argument --dropout: the cnn uses twice {args.dropout} before its head, which must be below 1")
    if args.hidden is None:
        args.hidden = [256, 128][: args.layers - 1]
    elif len(args.hidden) != args.layers - 1:  # more would be dropped without a word
        need = f"needs {args.layers - 1} sizes" if args.layers > 1 else "has no hidden layer: leave --hidden out"
        parser.error(f"argument --hidden: --layers {args.layers} {need}, got {args.hidden}")
    if not cnn and args.layers == 1 and args.dropout:
        if given_dropout:
            parser.error("argument --dropout: --layers 1 has no hidden layer to drop out after; leave --dropout out")
        args.dropout = 0.0
    if not Path(args.data_dir).is_dir():
        parser.error(f"argument --data-dir: no folder {args.data_dir}. {WHERE}")
    if args.save and (Path(args.save).is_dir() or not Path(args.save).parent.is_dir()):
        parser.error(f"argument --save: {args.save} is a folder, or its folder does not exist")
    try:
        Path(args.out).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        parser.error(f"argument --out: cannot make the folder {args.out}: {e.strerror}")
    return args


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Train and test as the flags in `argv` (else the command line) say; the final accuracies."""
    parser = make_parser()
    args = check(parser, parser.parse_args(argv))
    try:
        data = nn.data.mnist(args.data_dir)
    except (OSError, ValueError) as e:
        sys.exit(f"examples/mnist.py: {e}")
    if args.val_size >= len(data.train_labels):
        parser.error(
            f"argument --val-size: {args.val_size} leaves none of the {len(data.train_labels)} training images"
        )
    train, val = nn.data.train_val_split(
        data.train_images, data.train_labels, args.val_size / len(data.train_labels), seed=args.seed
    )
    test_images = data.test_images
    if args.model == "cnn":  # one channel, standardised by the training part's mean and deviation, not the held-out
        mean, std = train[0].mean(), train[0].std()  # images': their statistics would reach the training they judge
        train, val = ((standardised(X, mean, std), y) for X, y in (train, val))
        test_images = standardised(test_images, mean, std)
    print(f"training on {len(train[1])} images, validating on {len(val[1])} held out; {len(data.test_labels)} to test")
    if args.model == "cnn":
        model = build_cnn(args.dropout, args.seed)
    else:
        model = build(args.layers, args.hidden, args.activation, args.dropout, args.seed)
    print(model)
    largest: dict[str, list[float]] = {}

    def record_weights(epoch: int, model: nn.Module, history: nn.History) -> None:
        for name, p in model.named_parameters():
            if name.endswith((".W", ".weight")):
                largest.setdefault(name, []).append(float(np.abs(p.data).max()))

    start = time.perf_counter()
    optimizer = nn.Adam(model.parameters(), lr=args.lr)
    schedule = nn.schedulers.StepLR(optimizer, step_size=1, gamma=args.lr_decay)
    history = nn.fit(
        model, F.cross_entropy, optimizer, train, epochs=args.epochs, scheduler=schedule,
        batch_size=args.batch_size, val_data=val, seed=args.seed, callbacks=[record_weights],
        compile=args.compile,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    print(f"trained in {seconds:.1f} s, {seconds / len(history.loss):.1f} s an epoch (validation included)")
    if args.save:
        nn.save(model, args.save)
        print(f"model saved to {args.save}")
    out = Path(args.out)
    save_plot(plot_history, history, path=out / "mnist_curves.png")
    save_plot(plot_curves, {"max |weight|": largest}, path=out / "mnist_weights.png")
    predictions = nn.predict(model, test_images).argmax(axis=1)
    save_plot(plot_confusion, data.test_labels, predictions, path=out / "mnist_confusion.png")
    images, title, labels = first_layer_images(model)
    save_plot(lambda path: plot_images(images, path, title, labels=labels), path=out / "mnist_first_layer.png")
    _, test_accuracy = nn.evaluate(model, F.cross_entropy, test_images, data.test_labels)
    print(f"test accuracy: {test_accuracy:.4f}")
    return {"val_accuracy": history.val_accuracy[-1], "test_accuracy": test_accuracy}


def standardised(images: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Flattened images as (n, 1, 28, 28), less `mean`, over `std`: the CNN's inputs."""
    return (images.reshape(-1, 1, 28, 28) - mean) / std


SHOWN_UNITS = 32  # hidden units drawn of a wide first layer: four rows of eight stay readable


def first_layer_images(model: nn.Module) -> tuple[np.ndarray, str, list[str] | None]:
    """The first layer's weights as images, with a title and labels (or None): a CNN's filters
    (out, in, k, k); a one-layer model's 10 class templates, the weights on the 28 x 28 pixels of
    each digit's score; else the first hidden units' weights on the pixels (a Linear W is (784, units))."""
    weights = [(n, p.data) for n, p in model.named_parameters() if n.endswith((".W", ".weight"))]
    name, weight = weights[0]
    if weight.ndim == 4:
        return weight[:, 0], f"first layer's {len(weight)} filters ({name})", None
    if len(weights) == 1:  # the only layer: its columns score the digits 0 to 9
        digits = [f"digit {d}" for d in range(weight.shape[1])]
        return (
            weight.T.reshape(-1, 28, 28),
            f"{len(digits)} class templates: the weights of each digit's score on the pixels ({name})",
            digits,
        )
    units = weight.shape[1]
    shown = min(units, SHOWN_UNITS)
    which = f"all {units}" if shown == units else f"the first {shown} of its {units}"
    return weight.T[:shown].reshape(-1, 28, 28), f"first layer's weights on the pixels, {which} units ({name})", None


if __name__ == "__main__":
    main()
