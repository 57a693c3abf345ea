"""float16 attention computed in float32 and rounded once, as torch 2.13's CPU attention: the scores, the masks added
to them and the softmax of a float16 query in float16 overflowed where float32 does not (HF-style finfo.min masks:
-21.2 + -65504 is -inf in float16, and a row all finfo.min gave NaN where torch and float64 give [1.028, 2.029]).
Checked against float64 (a float16 result within float16's rounding of it) and torch, forward and gradients, in
scaled_dot_product_attention, MultiheadAttention and a TransformerEncoderLayer; keyless rows (True, -inf) stay 0."""

import math
import tracemalloc

import numpy as np
import pytest
import torch
from compile_faithful_cases import check_replayed

import nn
from autograd import Tensor

F = nn.functional
H = np.float16


def _close_to(got, truth):
    """`got` (float16) is `truth` (float64) rounded to float16, give or take one unit in the last place."""
    assert got.dtype == H
    ulp = np.spacing(np.abs(truth).astype(H)).astype(np.float64)
    assert np.all(np.abs(got.astype(np.float64) - truth) <= ulp), (got, truth)


def _sdpa(arrays, dtype, **kw):
    ts = [Tensor(a.astype(dtype), dtype=dtype, requires_grad=True) for a in arrays[:3]]
    mask = arrays[3]
    mask = Tensor(mask if mask.dtype == bool else mask.astype(dtype), dtype=mask.dtype if mask.dtype == bool else dtype)
    out = F.scaled_dot_product_attention(*ts, attn_mask=mask, **kw)
    cotangent = np.arange(out.size).reshape(out.shape).astype(dtype) / 8  # exact in float16
    (out * Tensor(cotangent, dtype=dtype)).sum().backward()
    return out.data, [t.grad for t in ts]


def test_finfo_min_mask_row_is_not_nan():
    q, k, v = np.array([[3, 3]], H), np.array([[-5, -5], [-6, -6]], H), np.array([[1, 2], [3, 4]], H)
    mask = np.full((1, 2), np.finfo(H).min, H)
    got, grads = _sdpa((q, k, v, mask), H)
    truth, true_grads = _sdpa((q, k, v, mask), np.float64)
    _close_to(got, truth)
    ts = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = torch.nn.functional.scaled_dot_product_attention(*ts, attn_mask=torch.tensor(mask))
    (out * torch.tensor([[0, 0.125]], dtype=torch.float16)).sum().backward()
    np.testing.assert_array_equal(got, out.detach().numpy())  # [1.028, 2.029]
    for g, t in zip(grads, ts, strict=True):  # float32 holds -65525.2 to 4e-3: torch's rounding, not float64's
        np.testing.assert_array_equal(g, t.grad.numpy())


def test_random_float16_matches_float64_and_torch():
    rng = np.random.default_rng(3)
    q, k, v = (rng.standard_normal(s).astype(H) for s in ((2, 3, 5, 8), (2, 3, 7, 8), (2, 3, 7, 4)))
    mask = np.where(rng.random((5, 7)) < 0.3, np.finfo(H).min, rng.standard_normal((5, 7))).astype(H)
    got, grads = _sdpa((q, k, v, mask), H)
    truth, true_grads = _sdpa((q, k, v, mask), np.float64)
    _close_to(got, truth)
    for g, t in zip(grads, true_grads, strict=True):
        _close_to(g, t)
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=torch.tensor(mask))
    assert (
        np.abs(got.astype(np.float64) - truth).max()
        <= np.abs(
            torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=torch.tensor(mask)).detach().numpy()
            - truth
        ).max()
    )


def test_keyless_rows_stay_zero_in_float16():
    rng = np.random.default_rng(4)
    q, k, v = (rng.standard_normal(s).astype(H) for s in ((4, 3), (5, 3), (5, 2)))
    allowed = rng.random((4, 5)) < 0.6
    allowed[1] = False
    got, grads = _sdpa((q, k, v, allowed), H)
    assert got.dtype == H and np.all(got[1] == 0) and np.all(np.isfinite(got))
    assert np.all(grads[0][1] == 0) and all(np.all(np.isfinite(g)) for g in grads)
    closed = np.where(allowed, np.float16(0), -np.inf).astype(H)
    got_float, _ = _sdpa((q, k, v, closed), H)
    np.testing.assert_array_equal(got_float, got)


def test_float32_unchanged_bit_for_bit():
    rng = np.random.default_rng(5)
    q, k, v = (rng.standard_normal(s).astype(np.float32) for s in ((2, 4, 3), (2, 6, 3), (2, 6, 5)))
    mask = rng.standard_normal((4, 6)).astype(np.float32)
    got = F.scaled_dot_product_attention(*(Tensor(a) for a in (q, k, v)), attn_mask=Tensor(mask)).data
    tq, tk, tv = (Tensor(a) for a in (q, k, v))
    by_hand = (((tq * (1 / math.sqrt(3))) @ tk.swapaxes(-2, -1) + Tensor(mask)).softmax(axis=-1) @ tv).data
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, by_hand)


def _heads(dtype, mask, **kw):
    rng = np.random.default_rng(6)
    layer = nn.MultiheadAttention(8, 2, batch_first=True, dtype=dtype)
    for p in layer.parameters():
        p.data[...] = rng.uniform(-0.6, 0.6, p.shape).astype(dtype)
    x = Tensor((rng.standard_normal((2, 5, 8)) * 5).astype(dtype), dtype=dtype, requires_grad=True)
    out, weights = layer(x, x, x, attn_mask=Tensor(mask.astype(dtype), dtype=dtype), **kw)
    (out * out).sum().backward()
    return out.data, weights.data, x.grad


def test_multihead_attention_finfo_min_mask():
    mask = np.triu(np.full((5, 5), np.finfo(H).min), 1)
    mask[3] = np.finfo(H).min  # a query that may look at nothing, as an HF-style mask writes it: finfo.min
    out, weights, grad = _heads(H, mask)
    out64, weights64, grad64 = _heads(np.float64, mask)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(grad))
    assert out.dtype == weights.dtype == grad.dtype == H
    scale = np.abs(out64).max()
    assert np.abs(out.astype(np.float64) - out64).max() <= 2e-3 * scale  # float16's rounding through two layers
    assert np.abs(weights.astype(np.float64) - weights64).max() <= 1e-3
    assert np.abs(grad.astype(np.float64) - grad64).max() <= 2e-3 * np.abs(grad64).max()


def test_encoder_layer_finfo_min_mask():
    rng = np.random.default_rng(7)
    mask = np.triu(np.full((4, 4), np.finfo(H).min), 1)
    mask[2] = np.finfo(H).min  # a query that may look at nothing, as an HF-style mask writes it: finfo.min
    x = (rng.standard_normal((2, 4, 8)) * 4).astype(H)
    half = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, dtype=H, seed=0)
    wide = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, dtype=np.float64, seed=0)
    for p, w in zip(half.parameters(), wide.parameters(), strict=True):
        p.data[...] = (rng.uniform(-1.5, 1.5, p.shape)).astype(H)
        w.data[...] = p.data
    got = half(Tensor(x, dtype=H), src_mask=Tensor(mask.astype(H), dtype=H)).data
    truth = wide(Tensor(x, dtype=np.float64), src_mask=Tensor(mask.astype(np.float64), dtype=np.float64)).data
    assert got.dtype == H and np.all(np.isfinite(got))
    assert np.abs(got.astype(np.float64) - truth).max() <= 1e-2 * np.abs(truth).max()


def test_keyless_probe_is_not_a_float64_copy_of_the_scores():
    """The rows with no key are found from the masks as booleans, not from a float64 array the scores' size: a
    (4, 4, 256, 256) float32 SDPA with a (256, 256) float mask peaked at 5.0 times the scores' 4.2 MB (21.0 MB
    by tracemalloc), now 4.0 (16.8 MB): the scores, the masked scores, the softmax and one copy."""
    rng = np.random.default_rng(8)
    q, k, v = (Tensor(rng.standard_normal((4, 4, 256, 16)).astype(np.float32)) for _ in range(3))
    mask = Tensor(np.triu(np.full((256, 256), -np.inf, np.float32), 1))
    scores = 4 * 4 * 256 * 256 * 4
    tracemalloc.start()
    F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak <= 4.5 * scores, peak / scores


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_wider_dtypes_keep_their_dtype(dtype):
    rng = np.random.default_rng(9)
    q, k, v = (rng.standard_normal((3, 2)).astype(dtype) for _ in range(3))
    mask = np.full((3, 3), np.finfo(dtype).min, dtype)
    got, grads = _sdpa((q, k, v, mask), dtype)
    assert got.dtype == dtype and all(g.dtype == dtype for g in grads)


def test_a_compiled_float16_step_replays_as_eager():
    """A compiled float16 step whose float mask changes from call to call (a row all finfo.min, a row all -inf:
    closed) gives each call's eager results, the float32 detour and the keyless rows included."""
    rng = np.random.default_rng(10)
    masks = []
    for i in range(6):
        mask = rng.standard_normal((2, 3, 4)).astype(H)
        mask[i % 2, i % 3] = np.finfo(H).min if i % 2 else -np.inf
        masks.append(mask)

    def scenario(compile):
        w = Tensor(np.random.default_rng(0).standard_normal((3, 3)).astype(H), dtype=H, requires_grad=True)

        def step(q, k, v, mask):
            loss = (F.scaled_dot_product_attention(q @ w, k, v, attn_mask=mask) ** 2).sum()
            loss.backward()
            return loss

        step, data, results = compile(step), np.random.default_rng(1), []
        for mask in masks:
            q, k, v = ((data.standard_normal(s) * 4).astype(H) for s in ((2, 3, 3), (2, 4, 3), (2, 4, 2)))
            loss = step(*(Tensor(a, dtype=H) for a in (q, k, v)), Tensor(mask, dtype=H))
            results += [loss.data.copy(), w.grad.copy()]
            w.grad = None
        return results

    eager = scenario(lambda f: f)
    assert all(np.all(np.isfinite(r)) for r in eager)
    check_replayed(scenario, pytest.MonkeyPatch(), replays_at_least=3)


def test_multihead_attention_two_finfo_min_masks_are_summed_in_float32():
    """key_padding_mask and attn_mask, both float finfo.min where a key is hidden, add to -131008: -inf in float16,
    which closed a key no mask closed, and a row that both masks hide wholly gave 0 where float64 gives its softmax
    over the scores (every key -131008 plus its score)."""
    padding = np.zeros((2, 5))
    padding[1] = np.finfo(H).min  # a sequence all padding, as HF-style code writes it
    attn = np.zeros((5, 5))
    attn[2] = np.finfo(H).min
    outs = []
    for dtype in (H, np.float64):
        rng = np.random.default_rng(12)
        layer = nn.MultiheadAttention(8, 2, batch_first=True, dtype=dtype, seed=0)
        for p in layer.parameters():
            p.data[...] = rng.uniform(-0.6, 0.6, p.shape).astype(H)
        x = Tensor(rng.standard_normal((2, 5, 8)).astype(H).astype(dtype), dtype=dtype)
        masks = {"key_padding_mask": padding, "attn_mask": attn}
        outs.append(layer(x, x, x, **{n: Tensor(m.astype(dtype), dtype=dtype) for n, m in masks.items()})[0].data)
    got, truth = outs
    assert got.dtype == H and np.abs(truth[1, 2]).max() > 0.05  # the row both masks hide: not 0 in float64
    assert np.abs(got.astype(np.float64) - truth).max() <= 2e-3 * np.abs(truth).max()


def _torch_heads(mask, need_weights, padding=None):
    """torch 2.13's float16 MultiheadAttention on _heads' layer and input (its weights loaded), and float64's."""
    outs = []
    for dtype, torch_dtype in ((H, torch.float16), (np.float64, torch.float64)):
        rng = np.random.default_rng(6)
        layer = nn.MultiheadAttention(8, 2, batch_first=True, dtype=dtype)
        for p in layer.parameters():
            p.data[...] = rng.uniform(-0.6, 0.6, p.shape).astype(dtype)
        x = torch.tensor((rng.standard_normal((2, 5, 8)) * 5).astype(dtype))
        theirs = torch.nn.MultiheadAttention(8, 2, batch_first=True).to(torch_dtype)
        theirs.load_state_dict({n: torch.tensor(p.data) for n, p in layer.named_parameters()})
        masks = {"attn_mask": torch.tensor(mask.astype(dtype))}
        if padding is not None:
            masks["key_padding_mask"] = torch.tensor(padding.astype(dtype))
        outs.append(theirs(x, x, x, need_weights=need_weights, **masks)[0].detach().numpy().astype(np.float64))
    return outs


def test_torch_float16_multihead_attention_as_edge_points_says():
    """docs/edge-points.md's torch column for float16 MultiheadAttention: with need_weights=True it computes in
    float16 (a causal finfo.min mask with a closed row: 4.12 off float64, 0.0085 with need_weights=False; chainrule
    0.0065), and a float key_padding_mask and attn_mask both finfo.min sum to -inf in float16 (the row both hide:
    NaN with need_weights=True, 8.05 off float64 without), where chainrule sums them in float32."""
    causal = np.triu(np.full((5, 5), np.finfo(H).min), 1)
    causal[3] = np.finfo(H).min
    weighed, truth = _torch_heads(causal, True)
    assert np.abs(weighed - truth).max() > 1  # 4.12: float16 scores, masks and softmax
    unweighed, _ = _torch_heads(causal, False)
    assert np.abs(unweighed - truth).max() < 0.02  # 0.0085: computed in float32
    padding = np.zeros((2, 5))
    padding[1] = np.finfo(H).min
    both = np.zeros((5, 5))
    both[2] = np.finfo(H).min
    weighed, truth = _torch_heads(both, True, padding)
    assert np.all(np.isnan(weighed[1, 2])) and not np.any(np.isnan(np.delete(weighed, 2, axis=1)))
    unweighed, _ = _torch_heads(both, False, padding)
    assert np.abs(unweighed[1, 2] - truth[1, 2]).max() > 0.1  # the row both hide: the two finfo.min made -inf
