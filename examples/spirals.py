"""Three-class spirals on the tensor engine: an MLP 2-64-64-3 with Adam and cross-entropy.

Prints the training and validation accuracy and saves the decision boundary (needs
matplotlib: pip install -e ".[plot]" in the clone).

    python examples/spirals.py [--out spirals.png] [--epochs 100]
"""

from flags import COUNT, parser_for, plot_path
from plots import save_plot

import nn
from nn import functional as F
from nn.plot import plot_decision_boundary


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Train with nn.fit; the final training and validation accuracies."""
    parser = parser_for(__doc__, __file__)
    parser.add_argument(
        "--out", default="spirals.png", type=plot_path, help="where to save the decision boundary (.png, .svg or .pdf)"
    )
    parser.add_argument("--epochs", type=COUNT, default=100, help="passes over the training points")
    args = parser.parse_args(argv)

    X, y = nn.data.spirals(600, n_classes=3, noise=0.2, seed=0)
    train, val = nn.data.train_val_split(X, y, val_fraction=0.2, seed=0)
    model = nn.Sequential(
        nn.Linear(2, 64, seed=0), nn.ReLU(), nn.Linear(64, 64, seed=1), nn.ReLU(), nn.Linear(64, 3, seed=2)
    )
    print(model)
    history = nn.fit(model, F.cross_entropy, nn.Adam(model.parameters(), lr=0.01), train, epochs=args.epochs,
                     batch_size=32, val_data=val, verbose=False)  # fmt: skip
    epochs = len(history.loss)
    during = f"last epoch ({epochs} epoch{'s' * (epochs != 1)}), averaged over its batches as they trained"
    print(f"{during}: {history.last()}")
    train_accuracy = nn.evaluate(model, F.cross_entropy, *train)[1]
    print(f"after training, the final weights: training accuracy {train_accuracy:.4f}, ", end="")
    print(f"validation accuracy {history.val_accuracy[-1]:.4f}")
    save_plot(plot_decision_boundary, model, X, y, path=args.out)
    return {"train_accuracy": train_accuracy, "val_accuracy": history.val_accuracy[-1]}


if __name__ == "__main__":
    main()
