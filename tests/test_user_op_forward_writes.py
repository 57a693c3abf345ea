"""A user's op whose forward writes into its inputs: it changed a leaf's data, and every gradient read
from it, without a word (only gradcheck saw it). Its forward is now given read-only views, and the write
is refused naming the op; an output that shares an input's memory is copied, so it can be written."""

import numpy as np
import pytest

from autograd import Op, Tensor, Value, no_grad


def _doubling(write):
    """An op computing 2 * x whose forward gets there by writing into x (`write`)."""

    def forward(x):
        write(x)
        return x

    return Op("doubling", forward, lambda g, out, x: (g * 2,))


@pytest.mark.parametrize(
    "write",
    [lambda x: x.__imul__(2), lambda x: x.__setitem__(..., x * 2), lambda x: np.multiply(x, 2, out=x)],
    ids=["*=", "setitem", "out="],
)
def test_a_forward_writing_into_its_input_is_refused_naming_the_op_and_the_leaf_is_kept(write):
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"forward of op 'doubling' wrote into an input .*x \* 2, not x \*= 2"):
        _doubling(write)(x)
    assert x.data.tolist() == [1.0, 2.0] and x.data.flags.writeable


def test_a_forward_writing_into_an_input_that_needs_no_gradient_is_refused_too():
    labels = Tensor(np.array([0, 2]))
    relabel = Op("relabel", lambda x, y: y.sort() or x[y], lambda g, out, x, y: (None, None))
    with pytest.raises(ValueError, match="forward of op 'relabel' wrote into an input"):
        relabel(Tensor([1.0, 2.0, 3.0], requires_grad=True), labels)
    assert labels.data.tolist() == [0, 2]


@pytest.mark.parametrize("forward", [lambda x: x, lambda x: x.T, lambda x: x[::-1]], ids=["itself", "T", "view"])
def test_an_output_sharing_an_inputs_memory_is_an_array_of_its_own_that_can_be_written(forward):
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    y = Op("same", forward, lambda g, out, x: (g,))(x)
    assert y.data.flags.writeable and not np.shares_memory(y.data, x.data)
    with no_grad():
        y += 10.0
    assert x.data.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_a_forward_that_computes_new_arrays_is_unchanged():
    softplus = Op("softplus", lambda x: np.logaddexp(0, x), lambda g, out, x: (g / (1 + np.exp(-x)),))
    x = Tensor([0.0, 1.0], requires_grad=True)
    softplus(x).sum().backward()
    assert np.allclose(x.grad, 1 / (1 + np.exp(-np.array([0.0, 1.0]))))


def test_a_forward_or_rule_writing_into_an_array_keyword_argument_is_refused():
    """A rule doubling its `w` in place gave [2, 2] for x's gradient, and more on every later backward."""

    def rule(g, out, x, w):
        w *= 2
        return (g * w,)

    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Op("scaled", lambda x, w: x * w, rule)(x, w=np.ones(2)).sum()
    with pytest.raises(ValueError, match="rule of op 'scaled' wrote into its g, its out, an input or a keyword"):
        y.backward()

    def forward(x, w):
        w += 1
        return x * w

    with pytest.raises(ValueError, match="forward of op 'shifted' wrote into an input"):
        Op("shifted", forward, lambda g, out, x, w: (g * w,))(x, w=np.ones(2))


def test_on_values_a_forward_or_rule_writing_into_an_array_keyword_argument_is_refused():
    """The Value engine's op got its keyword arrays writable: a rule doubling its `w` gave x a gradient of 2
    for 1, and 6 for 2 after a second backward, silently (the tensor engine refused it already)."""

    def rule(g, out, x, *, w):
        w *= 2
        return (g * float(w[0]),)

    x = Value(3.0)
    y = Op("scaled", lambda x, *, w: x * float(w[0]), rule)(x, w=np.ones(1))
    with pytest.raises(ValueError, match="rule of op 'scaled' wrote into its g, its out, an input or a keyword"):
        y.backward()

    def forward(x, *, w):
        w += 1
        return x * float(w[0])

    with pytest.raises(ValueError, match=r"forward of op 'shifted' wrote into an input or a keyword argument"):
        Op("shifted", forward, lambda g, out, x, *, w: (g,))(Value(1.0), w=np.ones(1))


def test_on_values_an_op_reading_its_keyword_arrays_keeps_its_gradients_on_every_backward():
    scaled = Op("scaled", lambda x, *, w: x * float(w[0]), lambda g, out, x, *, w: (g * float(w[0]),))
    x = Value(3.0)
    y = scaled(x, w=np.array([2.0]))
    y.backward()
    y.backward()
    assert (y.data, x.grad) == (6.0, 4.0)  # 2 from each pass
