"""cross_entropy's options (weight, label_smoothing, reduction) in the rule's two forms: on arrays in a
plain backward (`options_grad`, in place, as the compiled kernel runs it) and on nodes under
create_graph (recorded, for second derivatives). Both must give the same bits, on the batches of
test_softmax_rule_forms: rows near 1 at the label, long rows, ignored rows of -inf or NaN logits.
nll_loss's rule (`nll_grad`; a where on nodes) too, with its options (no smoothing)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from test_softmax_rule_forms import batches, plain_and_recorded

from autograd import Tensor, cross_entropy, nll_loss


@st.composite
def options(draw, classes):
    chosen = {
        "label_smoothing": draw(st.sampled_from([0.0, 0.1, 1.0])),
        "reduction": draw(st.sampled_from(["mean", "sum", "none"])),
    }
    if draw(st.booleans()):
        weight = np.random.default_rng(draw(st.integers(0, 99))).uniform(0, 3, classes)
        weight[draw(st.integers(0, classes - 1))] = 0.0  # a class that counts for nothing
        chosen["weight"] = weight
    return chosen


@given(st.data())
def test_the_options_two_forms_give_the_same_bits_in_cross_entropy_and_nll_loss(data):
    logits, labels, ignore, seeds = data.draw(batches())
    chosen = data.draw(options(logits.shape[1]))
    chosen = {k: v.astype(logits.dtype) if k == "weight" else v for k, v in chosen.items()}
    x = Tensor(logits, requires_grad=True, dtype=logits.dtype)
    g = Tensor(seeds[:, 0], dtype=logits.dtype)  # each row's seed, for reduction "none"

    nll_options = {k: v for k, v in chosen.items() if k != "label_smoothing"}
    for f, kw in ((cross_entropy, chosen), (nll_loss, nll_options)):

        def loss(f=f, kw=kw):
            out = f(x, labels, ignore_index=ignore, **kw)
            return (out * g).sum() if kw["reduction"] == "none" else out

        plain, recorded = plain_and_recorded(loss, x)
        assert plain.tobytes() == recorded.tobytes(), (f.__name__, plain, recorded)
