"""nn.fit's step for an optimizer that evaluates the loss itself (step(closure): LBFGS, or one of the user's own):
a step that fails leaves the model the one of the step before (weights and BatchNorm's running statistics), its
message says what happened, a second Ctrl-C after the step leaves the step whole, and an optimizer of the user's own
whose step requires a closure is given fit's."""

import os
import re
import signal
import warnings

import numpy as np
import pytest

import nn
from nn import functional as F

X, Y = nn.data.blobs(64, seed=0)


def normed_model():
    return nn.Sequential(
        nn.Linear(2, 4, dtype=np.float64, seed=0),
        nn.BatchNorm1d(4, dtype=np.float64),
        nn.Linear(4, 3, dtype=np.float64, seed=1),
    )


def state(model):
    return [np.array(p.data) for p in model.parameters()] + [np.array(b) for _, b in model.named_buffers()]


def assert_same(model, before):
    for now, was in zip(state(model), before, strict=True):
        np.testing.assert_array_equal(now, was)


class TorchStyle(nn.Optimizer):
    """A port of a torch optimizer whose step requires its closure (as torch's LBFGS), needs_closure not set."""

    hyperparameters = ("lr",)

    def __init__(self, params, lr=0.1):
        super().__init__(params, lr=lr)

    def step(self, closure):
        loss = closure()
        for p in self.params:
            if p.grad is not None:
                p.data = p.data - self.lr * p.grad
        return loss


@pytest.mark.parametrize("lr", [1e100, 1e300])
def test_a_loss_not_finite_where_lbfgs_tried_parameters_is_not_blamed_on_the_weights(lr):
    """LBFGS's second evaluation is at parameters it moved to, inf here: fit said 'the parameter 'W' was not finite
    before fit began; load or initialise finite weights', of weights that were finite and are kept."""
    model = nn.Linear(2, 3, dtype=np.float64, seed=1)
    before = state(model)
    with warnings.catch_warnings(), pytest.raises(FloatingPointError) as caught:
        warnings.simplefilter("ignore", RuntimeWarning)
        nn.fit(model, F.cross_entropy, nn.LBFGS(model.parameters(), lr=lr, max_iter=6), (X, Y), batch_size=64)
    said = str(caught.value)
    assert "before fit began" not in said and "is not finite" not in said, said
    assert (
        re.search(r"at evaluation \d+ of LBFGS.step, at weights the step tried", said)
        and "keeps the weights of the step before" in said
    ), said
    assert_same(model, before)


def test_an_optimizer_of_the_users_own_that_fails_mid_step_leaves_the_weights_of_the_step_before():
    class Halfway(TorchStyle):
        needs_closure = True

        def step(self, closure):
            closure()
            for p in self.params:
                p.data = p.data - 1e300 * p.grad
            closure()  # its loss is not finite: fit refuses it

    model = normed_model()
    before = state(model)
    with warnings.catch_warnings(), pytest.raises(FloatingPointError, match="keeps the weights of the step before"):
        warnings.simplefilter("ignore", RuntimeWarning)
        nn.fit(model, F.cross_entropy, Halfway(model.parameters()), (X, Y), batch_size=64)
    assert_same(model, before)


def test_an_optimizer_whose_step_never_calls_the_closure_is_refused_by_name():
    class Never(TorchStyle):
        needs_closure = True

        def step(self, closure=None):
            return None

    model = normed_model()
    before = state(model)
    with pytest.raises(TypeError, match=r"fit: Never.step\(closure\) returned without calling the closure"):
        nn.fit(model, F.cross_entropy, Never(model.parameters()), (X, Y), batch_size=64)
    assert_same(model, before)


def test_an_optimizer_of_the_users_own_requiring_a_closure_is_given_fits():
    """step(self, closure) without needs_closure: fit called step() (TypeError: missing 'closure', BatchNorm's
    running statistics moved by the forward kept)."""
    model, twin = normed_model(), normed_model()
    history = nn.fit(model, F.cross_entropy, TorchStyle(model.parameters()), (X, Y), epochs=2, batch_size=32)
    Twin = type("Twin", (TorchStyle,), {"needs_closure": True})
    assert history.loss == nn.fit(twin, F.cross_entropy, Twin(twin.parameters()), (X, Y), epochs=2, batch_size=32).loss
    assert_same(model, state(twin))


def test_needs_closure_set_on_the_optimizer_itself_is_taken_as_a_class_setting_it():
    """`self.needs_closure = True` in an optimizer's __init__ (or on one made) was taken until needs_closure became a
    property (bb3dd0e9); then it was AttributeError 'property 'needs_closure' of 'SetsIt' object has no setter'."""

    class SetsIt(TorchStyle):
        def __init__(self, params, lr=0.1):
            super().__init__(params, lr=lr)
            self.needs_closure = True

        def step(self, closure=None):
            return super().step(closure)

    model, twin = normed_model(), normed_model()
    history = nn.fit(model, F.cross_entropy, SetsIt(model.parameters()), (X, Y), epochs=2, batch_size=32)
    assert (
        history.loss
        == nn.fit(twin, F.cross_entropy, TorchStyle(twin.parameters()), (X, Y), epochs=2, batch_size=32).loss
    )
    plain = nn.SGD(model.parameters(), lr=0.1)
    plain.needs_closure = True
    assert plain.needs_closure and not nn.SGD(model.parameters(), lr=0.1).needs_closure
    with pytest.raises(TypeError, match="needs_closure is True or False, got 'yes'"):
        plain.needs_closure = "yes"


def test_a_second_ctrl_c_during_an_lbfgs_step_leaves_the_step_whole(sigint):
    """The step finishes, then KeyboardInterrupt: the weights moved, and so stay BatchNorm's running statistics
    (they were put back as for a failed step: weights of after the step, statistics of before it)."""
    model, twin = normed_model(), normed_model()
    calls = []

    def loss(out, yb):
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
        return F.cross_entropy(out, yb)

    with pytest.raises(KeyboardInterrupt) as caught:
        nn.fit(model, loss, nn.LBFGS(model.parameters(), max_iter=3), (X, Y), batch_size=64)
    nn.fit(twin, F.cross_entropy, nn.LBFGS(twin.parameters(), max_iter=3), (X, Y), batch_size=64)
    assert len(calls) == 3
    assert_same(model, state(twin))
    assert "fit: 1 step(s) of epoch 1 were made" in caught.value.__notes__[0]


def test_a_second_ctrl_c_during_a_step_counts_that_step_as_made(sigint):
    """The step the second Ctrl-C let finish stays made, and the note says so: it said nothing of a first step,
    and 'N step(s) were made' one short after others."""

    class Interrupted(nn.SGD):
        steps = 0

        def step(self):
            super().step()
            Interrupted.steps += 1
            if Interrupted.steps == 2:
                os.kill(os.getpid(), signal.SIGINT)
                os.kill(os.getpid(), signal.SIGINT)

    model = normed_model()
    with pytest.raises(KeyboardInterrupt) as caught:
        nn.fit(model, F.cross_entropy, Interrupted(model.parameters(), lr=0.1), (X, Y), batch_size=16)
    assert Interrupted.steps == 2
    assert caught.value.__notes__[0].startswith("fit: 2 step(s) of epoch 1 were made")


def test_an_optimizer_step_that_fails_puts_back_what_the_forward_moved():
    """An optimizer's step raising (here a RuntimeError of its own) left BatchNorm's running statistics moved by the
    step's forward, where a failing loss or a gradient the optimizer refuses put them back."""

    class Failing(nn.SGD):
        def update(self, state, data, grad):
            raise RuntimeError("no update today")

    model = normed_model()
    before = state(model)
    with pytest.raises(RuntimeError, match="no update today"):
        nn.fit(model, F.cross_entropy, Failing(model.parameters(), lr=0.1), (X, Y), batch_size=64)
    assert_same(model, before)


class HalfwayOnValues(nn.Optimizer):
    """Moves every parameter to 1e300 times its gradient and evaluates there: a loss that is not finite."""

    hyperparameters = ("lr",)
    needs_closure = True

    def __init__(self, params, lr=0.1):
        super().__init__(params, lr=lr)

    def step(self, closure):
        closure()
        for p in self.params:
            p.data = p.data - 1e300 * (p.grad or 1.0)
        closure()


def test_a_value_model_whose_closure_step_fails_keeps_the_weights_of_the_step_before():
    """The closure step puts back through nn.step_undo, as the other steps do (it kept a put-back of its own)."""
    model = nn.MLP(2, [3, 1], seed=0)
    before = [p.data for p in model.parameters()]

    def loss(out, y):
        return sum((o - float(t)) ** 2 for o, t in zip(out, y, strict=True))

    with warnings.catch_warnings(), pytest.raises(FloatingPointError, match="keeps the weights of the step before"):
        warnings.simplefilter("ignore", RuntimeWarning)
        nn.fit(model, loss, HalfwayOnValues(model.parameters()), (X[:8], Y[:8].astype(float)), 8, metric=None)
    assert [p.data for p in model.parameters()] == before


def test_the_parameters_kept_are_put_back_for_a_value_model_too():
    """parameter_copies kept Tensors alone: fit's look at a model it cannot copy put back no Value it moved."""
    from nn.step_undo import parameter_copies, put_back

    model = nn.MLP(2, [3, 1], seed=0)
    tensors = nn.Linear(2, 2, seed=0)
    before, held = [p.data for p in model.parameters()], tensors.W.data.copy()
    kept = parameter_copies(model) + parameter_copies(tensors)
    for p in model.parameters():
        p.data = 7.0
    tensors.W.data[...] = 7.0
    tensors.b.data = np.zeros(2, np.float32)  # assigned anew: its object is put back too
    put_back(kept)
    assert [p.data for p in model.parameters()] == before
    assert np.array_equal(tensors.W.data, held) and tensors.b.data is kept[-1].held


def test_the_rows_max_norm_scales_in_a_closure_step_are_kept_once(monkeypatch):
    """The step keeps the model's parameters whole, and it noted each evaluation's rows of them too (a copy of the
    rows a batch looks up for each evaluation, beside the whole table's): now the whole copy alone, which puts them
    back. A table the model does not hold (a loss's own centres) has its rows noted and put back: not noted at all,
    they stayed scaled ([[1.0, 0.0], [0.0, 1.0], ...], not [[3.0, 0.0], [0.0, 3.0], ...])."""

    class Halfway(TorchStyle):
        needs_closure = True

        def step(self, closure):
            closure()
            for p in self.params:
                p.data = p.data - 0.5 * p.grad
            closure()
            raise RuntimeError("refused mid-step")

    from test_fit_upfront_checks import _Bag

    from nn import step_undo

    noted = []

    class Noted(step_undo.Entries):
        def __new__(cls, parameter, where, values):
            noted.append(parameter)
            return super().__new__(cls, parameter, where, values)

    monkeypatch.setattr(step_undo, "Entries", Noted)
    centres = nn.Embedding(4, 2, max_norm=1.0, dtype=np.float64, seed=0)
    centres.weight.data[:] = [[3.0, 0.0], [0.0, 3.0], [2.0, 2.0], [4.0, 3.0]]
    table = centres.weight.data.copy()
    model = _Bag()
    before = state(model)
    Xb, yb = np.array([[0, 1], [2, 3]]), np.array([0, 1])
    with pytest.raises(RuntimeError, match="refused mid-step"):
        nn.fit(model, lambda out, y: F.cross_entropy(out, y) + 0.0 * centres(y).sum(), Halfway(model.parameters()),
               (Xb, yb), batch_size=2)  # fmt: skip
    assert_same(model, before)
    np.testing.assert_array_equal(centres.weight.data, table)
    assert noted and all(p is centres.weight for p in noted), noted
