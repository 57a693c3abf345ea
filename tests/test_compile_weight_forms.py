"""Loss weights in the forms that ran a compiled step eagerly, with a CompileWarning, each replaying eager's
numbers bit for bit now: a Python list (cross_entropy against class indices and probabilities, nll_loss,
binary_cross_entropy, binary_cross_entropy_with_logits' weight and pos_weight), a weight array of another
dtype than the predictions given to the step (a cast copy made on each call), a held weight Tensor of another
dtype (cast by the astype op), and a number pos_weight beside a held weight Tensor (nn read the Tensor's
numbers, which made the number's constant suspect). A list or Tensor the caller changes in place between
calls is never replayed stale: the step records again (a list is pinned to its numbers, however long)."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed

import nn
from autograd import Tensor
from nn import functional as F

CALLS = 6
_RNG = np.random.default_rng(3)
XS = [_RNG.standard_normal((4, 3)).astype(np.float32) for _ in range(CALLS)]
TARGETS = {  # each loss's targets for the 4 rows of 3 outputs, one set per call
    "labels": [_RNG.integers(0, 3, 4) for _ in range(CALLS)],
    "probabilities": [_RNG.dirichlet(np.ones(3), 4).astype(np.float32) for _ in range(CALLS)],
    "binary": [_RNG.integers(0, 2, (4, 3)).astype(np.float32) for _ in range(CALLS)],
}
LOSSES = {  # name: (loss of (out, target, weight), its targets)
    "cross_entropy": (lambda out, t, w: F.cross_entropy(out, t, weight=w), "labels"),
    "cross_entropy of probabilities": (lambda out, t, w: F.cross_entropy(out, t, weight=w), "probabilities"),
    "nll_loss": (lambda out, t, w: F.nll_loss(out.log_softmax(axis=1), t, weight=w), "labels"),
    "binary_cross_entropy": (lambda out, t, w: F.binary_cross_entropy(out.sigmoid(), t, weight=w), "binary"),
    "with_logits weight": (lambda out, t, w: F.binary_cross_entropy_with_logits(out, t, weight=w), "binary"),
    "with_logits pos_weight": (lambda out, t, w: F.binary_cross_entropy_with_logits(out, t, pos_weight=w), "binary"),
}


def _trained(compile, loss_of, targets, weights, change=lambda i: None):
    """Six SGD steps of a float32 Linear on loss_of(out, target, weight) (`weights`: one per call, or the same
    for all), `change(i)` made before call i: each call's loss and the weights after them."""
    model = nn.Linear(3, 3, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.2)

    def step(x, t, w):
        opt.zero_grad()
        loss = loss_of(model(x), t, w)
        loss.backward()
        opt.step()
        return loss.item()

    run, out = compile(step), []
    for i, (x, t, w) in enumerate(zip(XS, TARGETS[targets], weights)):
        change(i)
        out.append(run(x, t, w))
    return out, model.W.data.copy()


@pytest.mark.parametrize("name", LOSSES)
def test_a_list_of_weights_replays(name, monkeypatch):
    """A list held by the caller, given to every call: checked when recorded, pinned to its numbers."""
    loss_of, targets = LOSSES[name]
    weights = [0.5, 2.0, 1.5]

    def scenario(compile):
        return _trained(compile, lambda out, t, w: loss_of(out, t, weights), targets, [None] * CALLS)

    check_replayed(scenario, monkeypatch, replays_at_least=CALLS - 2)


@pytest.mark.parametrize("name", LOSSES)
def test_a_list_changed_in_place_is_recorded_again_never_replayed_stale(name, monkeypatch):
    loss_of, targets = LOSSES[name]

    def scenario(compile):
        weights = [0.5, 2.0, 1.5]
        weighed = lambda out, t, w: loss_of(out, t, weights)  # noqa: E731 (held by the step's code)
        return _trained(
            compile, weighed, targets, [None] * CALLS, change=lambda i: i == 3 and weights.__setitem__(1, 6.0)
        )

    check_replayed(scenario, monkeypatch, replays_at_least=2)
    unchanged = _trained(lambda f: f, lambda out, t, w: loss_of(out, t, [0.5, 2.0, 1.5]), targets, [None] * CALLS)
    assert scenario(lambda f: f)[0][-1] != unchanged[0][-1]  # the change matters to the numbers


def test_a_list_of_more_weights_than_compile_compares_is_pinned_to_its_numbers(monkeypatch):
    """10,050 classes: a list that long is guarded by its identity alone where the step's names hold it, so
    the change of an item went unseen and replays gave the recorded weights (the loss of the last calls
    differed from eager's). The list's copy noted as copied from it (copied_from) pins the replays."""
    classes = 10_050

    def scenario(compile):
        weights = list(np.linspace(0.5, 2.0, classes))
        model = nn.Linear(3, classes, seed=0)
        opt = nn.SGD(model.parameters(), lr=0.2)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y, weight=weights)
            loss.backward()
            opt.step()
            return loss.item()

        run, out = compile(step), []
        for i, x in enumerate(XS):
            if i == 3:
                weights[0] = 9.0
            out.append(run(x, np.array([0, 1, 0, 2])))
        return out

    check_replayed(scenario, monkeypatch, replays_at_least=2)


CAST = {name: LOSSES[name] for name in LOSSES if name != "cross_entropy"}  # that op reads weights in its dtype


@pytest.mark.parametrize("name", CAST)
def test_weight_arrays_of_another_dtype_given_to_the_step_replay_each_calls_own(name, monkeypatch):
    """float64 weights beside float32 predictions, new on each call: cast by the astype op, which a replay runs
    again on the call's array. Before, a copy cast with numpy was data made anew from an input."""
    loss_of, targets = CAST[name]
    weights = [_RNG.uniform(0.5, 2.0, 3) for _ in range(CALLS)]
    check_replayed(lambda compile: _trained(compile, loss_of, targets, weights), monkeypatch, CALLS - 2)
    same_weights = _trained(lambda f: f, loss_of, targets, [weights[0]] * CALLS)
    assert _trained(lambda f: f, loss_of, targets, weights)[0][-1] != same_weights[0][-1]


HELD_CAST = {**CAST, "multilabel_soft_margin_loss": (F.multilabel_soft_margin_loss, "binary")}


@pytest.mark.parametrize("name", HELD_CAST)
def test_a_held_weight_tensor_of_another_dtype_replays_and_sees_a_change(name, monkeypatch):
    """A float64 constant Tensor beside float32 predictions: cast by the astype op, which each replay runs again
    on the Tensor's numbers as they are then. Changed in place after three calls, the step recorded again on
    every later call (2 of 6 replayed): a cast of constants alone was pinned to their numbers."""
    loss_of, targets = HELD_CAST[name]

    def scenario(compile, changed=(3.0, 0.25, 1.0)):
        held = Tensor(np.array([0.5, 2.0, 1.5]))  # held by the step's code, not given to it
        weighed = lambda out, t, w: loss_of(out, t, held)  # noqa: E731
        change = lambda i: i == 3 and held.data.__setitem__(slice(None), changed)  # noqa: E731
        return _trained(compile, weighed, targets, [None] * CALLS, change=change)

    check_replayed(scenario, monkeypatch, replays_at_least=CALLS - 2)
    assert scenario(lambda f: f)[0][-1] != scenario(lambda f: f, changed=(0.5, 2.0, 1.5))[0][-1]  # the change counts


@pytest.mark.parametrize("module", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_number_pos_weight_beside_a_held_weight_tensor_replays_its_numbers_live(dtype, module, monkeypatch):
    """pos_weight=3.0 is a constant made on each call (a number: the step's own), which compile replays as
    recorded unless Python read numbers of the step's tensors; nn read the held weight Tensor's numbers to
    check them, so the step ran eagerly. nn reads them through validate alone now: the Tensor, changed in
    place after three calls, is read live by the replays (float32), and so is it through the astype op's cast
    of another dtype (float64), which each replay runs again."""

    def scenario(compile):
        held = Tensor(np.linspace(0.5, 2.0, 3).astype(dtype))
        loss = nn.BCEWithLogitsLoss(pos_weight=3.0, weight=held) if module else None

        def loss_of(out, t, w):
            return loss(out, t) if module else F.binary_cross_entropy_with_logits(out, t, pos_weight=3.0, weight=held)

        return _trained(compile, loss_of, "binary", [None] * CALLS, change=lambda i: i == 3 and held.data.fill(0.25))

    check_replayed(scenario, monkeypatch, replays_at_least=CALLS - 2)


CLASS_WEIGHTED = {  # the losses whose ops take the weights as a keyword argument and read them on each call
    "cross_entropy": LOSSES["cross_entropy"],
    "nll_loss": LOSSES["nll_loss"],
    "multi_margin_loss": (lambda out, t, w: F.multi_margin_loss(out, t, weight=w), "labels"),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", CLASS_WEIGHTED)
def test_a_weight_tensor_given_to_the_step_is_fed_to_the_op(name, dtype, monkeypatch):
    """A weight Tensor given to each call (new numbers every time, of the predictions' dtype or another): the
    op's keyword argument is that input, which a replay feeds (its array), as labels are fed. Before, the
    argument was compared as a constant between the recorded calls and the step ran eagerly (0 of 6 replayed)."""
    loss_of, targets = CLASS_WEIGHTED[name]
    weights = [Tensor(_RNG.uniform(0.5, 2.0, 3).astype(dtype)) for _ in range(CALLS)]
    check_replayed(lambda compile: _trained(compile, loss_of, targets, weights), monkeypatch, CALLS - 2)
    same_weights = _trained(lambda f: f, loss_of, targets, [weights[0]] * CALLS)
    assert _trained(lambda f: f, loss_of, targets, weights)[0][-1] != same_weights[0][-1]  # the weights matter
