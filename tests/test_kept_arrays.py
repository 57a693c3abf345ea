"""An op keeps what it reads in backward: an index, a mask, labels, a numpy operand, array bounds. A
write into the caller's array (or an index's Tensor) after the op must not change the gradient of
what the op computed: numpy arrays carry no version counter, and an index is no input of the op."""

import threading
import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F


def _x(n=4):
    return Tensor(np.arange(1.0, n + 1), requires_grad=True)


def _grad_after(build, change):
    """x's gradient of build(x), with change() run between the forward and the backward."""
    x = _x()
    y = build(x)
    change()
    y.backward()
    return x.grad


CASES = {}


def _case(name):
    def register(f):
        CASES[name] = f
        return f

    return register


@_case("numpy operand")
def _operand():
    c = np.array([1.0, 2.0, 3.0, 4.0])
    return (lambda x: (x * c).sum()), (lambda: c.fill(100.0)), [1.0, 2.0, 3.0, 4.0]


@_case("numpy index")
def _np_index():
    i = np.array([0, 1])
    return (lambda x: x[i].sum()), (lambda: i.fill(3)), [1.0, 1.0, 0.0, 0.0]


@_case("list index")
def _list_index():
    i = [0, 1]
    return (lambda x: x[i].sum()), (lambda: i.__setitem__(0, 3)), [1.0, 1.0, 0.0, 0.0]


@_case("Tensor index")
def _tensor_index():
    i = Tensor(np.array([0, 1]))
    return (lambda x: (x[i] * Tensor([1.0, 2.0])).sum()), (lambda: i.__setitem__(0, 3)), [1.0, 2.0, 0.0, 0.0]


@_case("Tensor mask")
def _tensor_mask():
    m = Tensor(np.array([True, False, True, False]))
    return (lambda x: x[m].sum()), (lambda: m.__setitem__(0, False)), [1.0, 0.0, 1.0, 0.0]


@_case("masked_fill's mask")
def _masked_fill():
    m = np.array([True, False, True, False])
    return (lambda x: x.masked_fill(m, 0.0).sum()), (lambda: m.fill(False)), [0.0, 1.0, 0.0, 1.0]


@_case("where's condition")
def _where():
    m = np.array([True, False, True, False])
    return (lambda x: autograd.where(m, x, 0.0).sum()), (lambda: m.fill(False)), [1.0, 0.0, 1.0, 0.0]


@_case("gather's index")
def _gather():
    i = np.array([0, 0])
    return (lambda x: x.gather(0, i).sum()), (lambda: i.fill(3)), [2.0, 0.0, 0.0, 0.0]


@_case("scatter_add's index")
def _scatter_add():
    i = np.array([0, 0])
    src = Tensor(np.ones(2), requires_grad=True)
    return (
        (lambda x: (x.scatter_add(0, i, src) * Tensor([1.0, 2.0, 3.0, 4.0])).sum()),
        (lambda: i.fill(3)),
        [
            1.0,
            2.0,
            3.0,
            4.0,
        ],
    )


@_case("clip's array bounds")
def _clip():
    lo, hi = np.array([2.0, 2.0, 2.0, 2.0]), [3.0, 3.0, 3.0, 3.0]
    return (lambda x: x.clip(lo, hi).sum()), (lambda: (lo.fill(-10), hi.__setitem__(0, 100))), [0.0, 1.0, 1.0, 0.0]


@_case("a user op's array argument")
def _user_op():
    w = np.array([1.0, 2.0, 3.0, 4.0])
    scale = autograd.Op("scale", lambda x, w: x * w, lambda g, out, x, w: (g * w,))
    return (lambda x: scale(x, w=w).sum()), (lambda: w.fill(100.0)), [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("name", CASES)
def test_a_write_after_the_op_leaves_its_gradient_as_computed(name):
    build, change, want = CASES[name]()
    np.testing.assert_array_equal(_grad_after(build, change), want)


@pytest.mark.parametrize("target", ["labels", "labels Tensor", "probabilities", "probabilities Tensor"])
def test_a_loss_keeps_the_targets_it_was_given(target):
    """Labels and probability arrays are kept as given; a probability Tensor is an operand of the graph,
    whose version count refuses a backward after it changed, as every loss's target Tensor (PyTorch's)."""
    logits = Tensor(np.zeros((2, 3)), requires_grad=True)
    probabilities = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    t = {
        "labels": np.array([0, 1]),
        "labels Tensor": Tensor(np.array([0, 1])),
        "probabilities": probabilities,
        "probabilities Tensor": Tensor(probabilities),
    }[target]
    loss = F.cross_entropy(logits, t)
    if isinstance(t, Tensor):
        t[...] = t.numpy()[:, ::-1].copy() if t.ndim == 2 else np.array([2, 2])
    else:
        t[...] = t[:, ::-1].copy() if t.ndim == 2 else 2
    if target == "probabilities Tensor":
        with pytest.raises(RuntimeError, match="was changed in place after"):
            loss.backward()
        return
    loss.backward()
    third = 1 / 3 / 2  # softmax of zeros, over a batch of 2
    np.testing.assert_allclose(logits.grad, [[third - 0.5, third, third], [third, third - 0.5, third]])


def test_an_embeddings_ids_are_kept():
    e = nn.Embedding(4, 2)
    ids = Tensor(np.array([0, 1]))
    out = e(ids)
    ids[0] = 3
    out.sum().backward()
    np.testing.assert_array_equal(e.weight.grad[:, 0], [1.0, 1.0, 0.0, 0.0])


def test_a_compiled_step_still_replays_each_calls_labels_and_index():
    """The copies are not made while a step is recorded: compile finds the step's inputs by identity."""

    def run(compiled):
        model = nn.Linear(3, 4, seed=0)
        opt = nn.SGD(model.parameters(), lr=0.5)

        def step(x, y, rows):
            opt.zero_grad()
            loss = F.cross_entropy(model(Tensor(x))[rows], y)
            loss.backward()
            opt.step()
            return loss.item()

        run_step = autograd.compile(step) if compiled else step
        rng = np.random.default_rng(0)
        losses = []
        for _ in range(5):
            x, y = rng.normal(size=(6, 3)), rng.integers(0, 4, 3)
            losses.append(run_step(x, y, rng.permutation(6)[:3]))
        return losses

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no CompileWarning: the step is replayed
        assert run(True) == run(False)


def test_a_step_writing_its_labels_between_forward_and_backward_compiled_gives_eagers_numbers():
    """The recorded calls keep a copy too (noted as the input's), so they compute what eager computes,
    before the changed input makes the step run eagerly."""

    def run(compiled):
        model = nn.Linear(3, 4, seed=0)
        opt = nn.SGD(model.parameters(), lr=0.5)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            y[:] = 0
            loss.backward()
            opt.step()

        run_step = autograd.compile(step) if compiled else step
        rng = np.random.default_rng(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", autograd.CompileWarning)
            for _ in range(4):
                run_step(rng.normal(size=(5, 3)).astype(np.float32), rng.integers(0, 4, 5))
        return model.W.numpy()

    np.testing.assert_array_equal(run(True), run(False))


def test_a_recording_in_another_thread_leaves_this_threads_copies_alone():
    go, done = threading.Event(), threading.Event()
    w = Tensor(np.ones(3), requires_grad=True)

    def step(x):
        loss = (w * Tensor(x)).sum()
        go.set()
        done.wait(10)
        loss.backward()
        return loss.item()

    recorder = threading.Thread(target=autograd.compile(step), args=(np.ones(3),))
    recorder.start()
    try:
        assert go.wait(10)
        np.testing.assert_array_equal(_grad_after(*CASES["numpy index"]()[:2]), [1.0, 1.0, 0.0, 0.0])
    finally:
        done.set()
        recorder.join()
