"""cross_entropy's rule has two forms: on arrays (a plain backward, `cross_entropy_grad` in place, as the
compiled kernel runs it) and on nodes (create_graph, recorded so that it can be differentiated again).
They must give the same bits, on rows whose softmax is near 1 at the label (where s - 1 cancels), on
ignored rows of -inf or NaN logits, and with every row ignored."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor, cross_entropy, gradients

DTYPES = [np.float16, np.float32, np.float64]
ENTRIES = [0.0, -1.0, 3.0, 40.0, -40.0, 1e4, -np.inf, np.nan]  # large gaps: a softmax near 1 at the label


@st.composite
def batches(draw):
    rows, classes = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    dtype = draw(st.sampled_from(DTYPES))
    picked = st.one_of(st.sampled_from(ENTRIES), st.floats(-60, 60))
    logits = np.array(draw(st.lists(picked, min_size=rows * classes, max_size=rows * classes)), dtype)
    labels = np.array(draw(st.lists(st.integers(0, classes - 1), min_size=rows, max_size=rows)))
    ignore = draw(st.sampled_from([None, 0, classes - 1]))
    finite = np.isfinite(logits.reshape(rows, classes)).all(axis=1)
    if ignore is None:  # a row of -inf or NaN logits has a NaN loss: only an ignored one is compared
        logits.reshape(rows, classes)[~finite] = 0
    else:
        labels[~finite] = ignore
    return logits.reshape(rows, classes), labels, ignore


@given(batches())
def test_the_array_and_the_recorded_forms_of_the_rule_give_the_same_bits(batch):
    logits, labels, ignore = batch
    x = Tensor(logits, requires_grad=True, dtype=logits.dtype)
    with np.errstate(all="ignore"):
        (plain,) = gradients(cross_entropy(x, labels, ignore_index=ignore), [x])
        (recorded,) = gradients(cross_entropy(x, labels, ignore_index=ignore), [x], create_graph=True)
    assert isinstance(recorded, Tensor) and plain.dtype == recorded.dtype == logits.dtype
    assert plain.tobytes() == recorded.data.tobytes(), (plain, recorded.data)


def test_a_float16_roots_second_order_backward_starts_from_a_float16_one():
    """create_graph seeded a float16 loss's backward with a float32 one (Tensor() makes half precision
    float32), so its gradients were computed in float32 and rounded: other bits than a plain backward's."""
    x = Tensor(np.array([[0.0, 0.0, 0.0, 0.0]] * 2 + [[0.0, 0.0, 0.0, 1.0]]), requires_grad=True, dtype=np.float16)
    loss = cross_entropy(x, np.array([0, 0, 0]))  # g / 3 rounds otherwise in float32
    (plain,) = gradients(loss, [x])
    (recorded,) = gradients(loss, [x], create_graph=True)
    assert recorded.dtype == np.float16 and plain.tobytes() == recorded.data.tobytes()
