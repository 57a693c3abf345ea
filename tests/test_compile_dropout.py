"""autograd.compile with random data drawn by autograd.drawn (nn.Dropout, nn.Dropout2d's masks,
autograd.rand and randn): a replay draws it again, in the order of the recording, so a compiled
step gives eager's numbers exactly, from a layer's own generator or the default one; a draw that
cannot be replayed faithfully makes the step run eagerly, naming the cause."""

import warnings

import numpy as np
import pytest
from compile_cases import OPTIMIZERS, assert_same, batches, fit_spirals, replays, train
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import CompileError, CompileWarning, Tensor
from nn import functional as F


def dropout_mlp(sizes, p, seed=0, dtype=np.float64):
    """Linear, ReLU, Dropout(p) blocks; seeded layers, or unseeded ones (the default generator) for seed=None."""
    layers = []
    for i, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(nin, nout, seed=None if seed is None else seed + i, dtype=dtype))
        if i < len(sizes) - 2:
            layers += [nn.ReLU(), nn.Dropout(p, seed=None if seed is None else seed + i)]
    return nn.Sequential(*layers)


def eager_and_compiled(make, data, optimizer="adam", before=lambda i, model: None, seed=None):
    """What train gives eagerly and compiled (strict), each from `autograd.manual_seed(seed)` if a seed is given."""
    runs = []
    for compiled in (False, True):
        if seed is not None:
            autograd.manual_seed(seed)
        runs.append(train(make, OPTIMIZERS[optimizer], data, compiled=compiled, before=before))
    (eager, _), (compiled, run) = runs
    return eager, compiled, run


@settings(max_examples=10, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    batch=st.integers(1, 5),
    p=st.sampled_from([0.1, 0.5, 0.9]),
    optimizer=st.sampled_from(sorted(OPTIMIZERS)),
    dtype=st.sampled_from([np.float32, np.float64]),
    seeded=st.booleans(),
)
def test_a_compiled_dropout_mlp_step_gives_eagers_numbers(hidden, batch, p, optimizer, dtype, seeded):
    data = batches((batch, 3), 2, 6, dtype=dtype)
    make = lambda: dropout_mlp([3, *hidden, 2], p, seed=0 if seeded else None, dtype=dtype)  # noqa: E731
    eager, compiled, run = eager_and_compiled(make, data, optimizer, seed=None if seeded else 5)
    assert_same(eager, compiled)
    assert replays(run) == 1  # calls 3 to 6 were replays, each with masks of its own


def test_replays_draw_new_masks_from_the_default_generator_as_it_is_then():
    """manual_seed between calls swaps the default generator: a replay draws from the new one."""

    def reseed(i, model):
        if i == 4:
            autograd.manual_seed(11)

    make = lambda: dropout_mlp([4, 6, 5, 3], 0.5, seed=None)  # noqa: E731
    eager, compiled, run = eager_and_compiled(make, batches((5, 4), 3, 7), before=reseed, seed=3)
    assert_same(eager, compiled)
    assert replays(run) == 1
    autograd.manual_seed(3)
    masks = [nn.Dropout(0.5)(autograd.ones(50)).data for _ in range(2)]
    assert not np.array_equal(*masks)  # the default generator moves on from call to call


def test_a_compiled_cnn_with_dropout2d_gives_eagers_numbers():
    def make():
        return nn.Sequential(
            nn.Conv2d(1, 3, 3, padding=1, dtype=np.float64, seed=0),
            nn.ReLU(),
            nn.Dropout2d(0.5, seed=1),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(3 * 3 * 3, 4, seed=0, dtype=np.float64),
        )

    eager, compiled, run = eager_and_compiled(make, batches((3, 1, 6, 6), 4, 5))
    assert_same(eager, compiled)
    assert replays(run) == 1


def test_eval_mode_compiles_and_a_change_of_mode_or_rate_records_again():
    """In eval mode dropout is no op at all. The modules' training modes and dropout's p are
    guarded: after model.eval(), model.train() or a new p the step records again (two eager calls),
    then replays the graph of the new setting, so every call gives eager's numbers."""
    make = lambda: dropout_mlp([4, 6, 3], 0.5)  # noqa: E731
    data = batches((5, 4), 3, 8)
    eager, compiled, run = eager_and_compiled(make, data, before=lambda i, model: model.eval())
    assert_same(eager, compiled)
    assert replays(run) == 1

    def switch(i, model):  # train, replayed from the third call; eval, replayed from the sixth; a new p
        model.train(i < 3 or i > 5)
        model[2].p = 0.25 if i > 5 else 0.5

    eager, compiled, run = eager_and_compiled(make, data, before=switch, seed=0)
    assert_same(eager, compiled)
    assert replays(run) == 1


class Doubling(nn.Module):
    """A module of one's own whose graph depends on its mode: x * 2 in training, x * 3 in eval."""

    def forward(self, x):
        return x * (2.0 if self.training else 3.0)


def test_a_module_of_ones_own_that_branches_on_its_mode_replays_each_mode_as_eager():
    make = lambda: nn.Sequential(nn.Linear(4, 3, seed=0, dtype=np.float64), Doubling())  # noqa: E731
    switch = lambda i, model: model.train(i % 6 < 3)  # noqa: E731
    eager, compiled, run = eager_and_compiled(make, batches((5, 4), 3, 12), before=switch)
    assert_same(eager, compiled)
    assert replays(run) == 1  # each mode recorded on its first two calls, replayed on the third


def test_fit_with_compile_trains_a_dropout_model_as_fit_without_and_warns_of_nothing():
    def make():
        return nn.Sequential(nn.Linear(2, 16, seed=0), nn.ReLU(), nn.Dropout(0.2, seed=1), nn.Linear(16, 3, seed=2))

    eager, eager_params = fit_spirals(False, make, epochs=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled, compiled_params = fit_spirals(True, make, epochs=3)
    assert (eager.loss, eager.accuracy) == (compiled.loss, compiled.accuracy)
    assert_same(eager_params, compiled_params)


def noisy_step(model, optimizer, noise):
    """A step that adds noise(x) to its input, and draws a number it does not use (the generator moves on).
    (`0.1 * noise(x)` would be an op on a constant alone: a new constant, which a replay cannot draw.)"""

    def step(x, y):
        autograd.rand(2, dtype=np.float64)  # unused: a replay draws it too, or the default stream would shift
        loss = F.cross_entropy(model(x + noise(x)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    return step


@pytest.mark.parametrize("generator", ["default", "generator", "seed"])
def test_random_tensors_in_a_step_are_drawn_again_by_each_replay(generator):
    def run(compiled):
        autograd.manual_seed(0)
        given = {"default": None, "generator": np.random.default_rng(1), "seed": 2}[generator]
        model = dropout_mlp([3, 5, 2], 0.3, seed=None)
        optimizer = nn.SGD(model.parameters(), lr=0.1)
        step = noisy_step(model, optimizer, lambda x: autograd.randn(x.shape, generator=given, dtype=np.float64))
        call = autograd.compile(step, strict=True) if compiled else step
        losses = [call(Tensor(x), y).data for x, y in batches((4, 3), 2, 6)]
        return losses, [p.data for p in model.parameters()], autograd.default_generator().random()

    assert_same(run(False), run(True))


def test_drawn_is_a_constant_of_the_draw_and_takes_only_functions():
    t = autograd.drawn(lambda: np.arange(3.0))
    assert isinstance(t, Tensor) and not t.requires_grad and np.array_equal(t.data, [0.0, 1.0, 2.0])
    assert autograd.drawn(lambda: np.ones(2, np.float16), dtype=np.float16).dtype == np.float16
    with pytest.raises(TypeError, match="function of no arguments"):
        autograd.drawn(np.ones(3))


def drawing_step(model, optimizer, shapes):
    """A step that multiplies by a drawn constant of the shape shapes() gives at each draw (a broadcast one)."""
    rng = np.random.default_rng(0)

    def step(x, y):
        loss = F.cross_entropy(model(x) * autograd.drawn(lambda: rng.random(shapes())), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    return step


@pytest.mark.parametrize("strict", [False, True])
def test_a_draw_whose_shape_changes_between_recordings_or_on_a_replay_is_named(strict):
    model = dropout_mlp([2, 2], 0.5)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    data = batches((3, 2), 2, 5)
    cases = {
        "between recordings": ([(1,), (2,)], "has shape \\(1,\\) and dtype float64 on one call and \\(2,\\)"),
        "on a replay": ([(1,), (1,), (2,)], "draw 0 \\(autograd.drawn\\) gave shape \\(2,\\), dtype float64"),
    }
    for shapes, message in cases.values():
        run = autograd.compile(drawing_step(model, optimizer, iter(shapes + [(2,)] * 5).__next__), strict=strict)
        if strict:
            with pytest.raises(CompileError, match=message):
                for x, y in data:
                    run(Tensor(x), y)
            continue
        with pytest.warns(CompileWarning, match=message):
            losses = [run(Tensor(x), y) for x, y in data]
        assert len(losses) == 5 and replays(run) == 0  # the rest ran eagerly


def test_a_drawn_constant_changed_after_its_draw_or_drawn_twice_differently_is_refused():
    model = dropout_mlp([2, 2], 0.5)
    optimizer = nn.SGD(model.parameters(), lr=0.1)

    def changed(x, y):
        mask = autograd.drawn(lambda: np.ones(2))
        mask._data[0] = 2.0  # in place, after the draw, through the array (which no hook sees)
        loss = F.cross_entropy(model(x) * mask, y)
        loss.backward()
        optimizer.step()
        return loss

    calls = iter(range(10))

    def counted(x, y):
        loss = F.cross_entropy(model(x), y)
        for _ in range(next(calls) % 2):
            autograd.drawn(lambda: np.ones(1))  # unused, but drawn on one call and not on the next
        loss.backward()
        return loss

    for step, message in [(changed, "changed a drawn constant"), (counted, "drew [01] constants .* and [01] on")]:
        run = autograd.compile(step)
        with pytest.warns(CompileWarning, match=message):
            for x, y in batches((3, 2), 2, 3):
                run(Tensor(x), y)
        assert replays(run) == 0


@pytest.mark.parametrize("layer, shape", [(nn.Dropout(0.5, seed=0), (4, 3)), (nn.Dropout2d(0.5, seed=0), (2, 3, 2, 2))])
def test_dropout_keeps_the_inputs_dtype(layer, shape):
    """A float16 input stays float16 through dropout, as in PyTorch (its mask is drawn in that dtype)."""
    for dtype in (np.float16, np.float32, np.float64):
        assert layer(Tensor(np.ones(shape, dtype), dtype=dtype)).dtype == dtype
