"""PyTorch habits with nn.load and nn.fit's data told in chainrule's terms: nn.load(path), as torch.load, said
"missing 1 required positional argument: 'path'"; a list of (xb, yb) batches, as a DataLoader gives, said
"X has rows of different lengths" (two batches read as (X, y))."""

import numpy as np
import pytest

import nn
from nn import functional as F

X, Y = nn.data.spirals(90, n_classes=3, seed=0)


def test_nn_load_of_a_path_alone_says_to_make_the_model_first(tmp_path) -> None:
    path = tmp_path / "m.npz"
    nn.save(nn.Linear(2, 3, seed=0), path)
    with pytest.raises(TypeError, match=r"takes the model and the file's path, got only .*m\.npz.*make the model"):
        nn.load(path)
    with pytest.raises(TypeError, match=r"nn\.save\(module, path, optimizer=None\) takes the model and the file's"):
        nn.save(nn.Linear(2, 3, seed=0))
    assert nn.load(nn.Linear(2, 3, seed=1), path) is not None


@pytest.mark.parametrize("count", [2, 3])
def test_a_list_of_batches_is_told_fit_takes_x_and_y(count) -> None:
    model = nn.Linear(2, 3, seed=0)
    cuts = np.array_split(np.arange(len(Y)), count)
    with pytest.raises(
        TypeError, match=rf"got a list of {count} items, which hold {count} \(xb, yb\) batches.*Batches"
    ):
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), [(X[c], Y[c]) for c in cuts], verbose=False)


def test_x_as_a_list_of_rows_is_still_x() -> None:
    model = nn.Linear(2, 3, seed=0)
    history = nn.fit(model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (list(X), list(Y)), verbose=False)
    assert len(history.loss) == 1


def test_two_examples_given_as_lists_of_arrays_are_told_to_stack_them() -> None:
    """([x0, x1], [t0, t1]), two examples of shape (4, 4) and their targets, trained before the list-of-batches
    message, which took them for two (xb, yb) batches and said only that: they may be either (two batches of an
    autoencoder would train on the wrong examples without a word), and the message says how to give them."""
    rng = np.random.default_rng(0)
    xs, ts = [rng.standard_normal((4, 4)).astype(np.float32) for _ in range(2)], [np.ones((4, 4), np.float32)] * 2
    model = nn.Linear(4, 4, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(
        TypeError, match=r"2 \(xb, yb\) batches.*if they are X and y, .*\(np\.stack\(X\), np\.stack\(y\)\)"
    ):
        nn.fit(model, F.mse_loss, opt, (xs, ts), verbose=False, metric=None)
    history = nn.fit(model, F.mse_loss, opt, (np.stack(xs), np.stack(ts)), verbose=False, metric=None)
    assert len(history.loss) == 1
