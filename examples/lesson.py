"""The lesson's own framework, rebuilt on chainrule: its two-feature dataset, 80/20 split,
a one-layer net (Linear + Softmax) and a two-layer net (Linear(2, 10), Tanh, Linear(10, 2)),
trained by SGD on minibatches of 4 with the lesson's cross-entropy on probabilities.

The training loop is written out (forward, loss, zero_grad, backward, step); then nn.fit
trains the two-layer net again from the same start, the same loop in one call, to the same
figures.

    python examples/lesson.py [--epochs 10] [--lr 0.1] [--batch-size 4]
"""

import numpy as np
from flags import COUNT, POSITIVE, parser_for

import nn
from autograd import Tensor


def lesson_cross_entropy(probs: Tensor, labels: np.ndarray) -> Tensor:
    """The lesson's loss: -log of the probability given to the right class, averaged.
    (On logits, nn.functional.cross_entropy computes the same, fused and stable.)"""
    return -probs[np.arange(len(labels)), labels].log().mean()


def one_layer() -> nn.Sequential:
    net = nn.Sequential()
    net.add(nn.Linear(2, 2, init="lesson", seed=0))
    net.add(nn.Softmax())
    return net


def two_layers() -> nn.Sequential:
    net = nn.Sequential()
    net.add(nn.Linear(2, 10, init="lesson", seed=0))
    net.add(nn.Tanh())
    net.add(nn.Linear(10, 2, init="lesson", seed=1))
    net.add(nn.Softmax())
    return net


def accuracies(net: nn.Module, train_data: tuple, val_data: tuple) -> dict[str, float]:
    """The fraction of training and of validation examples the net classifies right."""
    return {
        "train_accuracy": nn.evaluate(net, lesson_cross_entropy, *train_data)[1],
        "val_accuracy": nn.evaluate(net, lesson_cross_entropy, *val_data)[1],
    }


def train_by_hand(
    net: nn.Module, train_data: tuple, val_data: tuple, epochs: int, lr: float, batch_size: int
) -> dict[str, float]:
    """Minibatch SGD, every step of it in sight; the final accuracies."""
    optimizer = nn.SGD(net.parameters(), lr=lr)
    batches = nn.data.Batches(*train_data, batch_size=batch_size, shuffle=True, seed=0)
    for epoch in range(1, epochs + 1):
        losses = []
        for X, y in batches:  # a new shuffled order each epoch
            probs = net(Tensor(X))  # forward: the probability of each class, for each example
            loss = lesson_cross_entropy(probs, y)  # one number to make smaller
            optimizer.zero_grad()  # backward adds into .grad: forget the last step's gradients
            loss.backward()  # d loss / d parameter, for every parameter
            optimizer.step()  # each parameter a step of lr against its gradient
            losses.append(loss.item())
        figures = accuracies(net, train_data, val_data)
        print(
            f"  epoch {epoch:2d}: loss {np.mean(losses):.4f}, train accuracy {figures['train_accuracy']:.2f}, "
            f"validation accuracy {figures['val_accuracy']:.2f}"
        )
    return figures


def report(name: str, figures: dict[str, float]) -> None:
    print(
        f"{name}: final train accuracy {figures['train_accuracy']:.2f}, "
        f"validation accuracy {figures['val_accuracy']:.2f}"
    )


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Train both nets by hand, then the two-layer one with nn.fit; the final accuracies of each."""
    parser = parser_for(__doc__, __file__)
    parser.add_argument("--epochs", type=COUNT, default=10, help="passes over the training examples")
    parser.add_argument("--lr", type=POSITIVE, default=0.1, help="SGD's learning rate")
    parser.add_argument("--batch-size", type=COUNT, default=4, help="examples per SGD step")
    args = parser.parse_args(argv)

    # The lesson's call. Its two clusters per class fall on the corners of a square: seed 5
    # puts each class's pair side by side, as the lesson's own draw did (a straight boundary
    # then reaches about 0.85); some seeds put them diagonally, an XOR no single layer can learn.
    X, y = nn.data.make_classification(n_samples=100, n_features=2, flip_y=0.2, seed=5)
    train_data, val_data = nn.data.train_val_split(X, y, val_fraction=0.2, seed=0)
    results = {}
    for name, make in (("one layer", one_layer), ("two layers", two_layers)):
        net = make()
        print(f"\n{name}, trained by hand:\n{net}")
        results[name] = train_by_hand(net, train_data, val_data, args.epochs, args.lr, args.batch_size)
        report(name, results[name])

    # The shortcut: nn.fit runs the same loop (same batches, same steps) and keeps a History.
    net = two_layers()
    nn.fit(net, lesson_cross_entropy, nn.SGD(net.parameters(), lr=args.lr), train_data, epochs=args.epochs,
           batch_size=args.batch_size, seed=0, verbose=False)  # fmt: skip
    results["two layers, nn.fit"] = accuracies(net, train_data, val_data)
    print()
    report("two layers, nn.fit", results["two layers, nn.fit"])
    return results


if __name__ == "__main__":
    main()
