"""Three-class spirals on the tensor engine: an MLP 2-64-64-3 with Adam and cross-entropy.

Prints the training and validation accuracy and saves the decision boundary (needs
matplotlib: pip install chainrule[plot]).

    python examples/spirals.py [--out spirals.png]
"""

import argparse

from plots import save_plot

import nn
from nn import functional as F
from nn.plot import plot_decision_boundary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="spirals.png", help="where to save the decision boundary")
    args = parser.parse_args()

    X, y = nn.data.spirals(600, n_classes=3, noise=0.2, seed=0)
    train, val = nn.data.train_val_split(X, y, val_fraction=0.2, seed=0)
    model = nn.Sequential(
        nn.Linear(2, 64, seed=0), nn.ReLU(), nn.Linear(64, 64, seed=1), nn.ReLU(), nn.Linear(64, 3, seed=2)
    )
    print(model)
    history = nn.fit(model, F.cross_entropy, nn.Adam(model.parameters(), lr=0.01), train, epochs=100,
                     batch_size=32, val_data=val, verbose=False)  # fmt: skip
    print(f"after {len(history.loss)} epochs: {history.last()}")
    print(f"training accuracy: {nn.evaluate(model, F.cross_entropy, *train)[1]:.4f}")
    print(f"validation accuracy: {history.val_accuracy[-1]:.4f}")
    save_plot(plot_decision_boundary, model, X, y, path=args.out)


if __name__ == "__main__":
    main()
