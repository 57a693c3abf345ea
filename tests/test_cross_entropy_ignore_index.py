"""autograd.cross_entropy's ignore_index: a row whose label is ignore_index counts for nothing, in the
mean and in the gradient, and nn's cross_entropy takes this fused op whatever the labels are, so that
a step compiled on batches without ignored labels replays later batches with some as eager computes
them (it used to replay the fused op without ignoring them, or refuse their -100). Against PyTorch:
tests/test_torch_reference_cross_entropy_ignore.py."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import Runs

import autograd
import nn
from autograd import ShapeError, Tensor, grad, gradcheck
from nn import functional as nnf

# ---- 1. compiled as eager, padding labels appearing only after the recording ----

BATCHES = [[1, 2, 3], [3, 1, 2], [0, 2, 0], [2, 0, 3], [0, 0, 0], [1, 3, 2]]  # 0: the padding class


def _train(ignore_index, compiled):
    """The brief's repro: a Linear layer and SGD; labels 0 become ignore_index."""
    model = nn.Linear(3, 4, seed=0, dtype=np.float64)
    opt = nn.SGD(model.parameters(), lr=0.1)
    calls = Runs()

    def step(x, y):
        calls.append(1)  # runs when the step is recorded (or eager), not when it is replayed
        opt.zero_grad()
        loss = nnf.cross_entropy(model(x), y, ignore_index=ignore_index)
        loss.backward()
        opt.step()
        return loss.item()

    run = autograd.compile(step, strict=True) if compiled else step
    losses = []
    for i, labels in enumerate(BATCHES):
        y = np.array([ignore_index if label == 0 else label for label in labels])
        x = Tensor(np.random.default_rng(i).standard_normal((3, 3)))
        with np.errstate(invalid="ignore"):  # the batch of padding alone: its mean is NaN (eager's warning)
            losses.append(run(x, y))
    return losses, model.W.data.copy(), model.b.data.copy(), model.W.grad.copy(), len(calls)


@pytest.mark.parametrize("ignore_index", [0, -100])
def test_a_compiled_step_ignores_labels_that_appear_only_after_its_recording(ignore_index):
    eager = _train(ignore_index, compiled=False)
    compiled = _train(ignore_index, compiled=True)
    for got, expected in zip(compiled[:4], eager[:4]):
        np.testing.assert_array_equal(got, expected)  # bit for bit, NaN (all ignored) as NaN
    assert np.isnan(eager[0]).tolist() == [False] * 4 + [True, False]  # the batch of padding alone
    assert compiled[4] == 2  # recorded twice, then every batch replayed


@pytest.mark.parametrize("ignore_index", [0, -100, 5])
@pytest.mark.parametrize("labels", [[1, 2, 3], [0, 2, 3], [0, 0, 0]])
def test_nn_cross_entropy_builds_the_same_graph_whatever_the_labels(labels, ignore_index):
    labels = [ignore_index if label == 0 else label for label in labels]
    x = Tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    with np.errstate(invalid="ignore"):
        loss = nnf.cross_entropy(x, np.array(labels), ignore_index=ignore_index)
    assert loss.op.name == "cross_entropy"
    assert loss._made_by.params["ignore_index"] == ignore_index
    assert list(loss.parents) == [x]


# ---- 2. second derivatives, by finite differences (PyTorch's: the other file) ----

LOGITS = np.random.default_rng(3).standard_normal((5, 4)) * 2
IGNORED = {  # labels of LOGITS's rows, and the ignore_index (all ignored: a loss of NaN, no finite difference)
    "none ignored": ([0, 3, 1, 2, 1], -100),
    "some, -100": ([-100, 3, 1, -100, 2], -100),
    "some, a class": ([0, 3, 0, 2, 1], 0),
    "one kept": ([-100, -100, 1, -100, -100], -100),
}


@pytest.mark.parametrize("labels, ignore_index", IGNORED.values(), ids=IGNORED.keys())
def test_second_derivatives_with_ignored_rows_by_finite_differences(labels, ignore_index):
    """d/dx of sum(w * d loss/dx), the gradient built with create_graph: a Hessian-vector product."""
    labels = np.array(labels)
    w = np.random.default_rng(4).standard_normal(LOGITS.shape)

    def loss(x):
        return autograd.cross_entropy(x, labels, ignore_index=ignore_index)

    assert gradcheck(loss, [LOGITS])
    assert gradcheck(lambda x: (grad(loss)(x) * w).sum(), [LOGITS])


# ---- 3. the labels it takes ----


def test_ignore_index_is_a_label_cross_entropy_takes_and_no_other_outside_the_classes():
    logits = Tensor(np.zeros((2, 3)))
    for label, ignore_index in ((-100, -100), (3, 3), (-1, -1), (0, 0)):
        assert np.isfinite(autograd.cross_entropy(logits, [label, 1], ignore_index=ignore_index).item())
    with pytest.raises(ValueError, match=r"label -100 \(row 0\) .* in \[0, 3\), or ignore_index \(-1\)$"):
        autograd.cross_entropy(logits, [-100, 1], ignore_index=-1)
    with pytest.raises(ValueError, match=r"label -100 \(row 0\) .* labels must be in \[0, 3\)$"):
        autograd.cross_entropy(logits, [-100, 1])  # without an ignore_index, every label is a class
    with pytest.raises(ShapeError, match=r"labels of shape \(2,\), got \(3,\)$"):
        autograd.cross_entropy(logits, [0, 1, -100], ignore_index=-100)
    for bad in (1.5, True, "0", np.array([0])):
        with pytest.raises(TypeError, match=r"ignore_index must be an integer or None"):
            autograd.cross_entropy(logits, [0, 1], ignore_index=bad)


def test_ignore_index_takes_numpy_integers_and_records_a_python_int():
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    loss = autograd.cross_entropy(x, np.array([2, 1]), ignore_index=np.int64(2))
    assert type(loss._made_by.params["ignore_index"]) is int and loss.item() == pytest.approx(np.log(3))


def test_a_compiled_step_still_refuses_a_label_that_is_no_class_nor_ignored():
    model = nn.Linear(3, 4, seed=0)

    def step(x, y):
        loss = nnf.cross_entropy(model(x), y, ignore_index=0)
        loss.backward()
        return loss.item()

    run = autograd.compile(step, strict=True)
    x = Tensor(np.ones((2, 3), dtype=np.float32))
    for _ in range(3):
        run(x, np.array([1, 0]))
    with (
        warnings.catch_warnings(),
        pytest.raises(ValueError, match=r"label 4 .*is not a class of these"),
    ):
        # no CompileWarning: the replay's check stops it, and the call runs eagerly, raising nn's own error
        warnings.simplefilter("error")
        run(x, np.array([0, 4]))


def test_a_replay_checks_the_labels_of_logits_without_a_kernel():
    """Logits that are not C-contiguous replay through the op's own forward, not the kernel: the
    labels fed to it are checked as eagerly (a -1 would otherwise pick the last class)."""
    W = Tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    opt = nn.SGD([W], lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = autograd.cross_entropy((W.T @ x.T).T, y)  # a transpose: not C-contiguous
        loss.backward()
        opt.step()
        return loss.item()

    run = autograd.compile(step, strict=True)
    x = Tensor(np.random.default_rng(1).standard_normal((5, 3)))
    for labels in ([0, 1, 2, 3, 0], [1, 1, 2, 3, 0], [1, 2, 2, 3, 0]):  # two recordings, then a replay
        run(x, np.array(labels))
    before = W.data.copy()
    with pytest.raises(ValueError, match="label -1 .* is not a class"):
        run(x, np.array([-1, 2, 2, 3, 0]))
    assert np.array_equal(W.data, before)  # refused before the update
