"""The softmax family's rules run on arrays in a plain backward and on nodes under create_graph (recorded, so
that they can be differentiated again); cross_entropy's has a form of its own on arrays (`cross_entropy_grad`,
in place, as the compiled kernel runs it). Both must give the same bits: on rows whose softmax is near 1 at
one entry (where s - 1 cancels and the rules sum the rest of the row), on long rows (where a sum in float64,
as Tensor.sum adds float32, rounds otherwise than numpy's), on ignored rows of -inf or NaN logits, and with
every row ignored."""

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from autograd import Tensor, cross_entropy, gradients

DTYPES = [np.float16, np.float32, np.float64]


def long_peaked_rows() -> tuple:
    """float32 rows of 300 classes, near 1 at the label: a float64 sum of the rest rounds otherwise there."""
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((4, 300)).astype(np.float32)
    logits[:, 3] = 9.0
    return logits, np.full(4, 3), None, rng.standard_normal((4, 300)).astype(np.float32)


@st.composite
def batches(draw):
    rows, classes = draw(st.integers(1, 6)), draw(st.sampled_from([1, 2, 3, 5, 40, 300]))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    logits = rng.standard_normal((rows, classes)) * draw(st.sampled_from([0.1, 1.0, 5.0]))
    labels = rng.integers(0, classes, rows)
    peak = draw(st.sampled_from([None, 3.0, 9.0, 40.0, 1e4]))  # a softmax near 1 at the label
    if peak is not None:
        logits[np.arange(rows), labels] += peak
    ignore = draw(st.sampled_from([None, 0, classes - 1]))
    if ignore is not None:  # rows of -inf or NaN logits have a NaN loss: only an ignored one is compared
        broken = rng.random(rows) < 0.3
        logits[broken] = rng.choice([-np.inf, np.nan], (int(broken.sum()), 1))
        labels[broken] = ignore
    return logits.astype(dtype), labels, ignore, rng.standard_normal((rows, classes)).astype(dtype)


def plain_and_recorded(f, x):
    with np.errstate(all="ignore"):
        (plain,) = gradients(f(), [x])
        (recorded,) = gradients(f(), [x], create_graph=True)
    assert isinstance(recorded, Tensor) and plain.dtype == recorded.dtype == x.dtype
    return plain, recorded.data


@given(batches())
@example(long_peaked_rows())
def test_cross_entropys_two_forms_give_the_same_bits(batch):
    logits, labels, ignore, _ = batch
    x = Tensor(logits, requires_grad=True, dtype=logits.dtype)
    plain, recorded = plain_and_recorded(lambda: cross_entropy(x, labels, ignore_index=ignore), x)
    assert plain.tobytes() == recorded.tobytes(), (plain, recorded)


@given(batches())
@example(long_peaked_rows())
def test_softmax_and_log_softmax_give_the_same_bits_on_arrays_and_on_nodes(batch):
    logits, _, ignore, weights = batch
    if ignore is not None:
        return  # rows of -inf or NaN: NaN gradients throughout
    x, w = Tensor(logits, requires_grad=True, dtype=logits.dtype), Tensor(weights, dtype=weights.dtype)
    for f in (lambda: (x.softmax(axis=1) * w).sum(), lambda: (x.log_softmax(axis=1) * w).sum()):
        plain, recorded = plain_and_recorded(f, x)
        assert plain.tobytes() == recorded.tobytes(), (plain, recorded)


def test_a_float16_roots_second_order_backward_starts_from_a_float16_one():
    """create_graph seeded a float16 loss's backward with a float32 one (Tensor() makes half precision
    float32), so its gradients were computed in float32 and rounded: other bits than a plain backward's."""
    x = Tensor(np.array([[0.0, 0.0, 0.0, 0.0]] * 2 + [[0.0, 0.0, 0.0, 1.0]]), requires_grad=True, dtype=np.float16)
    plain, recorded = plain_and_recorded(lambda: cross_entropy(x, np.array([0, 0, 0])), x)  # g / 3 rounds otherwise
    assert plain.tobytes() == recorded.tobytes()
