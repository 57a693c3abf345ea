"""`arrays` and `tensors` of every dtype a Tensor holds: of integers (labels for a user's op) they drew
floats and failed inside hypothesis at the first non-integer ("element 1.5 cannot be represented as
dtype int64"); `tensors` of integers asked for a gradient no integer tensor can have."""

import numpy as np
import pytest
from hypothesis import given, settings

from autograd import GradcheckError, Op, Tensor, gradcheck
from autograd.testing import arrays, tensors


@pytest.mark.parametrize(
    "dtype, allowed",
    [(np.int64, {0, 1, 2}), (np.uint8, {0, 1, 2}), (np.bool_, {False, True}), (np.float32, None)],
    ids=["int64", "uint8", "bool", "float32"],
)
def test_arrays_and_tensors_draw_their_dtypes_values_within_the_bounds(dtype, allowed):
    seen = set()

    @settings(max_examples=60, database=None)
    @given(arrays((5,), -0.5, 2.5, dtype), tensors((3,), -0.5, 2.5, dtype))
    def draw(a, t):
        assert a.dtype == t.dtype == np.dtype(dtype) and t.requires_grad == (a.dtype.kind == "f")
        seen.update(a.tolist() + t.data.tolist())
        assert all(-0.5 <= v <= 2.5 for v in a.tolist() + t.data.tolist())

    draw()
    assert allowed is None or seen == allowed


def test_arrays_refuse_a_dtype_a_tensor_cannot_hold():
    with pytest.raises(TypeError, match="dtype must be a float, integer or bool dtype, got complex128"):
        arrays(dtype=np.complex128)


def test_a_property_test_of_an_op_taking_labels_draws_them_and_catches_a_wrong_rule():
    def vjp(g, out, logits, labels):
        at = np.zeros(np.shape(logits))
        at[np.arange(len(labels)), labels] = -1.0
        return (g * at * (1 + (labels[:, None] == 2)), None)  # wrong for label 2 alone

    nll = Op("nll", lambda logits, labels: -logits[np.arange(len(labels)), labels].sum(), vjp)

    @settings(max_examples=50, database=None)
    @given(tensors((4, 3)), arrays((4,), 0, 2, np.int64))
    def check(logits, labels):
        assert gradcheck(nll, [logits, labels])

    with pytest.raises(GradcheckError, match=r"gradients disagree") as caught:
        check()
    assert "input 1" not in str(caught.value)


def test_tensors_of_labels_reach_an_op_as_integers():
    @settings(max_examples=10, database=None)
    @given(tensors((4,), 0, 2, np.int64))
    def draw(labels):
        assert isinstance(labels, Tensor) and labels.data.dtype == np.int64 and labels.grad is None

    draw()
