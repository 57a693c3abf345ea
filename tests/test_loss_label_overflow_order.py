"""Targets that must be labels (-1 or +1) or probabilities (in [0, 1]) holding a number beyond the predictions'
dtype (70000 for float16) are refused as out of that range, naming the value: the refusal said "beyond float16's
largest number ... predict in float32 (model.float())", and that advice followed led to a second refusal, "target
must be -1 or +1, got 70000"."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

X = np.array([0.5, 0.25])
PM = r"target must be -1 or \+1, got 70000"
UNIT = r"targets must lie in \[0, 1\], got 70000"
CASES = {
    "soft_margin_loss": (lambda p, t: F.soft_margin_loss(p, t), PM),
    "hinge_embedding_loss": (lambda p, t: F.hinge_embedding_loss(p, t), PM),
    "margin_ranking_loss": (lambda p, t: F.margin_ranking_loss(p, Tensor(X, dtype=np.float16), t), PM),
    "cosine_embedding_loss": (lambda p, t: F.cosine_embedding_loss(p.reshape(1, 2), X.reshape(1, 2), t[:1]), PM),
    "binary_cross_entropy": (lambda p, t: F.binary_cross_entropy(p, t), UNIT),
    "binary_cross_entropy_with_logits": (lambda p, t: F.binary_cross_entropy_with_logits(p, t), UNIT),
    "multilabel_soft_margin_loss": (lambda p, t: F.multilabel_soft_margin_loss(p.reshape(1, 2), [list(t)]), UNIT),
}


@pytest.mark.parametrize("kind", ["array", "list"])
@pytest.mark.parametrize("case", CASES)
def test_a_label_beyond_the_dtype_is_refused_as_no_label(case, kind):
    loss, message = CASES[case]
    target = np.array([70000.0, 1.0])
    with pytest.raises(ValueError, match=message):
        loss(Tensor(X, dtype=np.float16, requires_grad=True), target if kind == "array" else target.tolist())


def test_a_number_beyond_the_dtype_that_may_be_a_target_still_names_the_dtype():
    with pytest.raises(ValueError, match=r"holds 70000, beyond float16's largest number"):
        F.huber_loss(Tensor(X, dtype=np.float16), np.array([70000.0, 1.0]))
