"""`arrays` and `tensors` of every dtype a Tensor holds: of integers (labels for a user's op) they drew
floats and failed inside hypothesis at the first non-integer ("element 1.5 cannot be represented as
dtype int64"); `tensors` of integers asked for a gradient no integer tensor can have."""

import numpy as np
import pytest
from hypothesis import find, given, settings

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
    assert "\ninput 1[" not in str(caught.value)  # no row for the labels


def test_tensors_of_labels_reach_an_op_as_integers():
    @settings(max_examples=10, database=None)
    @given(tensors((4,), 0, 2, np.int64))
    def draw(labels):
        assert isinstance(labels, Tensor) and labels.data.dtype == np.int64 and labels.grad is None

    draw()


@pytest.mark.parametrize(
    "dtype, lo, hi, held",
    [(np.uint8, -3.0, 3.0, {0, 1, 2, 3}), (np.int8, 120, 1000, set(range(120, 128))), (np.int64, -np.inf, -2, None)],
    ids=["uint8 default bounds", "int8 above its range", "int64 unbounded below"],
)
def test_integer_arrays_keep_to_their_dtypes_range(dtype, lo, hi, held):
    """Bounds past the dtype's range (arrays(dtype=np.uint8)'s default -3) failed inside the draw
    ("Python integer -2 out of bounds for uint8"), an infinite one before it: the range is the dtype's."""
    seen = set()

    @settings(max_examples=60, database=None)
    @given(arrays((4,), lo, hi, dtype))
    def draw(a):
        seen.update(a.tolist())

    draw()
    assert seen == held if held is not None else seen and max(seen) <= -2


def test_integer_bounds_holding_no_integer_are_refused():
    with pytest.raises(ValueError, match=r"no int64 lies in \[0.2, 0.8\]"):
        arrays((2,), 0.2, 0.8, np.int64)


def test_labels_and_masks_shrink_entry_by_entry():
    """hypothesis's fill shrank every entry to one value: a failure at one label 3 was shown as all 3s."""
    assert find(arrays((5,), 0, 5, np.int64), lambda a: (a >= 3).any(), settings=_QUIET).tolist() == [0, 0, 0, 0, 3]
    assert find(arrays((4,), dtype=np.bool_), lambda a: a.sum() >= 2, settings=_QUIET).tolist() == [0, 0, 1, 1]


_QUIET = settings(database=None)
