"""nn.evaluate, and fit's validation each epoch, ran the model on every row at once: examples/mnist.py --model cnn
--val-size 54000 trained an epoch, then raised MemoryError validating (max_pool2d's arrays for 54,000 images, 28 GB),
telling the learner to use a smaller batch, which validation has none of. The model now runs 1,024 rows at a time,
as predict does, and the loss and the metric see every row's output at once, as before."""

import numpy as np

import nn
from autograd import Tensor, no_grad
from nn import functional as F


class Counted(nn.Module):
    """A linear model that notes how many rows each call is given."""

    def __init__(self) -> None:
        self.linear = nn.Linear(4, 3, seed=0, dtype=np.float64)
        self.rows: list[int] = []

    def forward(self, x):
        self.rows.append(x.shape[0])
        return self.linear(x)


def _data(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)), rng.integers(0, 3, size=n)


def test_evaluate_runs_the_model_on_at_most_1024_rows_at_once_and_gives_one_forwards_numbers():
    X, y = _data(2500)
    model = Counted()
    loss, accuracy = nn.evaluate(model, F.cross_entropy, X, y)
    assert model.rows == [1024, 1024, 452]  # was [2500]
    with no_grad():
        out = model.linear(Tensor(X, dtype=np.float64))
    assert loss == F.cross_entropy(out, y).item()  # the mean over the 2,500 rows, as one forward gives it
    assert accuracy == np.mean(out.data.argmax(axis=1) == y)


def test_fits_validation_runs_in_rows_of_1024_too():
    X, y = _data(64)
    val_X, val_y = _data(1500)
    model = Counted()
    history = nn.fit(
        model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (X, y), epochs=1, batch_size=64,
        val_data=(val_X, val_y), verbose=False,
    )  # fmt: skip
    # fit's own checks call it on a few rows first; then one training batch, then validation: was [..., 64, 1500]
    assert model.rows[-3:] == [64, 1024, 476] and max(model.rows) == 1024
    model.rows.clear()
    assert history.val_loss[-1] == nn.evaluate(model, F.cross_entropy, val_X, val_y)[0]


class Pair(Counted):
    """A model of two outputs (a tuple), which evaluate computes in one forward, as before."""

    def forward(self, x):
        out = super().forward(x)
        return out, out


def test_a_model_of_several_outputs_is_not_run_on_every_row_twice():
    X, y = _data(2500)
    model = Pair()
    loss, _ = nn.evaluate(model, lambda out, labels: F.cross_entropy(out[0], labels), X, y, metric=None)
    assert model.rows == [1024, 2500]  # was [1024, 1024, 452, 2500]: all its blocks, then the one forward
    with no_grad():
        assert loss == F.cross_entropy(model.linear(Tensor(X, dtype=np.float64)), y).item()
