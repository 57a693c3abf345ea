"""A compiled step records again after what its model holds changed between calls, whatever way the
step reaches it: a checkpoint loaded into frozen layers or into BatchNorm's statistics in eval (a
recording holds what it computed from them as constants), statistics estimated again, a layer frozen
between the two recordings, a submodule deleted or added (forward may test it with hasattr or read
it with getattr), a Sequential's layers iterated rather than called. A step that makes or changes
modules while it runs cannot be replayed, and says so. Each against eager, bit for bit."""

import numpy as np
import pytest
from compile_faithful_cases import check_refused, check_replayed, sgd_step

import autograd
import nn
from autograd import Tensor, no_grad


def linear(nin, nout, seed):
    return nn.Linear(nin, nout, seed=seed, dtype=np.float64)


def scenario_of(make, forward=lambda model, x: model(x), change=lambda model: None, at=3):
    """A compiled-or-not SGD step on `make()`'s model, 6 calls, `change(model)` made before call `at`."""

    def scenario(compile):
        model = make()
        step = sgd_step(lambda x: forward(model, x), nn.SGD(model.parameters(), lr=0.1), autograd.cross_entropy)
        run, rng, out = compile(step), np.random.default_rng(0), []
        for i in range(6):
            if i == at:
                change(model)
            out.append(run(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 2, 4)))
        return out, [p.data.copy() for p in model.parameters()]

    return scenario


def with_batch_norm():
    model = nn.Sequential(linear(3, 8, 0), nn.BatchNorm1d(8, dtype=np.float64), nn.ReLU(), linear(8, 2, 1))
    model.layers[1].eval()  # fine-tuning with BatchNorm's statistics held
    return model


def load_into(model, **buffers):
    state = model.state_dict()
    state |= {name: np.full_like(state[name], value) for name, value in buffers.items()}
    model.load_state_dict(state)


def frozen_norm():
    model = nn.Sequential(linear(3, 8, 0), nn.LayerNorm(8, dtype=np.float64), nn.ReLU(), linear(8, 2, 1))
    for p in model.layers[1].parameters():
        p.requires_grad = False
    return model


def estimate_again(model):
    bn = model.layers[1]
    bn.train()
    with no_grad():
        model.layers[0](Tensor(np.random.default_rng(5).standard_normal((16, 3)) * 3))  # new statistics, in place
        bn(model.layers[0](Tensor(np.random.default_rng(5).standard_normal((16, 3)) * 3)))
    bn.eval()


class Aux(nn.Module):
    def __init__(self):
        self.fc, self.aux = linear(3, 2, 0), nn.Tanh()

    def forward(self, x):
        h = self.fc(x)
        return self.aux(h) if hasattr(self, "aux") else h


class Outer(nn.Module):
    class Encoder(nn.Module):
        def __init__(self):
            self.head = linear(3, 2, 0)

    def __init__(self):
        self.encoder = Outer.Encoder()

    def forward(self, x):
        h = self.encoder.head(x)  # the encoder itself is never called
        post = getattr(self.encoder, "post", None)
        return post(h) if post is not None else h


CHANGES = {
    "BatchNorm in eval, a checkpoint loaded": (
        with_batch_norm,
        lambda m, x: m(x),
        lambda m: load_into(m, **{"layers.1.running_mean": 0.5, "layers.1.running_var": 3.0}),
    ),
    "BatchNorm's statistics estimated again": (with_batch_norm, lambda m, x: m(x), estimate_again),
    "frozen LayerNorm, a checkpoint loaded": (
        frozen_norm,
        lambda m, x: m(x),
        lambda m: load_into(m, **{"layers.1.weight": 3.0}),
    ),
    "a submodule deleted that forward tests with hasattr": (Aux, lambda m, x: m(x), lambda m: delattr(m, "aux")),
    "a submodule added to a module never called": (
        Outer,
        lambda m, x: m(x),
        lambda m: setattr(m.encoder, "post", nn.Tanh()),
    ),
    "a layer added to a Sequential iterated, not called": (
        lambda: nn.Sequential(linear(3, 8, 0), nn.ReLU(), linear(8, 2, 1)),
        lambda m, x: [x := layer(x) for layer in m][-1],
        lambda m: m.add(nn.Tanh()),
    ),
}


@pytest.mark.parametrize("case", CHANGES)
def test_a_change_of_the_model_between_calls_is_replayed_as_eager_runs_it(case, monkeypatch):
    make, forward, change = CHANGES[case]
    check_replayed(scenario_of(make, forward, change), monkeypatch, replays_at_least=2)


def test_a_layer_frozen_between_the_two_recordings_records_again_and_replays(monkeypatch):
    # the two recordings differed in which parameters trained: the shape ran eagerly for good, warning
    def freeze(model):
        model.layers[0].W.requires_grad = False

    make = lambda: nn.Sequential(linear(3, 8, 0), nn.ReLU(), linear(8, 2, 1))  # noqa: E731
    check_replayed(scenario_of(make, change=freeze, at=1), monkeypatch, replays_at_least=2)


def test_a_step_that_makes_a_layer_in_it_runs_eagerly_saying_so(monkeypatch):
    forward = lambda model, x: model(x) + linear(3, 2, 1)(x)  # noqa: E731  # a new Linear on every call
    check_refused(scenario_of(lambda: linear(3, 2, 0), forward), "the step changed a model.s layers", monkeypatch)


def test_a_layer_frozen_for_a_while_then_unfrozen_trains_again(monkeypatch):
    # frozen, the first layer's product was a constant of the tape and its weight no entry of it: after
    # unfreezing, the replays kept it frozen (its .grad None, its product as recorded), without a word
    def scenario(compile):
        model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 2, seed=1))
        x, y = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32), np.arange(8) % 2  # an array
        run, out = compile(sgd_step(model, nn.SGD(model.parameters(), lr=0.1))), []
        for i in range(10):
            if i in (4, 6):
                model[0].W.requires_grad = i == 6
            out.append(run(x, y))
        return out, [p.data.copy() for p in model.parameters()]

    check_replayed(scenario, monkeypatch, replays_at_least=4)


class Masked(nn.Module):
    def __init__(self):
        self.fc, self.mask = linear(3, 2, 0), Tensor(np.ones(2))

    def forward(self, x):
        return self.fc(x) * self.mask


class Lazy(nn.Module):
    def __init__(self):
        self.body = linear(3, 8, 0)

    def forward(self, x):
        h = self.body(x).relu()
        if not hasattr(self, "head"):  # made on the first call, kept after
            self.head = linear(h.shape[1], 2, 1)
        return self.head(h)


def replace_head(model):
    model.layers[-1] = linear(8, 2, 2)


MORE_CHANGES = {
    # the replays kept reading the old mask
    "a constant tensor attribute replaced": (Masked, lambda m: setattr(m, "mask", Tensor(np.array([1.0, 0.0]))), 3),
    # the two recordings on either side of the change read as "a Linear made anew": refused for good
    "a head replaced after the first call": (
        lambda: nn.Sequential(linear(3, 8, 0), nn.ReLU(), linear(8, 2, 1)),
        replace_head,
        1,
    ),
    # the first call changed the model while it ran: refused for good, though stable from the second call
    "a layer made on the first call and kept": (Lazy, lambda m: None, 3),
}


@pytest.mark.parametrize("case", MORE_CHANGES)
def test_more_changes_of_the_model_are_replayed_as_eager_runs_them(case, monkeypatch):
    make, change, at = MORE_CHANGES[case]
    check_replayed(scenario_of(make, change=change, at=at), monkeypatch, replays_at_least=2)


def test_a_step_that_switches_requires_grad_while_it_runs_runs_eagerly_saying_so(monkeypatch):
    # a discriminator frozen for the generator's loss: a replay followed the graph of the switches as they
    # ended, sending the generator's loss into the discriminator, without a word
    def forward(model, x):
        for p in model.layers[2].parameters():
            p.requires_grad = False
        out = model(x)
        for p in model.layers[2].parameters():
            p.requires_grad = True
        return out + model(x)

    make = lambda: nn.Sequential(linear(3, 8, 0), nn.ReLU(), linear(8, 2, 1))  # noqa: E731
    check_refused(scenario_of(make, forward), "switched a tensor's requires_grad while it ran", monkeypatch)


def test_another_models_batch_norm_trained_in_the_loop_leaves_the_step_replaying(monkeypatch):
    # its statistics updates are counted per layer: they once bumped nn's one count on every call,
    # and the step recorded again on every call (and gave up after 12)
    def scenario(compile):
        model, other = linear(3, 2, 0), nn.Sequential(linear(3, 4, 1), nn.BatchNorm1d(4, dtype=np.float64))
        step = sgd_step(model, nn.SGD(model.parameters(), lr=0.1), autograd.cross_entropy)
        run, rng, out = compile(step), np.random.default_rng(0), []
        for _ in range(6):
            x = Tensor(rng.standard_normal((4, 3)))
            other(x)  # training mode: its statistics change
            out.append(run(x, rng.integers(0, 2, 4)))
        return out, [p.data.copy() for p in model.parameters()]

    check_replayed(scenario, monkeypatch, replays_at_least=4)


class KeepsItsInput(nn.Module):
    """Keeps its last input as an attribute: a constant Tensor replaced on every call, which changes
    nn's count (a recording would hold such a tensor as a constant)."""

    def __init__(self):
        self.fc, self.last = linear(3, 4, 1), None

    def forward(self, x):
        self.last = x.detach()
        return self.fc(x)


def test_a_step_recorded_again_on_every_call_says_so_after_a_while():
    # another model in the loop changes nn's count on every call: the step recorded forever without a word
    model, other = linear(3, 2, 0), KeepsItsInput()
    step = sgd_step(model, nn.SGD(model.parameters(), lr=0.1), autograd.cross_entropy)
    run, rng = autograd.compile(step), np.random.default_rng(0)
    with pytest.warns(autograd.CompileWarning, match="recorded 12 times without a replay"):
        for _ in range(16):
            x = Tensor(rng.standard_normal((4, 3)))
            other(x)
            run(x, rng.integers(0, 2, 4))
