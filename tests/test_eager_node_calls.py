"""An eager backward's Python per node (docs/performance.md, the forty-third session): a built-in rule is reached
without the wrappers that do nothing for its node (float16's, where the output is not float16; Record._call's steps,
where the forward saved nothing; unbroadcast, where a gradient has its input's shape), and float16's wrapper still
runs where the output is float16, computing in float32 and rounding once; cross_entropy's rule takes the rows kept and
the labels' flat indices its forward made."""

import sys

import numpy as np
import pytest
from call_counts import counting

from autograd import Tensor, cross_entropy, cross_entropy_options, tensor_forwards


def _backward(dtype, graph=lambda a, b, w: ((a + b).relu() @ w).sum()):
    """The leaves of `graph` (by default an MLP layer's) and the (file, function) of each Python call its backward
    made."""
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal((3, 4)).astype(dtype), requires_grad=True, dtype=dtype)
    b = Tensor(rng.standard_normal(4).astype(dtype), requires_grad=True, dtype=dtype)
    w = Tensor(rng.standard_normal((4, 2)).astype(dtype), requires_grad=True, dtype=dtype)
    loss = graph(a, b, w)
    seen: list[tuple[str, str]] = []

    def tracer(frame, event, arg):
        if event == "call":
            seen.append((frame.f_code.co_filename.rsplit("/", 1)[-1], frame.f_code.co_name))

    sys.setprofile(tracer)
    try:
        loss.backward()
    finally:
        sys.setprofile(None)
    return (a, b, w), seen


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_backward_calls_no_wrapper_that_does_nothing_for_its_nodes(dtype):
    _, seen = _backward(dtype)
    assert ("half_precision.py", "run") not in seen  # add's and relu's float16 wrappers: called 2 times before
    assert ("tensor_record.py", "_call") not in seen  # called once a node before (4 times)
    assert seen.count(("op_table_tensor.py", "unbroadcast")) == 1  # b's sum alone (2 before: a's too)


def test_float16_rules_still_compute_in_float32_and_round_once():
    def graph(a, b, w):
        return ((a * b).relu() - b).sum()  # elementwise: float16's gradients are float32's rounded once

    (a16, b16, _), seen = _backward(np.float16, graph)
    assert ("half_precision.py", "run") in seen
    a, b = (Tensor(t.data.astype(np.float32), requires_grad=True) for t in (a16, b16))
    graph(a, b, None).backward()
    for t16, t in ((a16, a), (b16, b)):
        assert t16.grad.dtype == np.float16
        np.testing.assert_array_equal(t16.grad, t.grad.astype(np.float16))


@pytest.mark.parametrize("ignore_index", [None, 2])
def test_cross_entropys_rule_takes_the_rows_and_label_indices_its_forward_made(monkeypatch, ignore_index):
    rng = np.random.default_rng(0)
    logits = Tensor(rng.standard_normal((6, 4)).astype(np.float32), requires_grad=True)
    options = {} if ignore_index is None else {"ignore_index": ignore_index}
    loss = cross_entropy(logits, np.array([0, 2, 1, 3, 2, 0]), **options)
    rows = counting(monkeypatch, tensor_forwards, "kept_rows")
    indices = counting(monkeypatch, cross_entropy_options, "label_indices")
    loss.backward()
    assert rows == [] and indices == []  # each computed again before, once a backward
    first = logits.grad.copy()
    logits.grad = None
    loss.backward()  # a second pass: what the forward saved was taken by the first, so computed again
    assert rows == ["kept_rows"] and indices == ["label_indices"]
    np.testing.assert_array_equal(logits.grad, first)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_a_bias_gradient_is_an_array_of_its_own_with_the_sums_bits(dtype):
    """unbroadcast's sum over added leading axes (a bias's gradient) is made in the bias's shape: before, a reshape's
    view of the kept-axes sum, which `_accumulate` copied again for the leaf's .grad."""
    from autograd.op_table_tensor import unbroadcast

    g = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(dtype)
    got = unbroadcast(g, (3,))
    assert got.flags.owndata and got.shape == (3,) and got.dtype == dtype
    wide = np.float32 if dtype == np.float16 else dtype  # float16 added in float32, rounded once
    np.testing.assert_array_equal(got, np.add.reduce(g.reshape(10, 3), axis=0, dtype=wide).astype(dtype))
    big = np.array([[3e38, 1.0], [3e38, 2.0], [-3e38, 3.0]], np.float32)  # a partial sum past the range: again, scaled
    assert np.array_equal(unbroadcast(big, (2,)), np.array([3e38, 6.0], np.float32))
    assert unbroadcast(big, (2,)).flags.owndata


def test_a_bias_leafs_grad_is_the_rules_array_uncopied(monkeypatch):
    from autograd import tensor_backward

    given = []
    real = tensor_backward.own_array

    def noting(g, handed_out):
        given.append(g.flags.owndata)  # an array of its own is kept; a view (as the bias's was) copied
        return real(g, handed_out)

    monkeypatch.setattr(tensor_backward, "own_array", noting)
    b = Tensor(np.zeros(3, np.float32), requires_grad=True)
    (Tensor(np.ones((4, 3), np.float32)) + b).sum().backward()
    assert given == [True] and np.array_equal(b.grad, np.full(3, 4.0, np.float32))


@pytest.mark.parametrize("name", ["add", "relu", "softmax", "cross_entropy"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_a_built_in_rule_a_user_wrapped_with_functools_wraps_is_the_one_called(monkeypatch, name, dtype):
    """A built-in op's vjp replaced by a decorator made with functools.wraps (which copies the wrapped function's
    attributes, float16's `unwidened` among them) is called: backward skipped it where the output was not float16,
    calling the rule it wraps (its doubled gradient came out undoubled, and nothing was logged)."""
    import functools

    from autograd.tensor_ops import OPS

    op, called = OPS[name], []
    real = op.vjp

    @functools.wraps(real)
    def doubled(*args, **kwargs):
        called.append(name)
        return tuple(None if gx is None else 2 * gx for gx in real(*args, **kwargs))

    x = Tensor(np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype), requires_grad=True, dtype=dtype)
    graphs = {
        "add": lambda t: (t + Tensor(np.ones(3, dtype), dtype=dtype)).sum(),
        "relu": lambda t: t.relu().sum(),
        "softmax": lambda t: (t.softmax(axis=1) * Tensor(np.arange(3).astype(dtype), dtype=dtype)).sum(),
        "cross_entropy": lambda t: cross_entropy(t, np.array([2, 0])),
    }
    graphs[name](x).backward()
    plain = x.grad.copy()
    x.grad = None
    monkeypatch.setattr(op, "vjp", doubled)
    graphs[name](x).backward()
    assert called == [name]
    np.testing.assert_array_equal(x.grad, 2 * plain)
