"""Regression with the lesson's two errors: fit y = X @ w + b with the squared error (MSE),
then with the absolute error (L1), and compare the fitted coefficients with the true ones.

    python examples/regression.py [--epochs 60] [--lr 0.05]
"""

from typing import Any

from flags import COUNT, POSITIVE, parser_for

import nn
from nn import functional as F


def main(argv: list[str] | None = None) -> dict[str, dict]:
    """Fit with each error; the true and the fitted coefficients, and each fit's validation error."""
    parser = parser_for(__doc__, __file__)
    parser.add_argument("--epochs", type=COUNT, default=60, help="passes over the training data, for each fit")
    parser.add_argument("--lr", type=POSITIVE, default=0.05, help="Adam's learning rate")
    args = parser.parse_args(argv)

    X, y, w_true, b_true = nn.data.linear_regression(200, features=2, noise=0.1, seed=0)
    (X_train, y_train), val = nn.data.train_val_split(X, y, val_fraction=0.2, seed=0)
    print(f"true coefficients:  w = {_three_places(w_true)}, b = {b_true:.3f}")
    results = {"true": {"w": w_true.tolist(), "b": float(b_true)}}
    for name, loss in (("mse_loss", F.mse_loss), ("l1_loss", F.l1_loss)):
        model = nn.Linear(2, 1, seed=0)
        history = nn.fit(model, loss, nn.Adam(model.parameters(), lr=args.lr), (X_train, y_train),
                         epochs=args.epochs, batch_size=16, val_data=val, metric=None, verbose=False)  # fmt: skip
        w, b = model.W.data.ravel().astype(float), model.b.data.item()
        print(f"fitted with {name}: w = {_three_places(w)}, b = {b:.3f} (validation {name} {history.val_loss[-1]:.4f})")
        results[name] = {"w": w.tolist(), "b": b, "val_loss": history.val_loss[-1]}
    return results


def _three_places(w: Any) -> str:
    """Coefficients as b is written, to 3 decimals each (a list's repr dropped 0.850's last zero)."""
    return "[" + ", ".join(f"{v:.3f}" for v in w) + "]"


if __name__ == "__main__":
    main()
