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
def test_multihead_attention_takes_a_float32_mask_with_float16_queries_unrounded(mask_name):
    """-70000 is -inf in float16 but a finite score in float32, where it closes a key all the same (its weight is
    exactly 0): the float32 mask gives the boolean mask's output and weights, bit for bit. torch takes the mask too
    (with need_weights=False; its need_weights=True path refuses it, by its baddbmm's dtype check)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 2, 4)).astype(np.float16)
    closed = np.array([[True, False, False], [False, True, False], [False, False, True]])[
        : 3 if mask_name == "attn_mask" else 2
    ]
    mask = np.where(closed, -70000, 0).astype(np.float32)
    torch.nn.MultiheadAttention(4, 2, dtype=torch.float16)(
        *[torch.tensor(x)] * 3, need_weights=False, **{mask_name: torch.tensor(mask)}
    )
    ours = nn.MultiheadAttention(4, 2, dtype=np.float16, seed=0)
    got, weights = ours(*[Tensor(x, dtype=np.float16)] * 3, **{mask_name: Tensor(mask)})
    expected, expected_weights = ours(*[Tensor(x, dtype=np.float16)] * 3, **{mask_name: closed})
    assert got.dtype == weights.dtype == np.float16
    np.testing.assert_array_equal(got.data, expected.data)
    np.testing.assert_array_equal(weights.data, expected_weights.data)


def test_a_float16_mask_with_float32_queries_is_still_refused_as_torch_refuses_it():
    q = Tensor(np.zeros((1, 2, 4)), dtype=np.float32)
    with pytest.raises(TypeError, match="must be of the query's dtype float32, got float16"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=Tensor(np.zeros((2, 2)), dtype=np.float16))


@pytest.mark.parametrize(
    ("q_dtype", "mask_dtype", "fixes"),
    [
        (np.float16, np.float64, ["astype(np.float16)", "astype(np.float32)"]),
        (np.float64, np.float16, ["astype(np.float64)", "astype(np.float32)"]),
        (np.float32, np.float64, ["astype(np.float32)"]),
    ],
    ids=["float64 mask, float16 query", "float16 mask, float64 query", "float64 mask, float32 query"],
)
@pytest.mark.parametrize("layer", ["scaled_dot_product_attention", "MultiheadAttention"])
def test_a_refused_float_mask_is_told_every_dtype_that_works(layer, q_dtype, mask_dtype, fixes):
    """A float64 mask with float16 queries was told "convert it (attn_mask.astype(np.float16))", where float32 is
    taken too, and keeps what float16 cannot hold (-70000). Each fix named is taken."""
    x = Tensor(np.zeros((2, 1, 4)), dtype=q_dtype)  # (L, batch, E) for the layer; (heads, L, E) for SDPA
    mask = Tensor(np.zeros((2, 2)), dtype=mask_dtype)

    def attend(m):
        if layer == "MultiheadAttention":
            return nn.MultiheadAttention(4, 2, dtype=q_dtype, seed=0)(x, x, x, attn_mask=m)
        return F.scaled_dot_product_attention(*[x.swapaxes(0, 1)] * 3, attn_mask=m)

    with pytest.raises(TypeError) as caught:
        attend(mask)
    message = str(caught.value)
    named = [fix for fix in ("astype(np.float16)", "astype(np.float32)", "astype(np.float64)") if fix in message]
    assert named == sorted(fixes), message
    for fix in fixes:
        attend(eval(f"mask.{fix}"))  # each taken


def test_a_float32_mask_with_float64_queries_gives_the_weights_torch_gives_for_it_in_float64():
    """torch 2.13's MultiheadAttention refuses a float32 mask with float64 queries when it returns the weights
    (need_weights=True, its default) and takes it without them: its need_weights=True path adds the mask by
    torch.baddbmm, whose own dtype check refuses it ("Input dtypes must be the same, got: input float, batch1:
    double"), naming no argument of the layer's; the SDPA path of need_weights=False takes it. The mask is the same
    function of the scores either way, so here both take it: the output and the weights are torch's with the mask
    made float64 (exactly float32's values), and its output equals torch's need_weights=False one."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 2, 4))
    mask = rng.standard_normal((3, 3)).astype(np.float32)
    theirs = torch.nn.MultiheadAttention(4, 2, dtype=torch.float64)
    ours = nn.MultiheadAttention(4, 2, dtype=np.float64, seed=0)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    with pytest.raises(RuntimeError, match="Input dtypes must be the same"):
        theirs(*[torch.tensor(x)] * 3, attn_mask=torch.tensor(mask))
    out, weights = ours(*[Tensor(x)] * 3, attn_mask=Tensor(mask))
    expected, expected_weights = theirs(*[torch.tensor(x)] * 3, attn_mask=torch.tensor(mask, dtype=torch.float64))
    without_weights = theirs(*[torch.tensor(x)] * 3, attn_mask=torch.tensor(mask), need_weights=False)[0]
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(weights.data, expected_weights.detach().numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(out.data, without_weights.detach().numpy(), rtol=1e-13, atol=1e-15)
