"""The float masks attention takes are torch 2.13's: of the query's dtype, or float32 (torch's "float"), whatever
the query's (float16, float64); bool; nothing else. A float32 attn_mask with a float16 query was refused by
scaled_dot_product_attention and MultiheadAttention, a float32 one with a float64 query too, where torch takes
both. A float32 mask with a float16 query is added in float32, where float16 queries are attended, its values not
rounded to float16 (-70000, beyond float16, closes a key as torch's does): the output equals torch's, bit for bit."""

import numpy as np
import pytest
from torch_reference import torch

import nn
from autograd import Tensor

F = nn.functional
DTYPES = [np.float16, np.float32, np.float64]


def _torch_takes(q_dtype, mask_dtype):
    q = torch.zeros(1, 2, 4, dtype=getattr(torch, np.dtype(q_dtype).name))
    mask = torch.zeros(2, 2, dtype=torch.bool if mask_dtype is bool else getattr(torch, np.dtype(mask_dtype).name))
    try:
        torch.nn.functional.scaled_dot_product_attention(q, q, q, attn_mask=mask)
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize("mask_dtype", [*DTYPES, bool, np.int64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("q_dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_sdpa_takes_the_mask_dtypes_torch_takes(q_dtype, mask_dtype):
    q = Tensor(np.zeros((1, 2, 4)), dtype=q_dtype)
    mask = Tensor(np.ones((2, 2), mask_dtype), dtype=mask_dtype)
    if _torch_takes(q_dtype, mask_dtype):
        assert F.scaled_dot_product_attention(q, q, q, attn_mask=mask).dtype == q_dtype
    else:
        with pytest.raises(TypeError, match="attn_mask (is added to the scores and )?must be"):
            F.scaled_dot_product_attention(q, q, q, attn_mask=mask)


def _float32_mask():
    return np.array([[-70000, 0, 1 / 3], [-70000, -70000, 0.1], [0.7, -1e-3, 2.5]], np.float32)


@pytest.mark.parametrize("q_dtype", [np.float16, np.float64], ids=["float16", "float64"])
def test_a_float32_mask_is_added_as_torch_adds_it(q_dtype):
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((2, 3, 4)).astype(q_dtype) for _ in "qkv")
    mask = _float32_mask()
    ours = [Tensor(a, dtype=q_dtype, requires_grad=True) for a in (q, k, v)]
    out = F.scaled_dot_product_attention(*ours, attn_mask=Tensor(mask))
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    expected = torch.nn.functional.scaled_dot_product_attention(*theirs, attn_mask=torch.tensor(mask))
    assert out.dtype == q_dtype
    cotangent = (np.arange(out.size).reshape(out.shape) / 8).astype(q_dtype)  # exact in float16
    (out * Tensor(cotangent, dtype=q_dtype)).sum().backward()
    (expected * torch.tensor(cotangent)).sum().backward()
    if q_dtype == np.float16:  # one rounding of float32 results, as torch's CPU attention
        np.testing.assert_array_equal(out.data, expected.detach().numpy())
        for ours_t, theirs_t in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(ours_t.grad, theirs_t.grad.numpy())
    else:
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-13, atol=1e-15)
        for ours_t, theirs_t in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(ours_t.grad, theirs_t.grad.numpy(), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("mask_name", ["attn_mask", "key_padding_mask"])
def test_multihead_attention_takes_a_float32_mask_with_float16_queries_as_torch(mask_name):
    rng = np.random.default_rng(1)
    theirs = torch.nn.MultiheadAttention(4, 2, dtype=torch.float16)
    ours = nn.MultiheadAttention(4, 2, dtype=np.float16)
    ours.load_state_dict({name: t.detach().numpy() for name, t in theirs.state_dict().items()})
    x = rng.standard_normal((3, 2, 4)).astype(np.float16)
    mask = _float32_mask() if mask_name == "attn_mask" else _float32_mask()[:2]
    expected, _ = theirs(*[torch.tensor(x)] * 3, need_weights=False, **{mask_name: torch.tensor(mask)})
    got, weights = ours(*[Tensor(x, dtype=np.float16)] * 3, **{mask_name: Tensor(mask)})
    assert got.dtype == weights.dtype == np.float16
    wide = nn.MultiheadAttention(4, 2, dtype=np.float64)  # the truth: float64 on the same numbers
    wide.load_state_dict({name: t.detach().double().numpy() for name, t in theirs.state_dict().items()})
    truth, _ = wide(*[Tensor(x.astype(np.float64))] * 3, **{mask_name: Tensor(mask.astype(np.float64))})
    # float16 projections round at each step, in both: ours as near the truth as torch's (5.3e-5 and 7.5e-5 from
    # it, torch's 7.7e-5; torch's differs from ours by one float16 unit at most, 6.1e-5 here)
    assert np.abs(got.data - truth.data).max() <= np.abs(expected.detach().numpy() - truth.data).max()


def test_a_float16_mask_with_float32_queries_is_still_refused_as_torch_refuses_it():
    q = Tensor(np.zeros((1, 2, 4)), dtype=np.float32)
    with pytest.raises(TypeError, match="must be of the query's dtype float32, got float16"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=Tensor(np.zeros((2, 2)), dtype=np.float16))
