"""Attention at the edges a differential sweep against torch 2.13 found (session 45): a query row whose keys are
all unmasked but whose scores overflow to -inf is no keyless row. Which rows have no key is read from the masks,
not from the scores, so such a row is NaN (the overflow shown) with a mask given as without one, where it was 0
(a made-up number: float64 gives the first key's value) with any mask, even one masking nothing. Torch 2.13
gives 0 there with or without a mask (its safe softmax reads the scores): docs/edge-points.md."""

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

import nn
from autograd import Tensor

F = nn.functional
# one query whose two scores, -2e40 and -4e40 scaled by 1/sqrt(2), are past float32's range: -inf both
QUERY = np.array([[1e20, 1e20]], np.float32)
KEYS = np.array([[-1e20, -1e20], [-2e20, -2e20]], np.float32)
VALUES = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
MASKS = {
    "none": None,
    "float zeros": np.zeros((1, 2), np.float32),
    "bool, every key kept": np.ones((1, 2), bool),
    "bool, broadcast over the keys": np.ones((1, 1), bool),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow, numpy's own warning
@pytest.mark.parametrize("mask", MASKS)
def test_scores_overflowing_to_minus_inf_are_nan_with_or_without_a_mask(mask):
    truth = F.scaled_dot_product_attention(*(Tensor(a.astype(np.float64)) for a in (QUERY, KEYS, VALUES)))
    np.testing.assert_allclose(truth.data, [[1.0, 2.0]])  # the first key's value: no keyless row
    q, k, v = (Tensor(a, requires_grad=True) for a in (QUERY, KEYS, VALUES))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=MASKS[mask])
    assert np.isnan(out.data).all(), out.data
    out.sum().backward()
    assert np.isnan(q.grad).all()


def test_a_row_masked_out_is_still_zero_beside_an_overflowing_one():
    q = np.concatenate([QUERY, QUERY])
    mask = np.array([[True, True], [False, False]])  # row 0 keeps both keys, row 1 none
    with np.errstate(over="ignore", invalid="ignore"):
        out = F.scaled_dot_product_attention(Tensor(q), Tensor(KEYS), Tensor(VALUES), attn_mask=mask).data
    assert np.isnan(out[0]).all()
    np.testing.assert_array_equal(out[1], [0.0, 0.0])


def test_torch_gives_zero_for_the_overflowing_row_with_or_without_a_mask():
    """Torch's departure, recorded in docs/edge-points.md (guard: if torch changes, revisit the entry)."""
    for mask in (None, torch.ones((1, 2), dtype=torch.bool)):
        out = torch.nn.functional.scaled_dot_product_attention(
            *(torch.tensor(a) for a in (QUERY, KEYS, VALUES)), attn_mask=mask
        )
        assert out.tolist() == [[0.0, 0.0]]


@pytest.mark.parametrize("enable_gqa", [False, True])
def test_a_negative_scale_under_is_causal_is_the_formula_where_torch_gives_nan(enable_gqa):
    """Torch 2.13's causal path scales query and key each by sqrt(scale): NaN for scale < 0, where its other paths
    (no mask, a boolean mask) give the formula. chainrule gives the formula (docs/edge-points.md)."""
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((1, 2, 2, 3)), rng.standard_normal((1, 1, 3, 3)), rng.standard_normal((1, 1, 3, 3))
    wide = [np.repeat(a, 2, axis=1) for a in (k, v)]
    scores = q @ wide[0].swapaxes(-1, -2) * -0.5 + np.where(np.triu(np.ones((2, 3), bool), 1), -np.inf, 0)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    by_hand = weights / weights.sum(-1, keepdims=True) @ wide[1]
    k, v = (k, v) if enable_gqa else wide
    got = F.scaled_dot_product_attention(
        Tensor(q), Tensor(k), Tensor(v), is_causal=True, scale=-0.5, enable_gqa=enable_gqa
    )
    np.testing.assert_allclose(got.data, by_hand, rtol=1e-13, atol=1e-15)
    theirs = torch.nn.functional.scaled_dot_product_attention(
        *(torch.tensor(a) for a in (q, k, v)), is_causal=True, scale=-0.5, enable_gqa=enable_gqa
    )
    assert theirs.isnan().all()  # the guard: torch's departure, as docs/edge-points.md records it
