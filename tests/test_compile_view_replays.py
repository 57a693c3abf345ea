"""A compiled step that takes views of its array inputs (next-token training: `tokens[:, :-1]` in, `tokens[:, 1:]`
out) replays, making the views again from each call's input (autograd/compile_views.py), with eager's numbers bit
for bit; it ran eagerly with a CompileWarning before. Where the view's relation to the input cannot be proven (an
input of other strides, a view of two inputs, memory the input may merely share, a copy) it does not replay as
recorded: it records again or runs eagerly, with eager's numbers."""

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F

VOCAB = 11


def _lm(loss_of):
    """A char-level language model's step: embedding, linear, next-token loss; its model made afresh."""
    emb, lin = nn.Embedding(VOCAB, 8, seed=0), nn.Linear(8, VOCAB, seed=1)
    opt = nn.Adam([*emb.parameters(), *lin.parameters()], lr=0.01)

    def step(tokens):
        opt.zero_grad()
        loss = loss_of(lin(emb(tokens[:, :-1])), tokens)
        loss.backward()
        opt.step()
        return loss.item()

    return step


LM_LOSSES = {
    # logits (N, T, C) as (N, C, T), targets (N, T): a view of the tokens, checked and fed to the loss
    "F.cross_entropy over (N, C, T)": lambda logits, tokens: F.cross_entropy(logits.transpose(0, 2, 1), tokens[:, 1:]),
    "autograd.cross_entropy over (N, C, T)": lambda logits, tokens: autograd.cross_entropy(
        logits.transpose(0, 2, 1), tokens[:, 1:]
    ),
}


def _losses(step, batches, compiled):
    run = autograd.compile(step, strict=True) if compiled else step
    return [run(b) for b in batches], run


@pytest.mark.parametrize("name", LM_LOSSES)
def test_a_next_token_step_replays_with_eagers_numbers(name):
    """Before: 'node 3 (getitem) has keyword arguments ... that changed' (the embedding's index tokens[:, :-1]):
    every call ran eagerly."""
    rng = np.random.default_rng(0)
    batches = [rng.integers(0, VOCAB, (4, 9)) for _ in range(8)]
    eager, _ = _losses(_lm(LM_LOSSES[name]), batches, False)
    compiled, run = _losses(_lm(LM_LOSSES[name]), batches, True)
    assert compiled == eager
    assert [r.program is not None for r in run.recordings.values()] == [True]


def test_a_slice_of_a_batch_held_in_one_array_replays():
    """Batches as slices of one array (a view as the input: `data[i:i + 4]`), views of those in the step."""
    rng = np.random.default_rng(1)
    data = rng.integers(0, VOCAB, (32, 9))
    batches = [data[i : i + 4] for i in range(0, 32, 4)]
    loss_of = LM_LOSSES["F.cross_entropy over (N, C, T)"]
    eager, _ = _losses(_lm(loss_of), batches, False)
    compiled, run = _losses(_lm(loss_of), batches, True)
    assert compiled == eager
    assert [r.program is not None for r in run.recordings.values()] == [True]


def _run_warned(step, batches):
    run = autograd.compile(step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = [run(*b) for b in batches]
    return out, [str(w.message) for w in caught if issubclass(w.category, autograd.CompileWarning)], run


def _eager(step, batches):
    return [step(*b) for b in batches]


def _linear_step(data_of):
    model = nn.Linear(3, 2, seed=0).double()
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(*given):
        opt.zero_grad()
        loss = (model(Tensor(data_of(*given))) ** 2).mean()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def test_a_copy_of_a_slice_still_runs_eagerly():
    """`tokens[:, 1:].reshape(-1)` is numpy's copy, no view: nothing ties it to the tokens, so the step runs eagerly."""
    rng = np.random.default_rng(0)
    batches = [(rng.integers(0, VOCAB, (4, 9)),) for _ in range(4)]

    def loss_of(logits, tokens):
        return F.cross_entropy(logits.reshape(-1, VOCAB), tokens[:, 1:].reshape(-1))

    step = _lm(loss_of)
    eager = [step(*b) for b in batches]
    compiled, said, _ = _run_warned(_lm(loss_of), batches)
    assert compiled == eager and said and "labels" in said[0]


def test_inputs_of_other_strides_on_the_two_recordings_run_eagerly():
    """x[1:] of an input sliced from a (6, 4) array on one call and from a (6, 6) one on the next: the same shape and
    layout key, other strides, so the view is made another way. The step runs eagerly, saying so."""
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((6, 4 + 2 * (k % 2)))[:, :3],) for k in range(4)]
    eager = _eager(_linear_step(lambda x: x[1:]), batches)
    compiled, said, _ = _run_warned(_linear_step(lambda x: x[1:]), batches)
    assert compiled == eager and said and "view of an array input" in said[0]


def test_an_input_of_other_strides_on_a_replay_records_again():
    """Recorded with (6, 4)-strided inputs, then given (6, 6)-strided ones: the view is not made from them as
    recorded; the step records again for them (no warning), and replays those."""
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((6, 4 if k < 3 else 6))[:, :3],) for k in range(7)]
    eager = _eager(_linear_step(lambda x: x[1:]), batches)
    compiled, said, run = _run_warned(_linear_step(lambda x: x[1:]), batches)
    assert compiled == eager and not said
    assert [r.program is not None for r in run.recordings.values()] == [True]


def test_a_view_of_two_overlapping_inputs_is_not_made_again():
    """Two inputs over one array's rows (`step(data[i:i + 4], data[i + 2:i + 6])`), the step's view in both: which
    one it was made from cannot be told, so it is data made outside the graph, as before: eagerly."""
    rng = np.random.default_rng(0)
    data = rng.standard_normal((40, 3))
    batches = [(data[i : i + 4], data[i + 2 : i + 6]) for i in range(0, 32, 8)]
    eager = _eager(_linear_step(lambda x, z: x[2:]), batches)
    compiled, said, _ = _run_warned(_linear_step(lambda x, z: x[2:]), batches)
    assert compiled == eager and said


SHARED = np.random.default_rng(2).standard_normal((5, 3))


def test_a_view_of_memory_the_input_only_shares_is_not_taken_for_the_inputs():
    """The step reads a global array's rows (SHARED[1:]), and is given that array on both recorded calls: the view
    is one of the input's memory too, but nothing shows it was made from the input. Given another array, a replay
    must not make the view of it (eager reads SHARED): it records again."""
    rng = np.random.default_rng(0)
    batches = [(SHARED,), (SHARED,), *[(rng.standard_normal((5, 3)),) for _ in range(3)]]
    eager = _eager(_linear_step(lambda x: SHARED[1:]), batches)
    compiled, said, run = _run_warned(_linear_step(lambda x: SHARED[1:]), batches)
    assert compiled == eager and not said
    assert eager[2:] != _eager(_linear_step(lambda x: x[1:]), batches)[2:]  # what a replay of x[1:] would give


@pytest.mark.parametrize("loss", ["smooth_l1_loss", "huber_loss", "mse_loss", "l1_loss"])
def test_regression_targets_sliced_from_the_batch_replay(loss):
    """Float targets `y[:-1]` a loss keeps a copy of (a constant of the tape, not the view itself): that copy was
    not known as made from the view, so the step ran eagerly (fuzzer seeds 1172, 2071, ...); it is made again."""
    model = nn.Linear(3, 2, seed=0).double()
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        value = getattr(F, loss)(model(Tensor(x[:-1])), y[:-1])
        value.backward()
        opt.step()
        return value.item()

    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((4, 3)), rng.standard_normal((4, 2))) for _ in range(6)]
    eager = _eager(step, batches)
    model = nn.Linear(3, 2, seed=0).double()
    opt = nn.SGD(model.parameters(), lr=0.1)
    run = autograd.compile(step, strict=True)
    assert [run(*b) for b in batches] == eager
    assert [r.program is not None for r in run.recordings.values()] == [True]


def test_tokens_given_as_a_tensor_run_eagerly_naming_nns_read():
    """The same LM step given its tokens as a Tensor: `tokens[:, :-1]` is an op's constant then, whose numbers
    nn's embedding reads in Python to make its index, so the step runs eagerly; the warning blamed the step's
    own comparisons ("abs(d) < 1 for autograd.where, argmax, isnan"). It names nn's reader and the array way."""
    rng = np.random.default_rng(0)
    batches = [(Tensor(rng.integers(0, VOCAB, (4, 9))),) for _ in range(4)]
    loss_of = LM_LOSSES["F.cross_entropy over (N, C, T)"]
    step = _lm(loss_of)
    eager = [step(*b) for b in batches]
    compiled, said, _ = _run_warned(_lm(loss_of), batches)
    assert compiled == eager and len(said) == 1
    assert "nn.embedding.lookup read the numbers" in said[0] and "give such labels or indices as arrays" in said[0]


VIEWS = {
    "t[:, :-1]": lambda t: t[:, :-1],
    "t[:, 1:]": lambda t: t[:, 1:],
    "t[::2]": lambda t: t[::2],
    "t[1:3, 2:7:2]": lambda t: t[1:3, 2:7:2],
    "t.ravel()": np.ravel,
    "t.reshape(2, 18)": lambda t: t.reshape(2, 18),
    "t.T": lambda t: t.T,
    "t[:, ::-1]": lambda t: t[:, ::-1],
    "t[:, 0]": lambda t: t[:, 0],
}


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("layout", ["C", "F", "sliced"])
def test_a_view_is_made_again_from_another_input_as_numpy_makes_it(name, layout):
    """compile_views' recipe (a basic slice, a reshape, else as_strided), read off one input, applied to another
    of its shape and strides gives what numpy's own expression gives on it: numbers, shape and strides."""
    from autograd.compile_views import view_of

    def laid(a):
        return (
            np.asfortranarray(a) if layout == "F" else np.pad(a, ((0, 0), (0, 3)))[:, :9] if layout == "sliced" else a
        )

    rng = np.random.default_rng(0)
    a, b = laid(rng.integers(0, 9, (4, 9))), laid(rng.integers(0, 9, (4, 9)))
    made = VIEWS[name]
    if not np.shares_memory(made(a), a):  # a copy in this layout (F-ordered ravel): no view to make again
        assert view_of(made(a), [a]) is None
        return
    again = view_of(made(a), [a]).of(b)
    assert np.array_equal(again, made(b)) and again.strides == made(b).strides


def _sliced_at(starts):
    """Batches for a step whose slice's start is read off its second input (`x[s:s + 2]`, s = int(y[0])): numpy's
    work on the numbers that no recording sees; `starts` holds each call's y."""
    rng = np.random.default_rng(3)
    batches = [(rng.standard_normal((6, 3)), np.array(s)) for s in starts]
    eager = _eager(_linear_step(lambda x, y: x[int(y[0]) : int(y[0]) + 2]), batches)
    compiled, said, _ = _run_warned(_linear_step(lambda x, y: x[int(y[0]) : int(y[0]) + 2]), batches)
    return compiled, eager


def test_a_slice_read_off_an_input_equal_on_both_recordings_replays_only_while_it_stays_equal():
    """y was [0] on both recorded calls: nothing showed the view's start depends on it. Replays rebuilt x[0:2] for
    y = [2] (loss 0.0756 where eager's is 0.0540, silently); an input equal on both recordings now pins the replays,
    as it does for other data made outside the graph, and another y records again."""
    compiled, eager = _sliced_at([[0], [0], [0], [2], [2], [1], [1], [1]])
    assert compiled == eager


def test_a_slice_read_off_an_input_that_came_out_the_same_on_both_recordings_is_seen():
    """y differed between the recorded calls, x[int(y[0]):] did not: the slice was replayed as recorded, x[0:2] for
    y = [2, 1] (other numbers than eager's, silently). The step's int(y[0]) is seen now (compile_watched): y, read
    with numpy and different on the two recordings, makes the step run eagerly, saying so (third loss: 0.0964 replayed,
    0.0779 eager)."""
    compiled, eager = _sliced_at([[0, 5], [0, 7], [2, 1], [2, 3], [1, 1]])
    assert compiled == eager
    rng = np.random.default_rng(3)
    batches = [(rng.standard_normal((6, 3)), np.array(s)) for s in [[0, 5], [0, 7], [2, 1]]]
    _, said, _ = _run_warned(_linear_step(lambda x, y: x[int(y[0]) : int(y[0]) + 2]), batches)
    assert len(said) == 1 and "read the numbers of array input 1" in said[0]


@pytest.mark.parametrize("given", ["the same array twice", "overlapping rows"])
def test_a_view_of_two_overlapping_inputs_says_so(given):
    """The step runs eagerly, as it must; its warning blamed "data computed outside the graph that changed from one
    call to the next (a random mask drawn with numpy, ...)" where the cause is the view found in two inputs."""
    rng = np.random.default_rng(0)
    data = rng.standard_normal((40, 3))
    starts = range(0, 32, 8)
    if given == "the same array twice":
        batches = [(data[i : i + 4],) * 2 for i in starts]
    else:
        batches = [(data[i : i + 4], data[i + 2 : i + 6]) for i in starts]
    compiled, said, _ = _run_warned(_linear_step(lambda x, z: x[2:]), batches)
    assert compiled == _eager(_linear_step(lambda x, z: x[2:]), batches)
    assert len(said) == 1 and "inputs 0 and 1 share memory" in said[0] and "random mask" not in said[0]


def test_labels_viewing_two_inputs_that_share_memory_say_so():
    """Labels y[1:] of labels given twice (step(x, y, y)): the warning blamed keyword arguments that changed."""
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((4, 3)), *[rng.integers(0, 3, 5)] * 2) for _ in range(4)]
    model = nn.Linear(3, 3, seed=0).double()

    def step(x, y, z):
        return F.cross_entropy(model(Tensor(x)), y[1:]).item()

    compiled, said, _ = _run_warned(step, batches)
    assert compiled == _eager(step, batches)
    assert len(said) == 1 and "inputs 1 and 2 share memory" in said[0]
