"""cross_entropy's forward keeps its exponentials and row sums for the rule (OpDef.saving): a plain
backward divides them instead of computing the softmax again, with the recomputing rule's bits."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor, cross_entropy, no_grad
from autograd import tensor_forwards as forward
from autograd.tensor_ops import OPS

SPECIAL = st.sampled_from([0.0, -0.0, 1e4, -1e4, np.inf, -np.inf, np.nan])


@st.composite
def batches(draw):
    dtype = draw(st.sampled_from([np.float16, np.float32, np.float64]))
    rows, classes = draw(st.integers(0, 5)), draw(st.integers(1, 6))
    numbers = st.floats(-30, 30) | SPECIAL
    logits = np.array(draw(st.lists(numbers, min_size=rows * classes, max_size=rows * classes)), dtype=dtype)
    labels = np.array(draw(st.lists(st.integers(0, classes - 1), min_size=rows, max_size=rows)), dtype=np.int64)
    ignore_index = draw(st.none() | st.sampled_from(range(classes)))
    return logits.reshape(rows, classes), labels, ignore_index


@given(batches())
def test_the_saved_softmax_gives_the_recomputing_rules_bits(batch):
    logits, labels, ignore_index = batch
    x = Tensor(logits, requires_grad=True, dtype=logits.dtype)
    with np.errstate(all="ignore"):
        loss = cross_entropy(x, labels, ignore_index=ignore_index)
        loss.backward()
        seed = np.ones((), logits.dtype)
        # the engine's rule, without what was saved (float16's in float32, as the op computes it: half_precision)
        (expected,) = OPS["cross_entropy"].vjp(seed, loss.data, logits, labels=labels, ignore_index=ignore_index)
    assert x.grad.dtype == expected.dtype
    assert np.array_equal(x.grad, expected, equal_nan=True)
    assert np.array_equal(np.signbit(x.grad), np.signbit(expected))


def test_a_plain_backward_does_not_compute_the_softmax_again(monkeypatch):
    x = Tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    loss = cross_entropy(x, np.array([0, 1, 2, 0]))

    def again(*args, **kwargs):
        raise AssertionError("the rule computed the softmax again")

    monkeypatch.setattr(forward, "softmax", again)
    loss.backward()
    assert x.grad.shape == (4, 3)


def test_backward_leaves_what_was_saved_as_it_was():
    x = Tensor(np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 9.0]]), requires_grad=True)
    loss = cross_entropy(x, np.array([0, 2]))
    loss.backward()
    first = x.grad.copy()
    loss.backward()  # a second pass over the same graph divides the same saved numbers
    assert np.array_equal(x.grad, 2 * first)


def test_nothing_is_saved_where_no_node_is_recorded(monkeypatch):
    def saving(*args, **kwargs):
        raise AssertionError("saved for a rule that will not run")

    monkeypatch.setattr(cross_entropy_op(), "saving", saving)
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    with no_grad():
        assert cross_entropy(x, np.array([0, 1])).data == pytest.approx(np.log(3))
    assert cross_entropy(Tensor(np.zeros((2, 3))), np.array([0, 1])).data == pytest.approx(np.log(3))


def cross_entropy_op():
    from autograd.tensor_ops import OPS

    return OPS["cross_entropy"]


def test_second_derivatives_take_the_recorded_rule():
    x = Tensor(np.array([[0.5, -1.0, 2.0]]), requires_grad=True)
    cross_entropy(x, np.array([1])).backward(create_graph=True)
    grad, v = x.grad, np.array([[1.0, 0.0, -2.0]])
    x.grad = None
    (grad * Tensor(v)).sum().backward()  # the Hessian (diag(s) - s sᵀ) times v
    s = np.exp(x.data) / np.exp(x.data).sum()
    assert np.allclose(x.grad, s * v - s * (s * v).sum(), rtol=1e-12, atol=0)


def test_the_saved_numbers_are_let_go_once_the_rule_took_them():
    """After backward the graph holds what it held without them (the logits, as a node's data): a second
    pass computes the softmax again, with the same bits (test_backward_leaves_what_was_saved_as_it_was)."""
    x = Tensor(np.random.default_rng(1).standard_normal((64, 100)), requires_grad=True)
    loss = cross_entropy(x, np.arange(64) % 100)
    assert loss._made_by.saved is not None
    loss.backward()
    assert loss._made_by.saved is None


def test_only_tensor_only_ops_save():
    """The tensor engine keeps a forward's saved numbers for tensor-only ops (an elementwise op's rule is
    wrapped to sum its gradients back to shape, and takes none)."""
    from autograd.op_table import TABLE

    saving = [d.name for d in TABLE if d.saving is not None]
    assert saving == ["cross_entropy"]
    assert not any(d.elementwise for d in TABLE if d.saving is not None)
    assert cross_entropy_op().saving is not None
