"""evaluate refuses examples that are not finite as fit does, and an error out of fit's training says how
many steps of the unfinished epoch it made (they stay made, as after Ctrl-C)."""

import numpy as np
import pytest

import nn
import nn.functional as F


def _model():
    return nn.Sequential(nn.Linear(2, 3, seed=0))


@pytest.mark.parametrize("part", ["X", "y"])
def test_evaluate_refuses_nan_as_fit_does(part):
    X, y = np.ones((4, 2)), np.array([0.0, 1.0, 2.0, 0.0])
    (X if part == "X" else y)[2] = np.nan
    loss = F.cross_entropy if part == "X" else F.mse_loss
    with pytest.raises(ValueError, match=rf"evaluate: {part} holds nan in row 2"):
        nn.evaluate(_model(), loss, X, y.astype(int) if part == "X" else y[:, None] * np.ones(3), metric=None)


def test_an_error_mid_epoch_says_how_many_of_its_steps_were_made():
    model, calls = _model(), [0]

    def loss(out, labels):
        calls[0] += 1
        if calls[0] == 7:  # epoch 2's third batch (four an epoch)
            raise RuntimeError("the loss failed")
        return F.cross_entropy(out, labels)

    before_epoch_2 = []
    opt = nn.SGD(model.parameters(), lr=0.1)
    X, y = np.random.default_rng(0).normal(size=(64, 2)), np.arange(64) % 3
    keep = nn.Sequential(nn.Linear(2, 3, seed=0))
    with pytest.raises(RuntimeError, match="the loss failed") as raised:
        nn.fit(model, loss, opt, (X, y), epochs=2, batch_size=16, metric=None, verbose=False,
               callbacks=[lambda e, m, h: before_epoch_2.append(m.state_dict())])  # fmt: skip
    assert raised.value.__notes__ == [
        "fit: 2 step(s) of epoch 2 were made before this; they stay made (the model has their weights, the "
        "optimizer its state after them), and the epoch is not in the History"
    ]
    assert len(raised.value.history.loss) == 1
    keep.load_state_dict(before_epoch_2[0])
    assert not np.array_equal(keep.layers[0].W.data, model.layers[0].W.data)  # the two steps are in the model


def test_batches_are_read_only_so_fit_never_trains_on_a_pair_checked_apart():
    from nn.data import Batches

    b = Batches(np.ones((33, 2)), np.zeros(33, dtype=int))
    for name, value in [("y", np.zeros(5)), ("X", np.ones((5, 2))), ("batch_size", 0), ("drop_last", True)]:
        with pytest.raises(AttributeError, match=f"Batches: {name} is read-only"):
            setattr(b, name, value)
    assert (len(b), b.X.shape, b.y.shape, b.batch_size) == (2, (33, 2), (33,), 32)
