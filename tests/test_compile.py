"""autograd.compile: a replayed step gives eager's numbers exactly (losses, gradients, parameters,
optimizer state), on random MLPs, a CNN and in nn.fit, and records again for new shapes."""

import warnings

import numpy as np
import pytest
from compile_cases import ACTIVATIONS, OPTIMIZERS, assert_same, batches, fit_spirals, mlp, replays, train, training_step
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor
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


@pytest.mark.parametrize("batch", [1, 6])
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_a_compiled_float32_step_gives_eagers_numbers(activation, optimizer, batch):
    """float32, as the benchmark: the kernels' buffers and the outer product of a batch of one."""
    data = batches((batch, 7), 3, 5, dtype=np.float32)
    args = (lambda: mlp([7, 9, 8, 3], activation, dtype=np.float32), OPTIMIZERS[optimizer], data)
    assert_same(train(*args, compiled=False)[0], train(*args, compiled=True)[0])


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
        return {"loss": loss.item(), "out": out}

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


def accumulating_run(compiled):
    """A step without zero_grad (gradients add up over calls), with `.grad` reset between some calls
    by hand (p.grad = None) and by model.zero_grad(): what it gives after each call."""
    model = mlp([3, 5, 2], "relu")
    optimizer = nn.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    run = autograd.compile(step, strict=True) if compiled else step
    history = []
    for i, (x, y) in enumerate(batches((4, 3), 2, 9)):
        if i == 4:
            for p in model.parameters():
                p.grad = None
        if i == 6:
            model.zero_grad()
        loss = run(Tensor(x), y)
        history.append((loss.data.copy(), [p.grad.copy() for p in model.parameters()]))
        history.append([p.data.copy() for p in model.parameters()])
    return history, run


def test_gradients_accumulated_over_replays_and_reset_between_them_are_eagers():
    (eager, _), (compiled, run) = accumulating_run(False), accumulating_run(True)
    assert_same(eager, compiled)
    assert replays(run) == 1


def test_a_replay_writes_parameters_gradients_into_the_arrays_of_the_last_replay():
    """As PyTorch's in-place accumulation: a `.grad` held from an earlier step sees the new values."""
    model = mlp([3, 4, 2], "tanh")
    optimizer = nn.SGD(model.parameters(), lr=0.1)

    step = training_step(model, optimizer)

    run = autograd.compile(step, strict=True)
    data = batches((5, 3), 2, 5)
    for x, y in data[:3]:
        run(Tensor(x), y)
    held = [p.grad for p in model.parameters()]
    values = [g.copy() for g in held]
    run(Tensor(data[3][0]), data[3][1])
    assert all(g is p.grad for g, p in zip(held, model.parameters()))
    assert not all(np.array_equal(g, v) for g, v in zip(held, values))


def layouts_run(compiled):
    """Inputs in C and in Fortran order, alternately, through elementwise ops and a whole-array sum
    (whose order of addition follows the layout), a transpose and its gradient: what each call gives."""
    model = mlp([6, 5, 3], "relu")
    optimizer = nn.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        h = x * 3.0 - 1.0
        scaled = (model[0](h) - model[0].b.sum()).T  # its gradient comes back in Fortran order, then is summed
        loss = F.cross_entropy(model(h), y) + ((h * h).sum() + (model[0].W.T * 2.0).sum() + (scaled**2).sum()) * 1e-3
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    run = autograd.compile(step, strict=True) if compiled else step
    rng = np.random.default_rng(0)
    history = []
    for i in range(8):
        x = rng.standard_normal((33, 6))
        x = np.asfortranarray(x) if i % 3 else x
        history.append(run(Tensor(x), rng.integers(0, 3, 33)).data.copy())
        history.append([p.data.copy() for p in model.parameters()])
    return history, run


def test_inputs_in_fortran_order_and_transposes_give_eagers_numbers():
    (eager, _), (compiled, run) = layouts_run(False), layouts_run(True)
    assert_same(eager, compiled)
    assert len(run.recordings) == 2 and replays(run) == 2
