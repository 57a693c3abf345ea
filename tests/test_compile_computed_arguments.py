"""An op's keyword argument made by ops from the step's inputs (nn.MultiheadAttention's attn_mask, reshaped and
kept as autograd.where's condition) was taken as a constant of the tape: a mask that changes every batch made
every call run eagerly ("node 34 (where) has keyword arguments (an index, a condition) that changed from one call
to the next"). The ops that make it are now on the tape, and each replay gives the op the array they make from
that call's input (compile_entries.Entry.computed): the step replays, with eager's numbers bit for bit."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import assert_same, count_replays

import autograd
import nn
from autograd import Tensor

_RNG = np.random.default_rng(0)
_XS = [_RNG.standard_normal((4, 2, 8)) for _ in range(6)]  # (L, N, E)
_NO_SELF = ~np.eye(4, dtype=bool)  # every query keeps its own key: no row wholly masked out


def _masks(kind):
    rng = np.random.default_rng(1)
    if kind == "bool":
        return [(rng.random((4, 4)) < 0.4) & _NO_SELF for _ in _XS]
    if kind == "float":
        return [np.where(rng.random((4, 4)) < 0.4, -1e9, rng.standard_normal((4, 4))) * _NO_SELF for _ in _XS]
    return [rng.random((2, 4)) < 0.3 for _ in _XS]  # key_padding_mask (N, S)


def _train(compile, kind):
    """Six SGD steps of self-attention with a new mask on every batch: the losses and the weights after."""
    mha = nn.MultiheadAttention(8, 2, seed=0)
    opt = nn.SGD(mha.parameters(), lr=0.1)

    def step(x, mask):
        masks = {"key_padding_mask": mask} if kind == "padding" else {"attn_mask": mask}
        out, _ = mha(Tensor(x), Tensor(x), Tensor(x), **masks)
        loss = (out**2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    run = compile(step)
    losses = [run(x, mask) for x, mask in zip(_XS, _masks(kind))]
    return losses, [p.data.copy() for p in mha.parameters()]


@pytest.mark.parametrize("kind", ["bool", "float", "padding"])
def test_an_attention_mask_that_changes_every_batch_is_replayed(kind, monkeypatch):
    eager = _train(lambda f: f, kind)
    replays = count_replays(monkeypatch)
    compiled = _train(lambda f: autograd.compile(f, strict=True), kind)
    assert_same(compiled, eager)
    assert len(replays) == 4  # recorded twice, then replayed


def test_a_condition_made_from_an_array_input_is_given_anew():
    """autograd.where's cond made by ops from an array the step is given (transposed, reshaped): each call's."""
    w = Tensor(np.linspace(-1, 1, 6), requires_grad=True)

    def step(x, keep):
        cond = Tensor(keep).T.reshape(6)
        loss = autograd.where(cond, Tensor(x) * w, Tensor(x) * 0.0).sum()
        loss.backward()
        return loss.item()

    _assert_replayed_as_eager(step, w, [(_RNG.standard_normal(6), _RNG.random((2, 3)) < 0.5) for _ in range(5)])


def test_a_boolean_index_made_from_an_input_stays_checked_by_its_count():
    """A boolean index is no argument given anew: its count of True is the result's length, which the tape's
    shapes hold, so a replay checks the count first and records again when it changes (as before)."""
    w = Tensor(np.linspace(-1, 1, 6), requires_grad=True)

    def step(x, keep):
        loss = ((Tensor(x) * w)[Tensor(keep).T.reshape(6)] ** 2).sum()
        loss.backward()
        return loss.item()

    keeps = [np.array([[1, 0, 1], [0, 1, 1]], bool).T.copy()] * 3 + [np.ones((3, 2), bool)] * 2
    _assert_replayed_as_eager(step, w, [(_RNG.standard_normal(6), keep) for keep in keeps])


def _assert_replayed_as_eager(step, w, calls):
    """step(x, keep) on each call, eagerly and compiled (no CompileWarning): the same losses and w's gradients."""
    eager, compiled, run = [], [], autograd.compile(step)
    for x, keep in calls:
        w.grad = None
        eager.append((step(x, keep), w.grad.copy()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x, keep in calls:
            w.grad = None
            compiled.append((run(x, keep), w.grad.copy()))
    assert_same(compiled, eager)
