"""autograd.compile: a replayed step gives eager's numbers exactly (losses, gradients, parameters,
optimizer state), on random MLPs, a CNN and in nn.fit, and records again for new shapes."""

import warnings

import numpy as np
import pytest
from compile_cases import ACTIVATIONS, OPTIMIZERS, assert_same, batches, fit_spirals, mlp, replays, train
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor
from autograd.compile_record import read
from nn import functional as F


@settings(max_examples=12, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
    nin=st.integers(1, 5),
    classes=st.integers(2, 4),
    batch=st.integers(1, 5),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    optimizer=st.sampled_from(sorted(OPTIMIZERS)),
)
def test_a_compiled_mlp_step_gives_eagers_numbers(hidden, nin, classes, batch, activation, optimizer):
    data = batches((batch, nin), classes, 5)
    sizes = [nin, *hidden, classes]
    args = (lambda: mlp(sizes, activation), OPTIMIZERS[optimizer], data)
    eager, _ = train(*args, compiled=False)
    compiled, run = train(*args, compiled=True)
    assert_same(eager, compiled)
    assert replays(run) == 1  # calls 3 to 5 were replays


def small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1, dtype=np.float64, seed=0),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(3 * 3 * 3, 4, seed=0, dtype=np.float64),
    )


def test_a_compiled_cnn_step_gives_eagers_numbers():
    data = batches((3, 1, 6, 6), 4, 5)
    eager, _ = train(small_cnn, OPTIMIZERS["adam"], data, compiled=False)
    compiled, run = train(small_cnn, OPTIMIZERS["adam"], data, compiled=True)
    assert_same(eager, compiled)
    assert replays(run) == 1


def test_a_new_batch_shape_is_recorded_again_and_each_shape_replays():
    shapes = [(4, 3), (4, 3), (2, 3), (4, 3), (2, 3), (2, 3), (4, 3)]
    rng = np.random.default_rng(2)
    data = [(rng.standard_normal(s), rng.integers(0, 2, s[0])) for s in shapes]
    args = (lambda: mlp([3, 5, 2], "tanh"), OPTIMIZERS["sgd"], data)
    eager, _ = train(*args, compiled=False)
    compiled, run = train(*args, compiled=True)
    assert_same(eager, compiled)
    assert len(run.recordings) == 2 and replays(run) == 2


def test_a_replay_returns_new_tensors_and_floats_read_from_the_step():
    model = mlp([3, 4, 2], "relu")
    optimizer = nn.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        out = model(x)
        loss = F.cross_entropy(out, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"loss": read(loss, loss.data.item()), "out": out}  # what Tensor.item() will do

    run = autograd.compile(step, strict=True)
    results = [run(Tensor(x), y) for x, y in batches((5, 3), 2, 4)]
    assert replays(run) == 1
    assert all(isinstance(r["loss"], float) and r["out"].shape == (5, 2) for r in results)
    assert results[2]["out"] is not results[3]["out"] and not np.array_equal(results[2]["out"], results[3]["out"])


def test_fit_with_compile_gives_the_history_of_fit_without():
    make = lambda: nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1))  # noqa: E731
    val = nn.data.spirals(30, n_classes=3, seed=1)
    (eager, eager_params), (compiled, compiled_params) = (fit_spirals(c, make, val_data=val) for c in (False, True))
    assert (eager.loss, eager.accuracy, eager.val_loss) == (compiled.loss, compiled.accuracy, compiled.val_loss)
    assert_same(eager_params, compiled_params)
    with pytest.raises(TypeError, match="compile=False"):
        fit_spirals(True, lambda: nn.MLP(2, [4, 3]))


def test_no_warning_for_a_plain_training_step():
    make = lambda: nn.Sequential(nn.Linear(2, 8, seed=0), nn.Tanh(), nn.Linear(8, 3, seed=1))  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_spirals(True, make, epochs=3)
