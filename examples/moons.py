"""micrograd's demo on chainrule's scalar engine: an MLP 2-16-16-1 learns two moons.

100 points, hinge loss plus 1e-4 L2, full-batch SGD with a decaying learning rate, written
out as micrograd's loop. Prints the accuracy and saves the decision boundary (needs
matplotlib: pip install -e ".[plot]" in the clone).

    python examples/moons.py [--out moons.png] [--steps 100] [--points 100]
"""

from flags import COUNT, parser_for, plot_path
from plots import save_plot

import nn
from nn import functional as F
from nn.plot import plot_decision_boundary


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Train as micrograd's demo does; the last step's loss and the final training accuracy."""
    parser = parser_for(__doc__, __file__)
    parser.add_argument(
        "--out", default="moons.png", type=plot_path, help="where to save the decision boundary (.png, .svg or .pdf)"
    )
    parser.add_argument("--steps", type=COUNT, default=100, help="full-batch SGD steps")
    parser.add_argument("--points", type=COUNT, default=100, help="how many points the two moons have")
    args = parser.parse_args(argv)

    X, y = nn.data.moons(args.points, noise=0.1, seed=0)
    labels = 2 * y - 1  # the hinge loss wants -1 and +1
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    print(model)
    for k in range(args.steps):
        scores = [model(list(row)) for row in X.tolist()]
        loss = F.hinge_loss(scores, labels) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * k / args.steps
        for p in model.parameters():
            p.data -= lr * p.grad
        if k % 10 == 0 or k == args.steps - 1:
            print(f"step {k:3d}: loss {loss.data:.4f}, accuracy {F.accuracy(scores, labels):.0%}")
    scores = [model(list(row)) for row in X.tolist()]
    accuracy = F.accuracy(scores, labels)
    print(f"training accuracy: {accuracy:.0%}")
    save_plot(plot_decision_boundary, model, X, y, path=args.out)
    return {"loss": loss.data, "train_accuracy": accuracy}


if __name__ == "__main__":
    main()
