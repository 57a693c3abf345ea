"""Learn to add up a sequence: a GRU (or an LSTM, or an Elman RNN) reads sequences of numbers in
[-1, 1], one at a time, and a Linear layer reads the sum off its last hidden state. The loss starts
near the sum's variance (5/3 for sequences of 5) and ends near 0 (about 0.001); on sequences twice as
long as any it was shown the model is still close (an error near 0.1, where the sum's variance is 10/3).

    python examples/sequence_sum.py [--cell gru] [--epochs 40] [--lr 0.02] [--length 5]
"""

import numpy as np
from flags import COUNT, POSITIVE, parser_for

import nn
from nn import functional as F


class Summer(nn.Module):
    """(batch, seq_len, 1) -> (batch, 1): a recurrent layer, then a Linear on its last hidden state."""

    def __init__(self, cell: str, hidden: int = 12) -> None:
        self.rnn = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn": nn.RNN}[cell](1, hidden, batch_first=True, seed=0)
        self.head = nn.Linear(hidden, 1, seed=1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def sequences(rng: np.random.Generator, count: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` sequences of `length` numbers uniform in [-1, 1], shaped (count, length, 1), and their sums."""
    X = rng.uniform(-1, 1, (count, length, 1)).astype(np.float32)
    return X, X.sum(axis=1)


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Train; the first and last epoch's loss, and the error on new sequences of the trained length and longer."""
    parser = parser_for(__doc__, __file__)
    parser.add_argument("--cell", choices=("gru", "lstm", "rnn"), default="gru", help="the recurrent layer")
    parser.add_argument("--epochs", type=COUNT, default=40, help="passes over the 256 training sequences")
    parser.add_argument("--lr", type=POSITIVE, default=0.02, help="Adam's learning rate")
    parser.add_argument("--length", type=COUNT, default=5, help="the training sequences' length")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    model = Summer(args.cell)
    print(model)
    history = nn.fit(model, F.mse_loss, nn.Adam(model.parameters(), lr=args.lr), sequences(rng, 256, args.length),
                     epochs=args.epochs, batch_size=32, metric=None, verbose=False)  # fmt: skip
    figures = {"first_loss": history.loss[0], "last_loss": history.loss[-1]}
    print(f"training loss: {figures['first_loss']:.3f} in the first epoch, {figures['last_loss']:.4f} in the last")
    for length in (args.length, 2 * args.length):
        X, y = sequences(rng, 200, length)
        figures[f"error_{length}"] = float(F.mse_loss(model(X), y).data)
        print(f"mean squared error on 200 new sequences of {length}: {figures[f'error_{length}']:.4f}")
    X = np.array([[[0.5], [-0.25], [1.0], [0.125], [-0.5]]], np.float32)
    print(f"0.5 - 0.25 + 1 + 0.125 - 0.5 = 0.875; the model says {model(X).data.item():.3f}")
    return figures


if __name__ == "__main__":
    main()
