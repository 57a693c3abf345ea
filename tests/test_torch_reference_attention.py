"""F.scaled_dot_product_attention and MultiheadAttention against torch's, float64 and float32: outputs,
attention weights and the gradients in query, key, value and every parameter (tests/module_reference.py,
tests/torch_reference.py), over masks of both kinds and senses, causal attention, grouped heads,
separate key and value widths, bias_k/bias_v, zero attention, batch_first and unbatched input (a query row
with every key masked out: tests/test_attention_keyless_rows.py)."""

import numpy as np
import pytest
from module_reference import TORCH_DTYPE, compare
from torch_reference import DTYPES, F, torch

import nn
import nn.functional as ours_F

RNG = np.random.default_rng(0)

# SDPA: (query, key, value shapes, the options; "mask" is made below from its kind)
SDPA_CASES = {
    "4-d": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {}),
    "unbatched 2-d": ((4, 5), (6, 5), (6, 7), {}),
    "causal, L < S": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {"is_causal": True}),
    "causal, L > S": ((1, 2, 6, 3), (1, 2, 4, 3), (1, 2, 4, 3), {"is_causal": True}),
    "scale": ((2, 4, 5), (2, 6, 5), (2, 6, 2), {"scale": 0.3}),
    "boolean mask (L, S)": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {"mask": ("bool", (4, 6))}),
    "float mask (H, L, S)": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {"mask": ("float", (3, 4, 6))}),
    "grouped heads": ((2, 6, 4, 5), (2, 2, 6, 5), (2, 2, 6, 7), {"enable_gqa": True}),
    "broadcast batch": ((2, 3, 4, 5), (1, 3, 6, 5), (1, 3, 6, 7), {}),
}


def _mask(kind, shape, dtype):
    """A mask keeping the first key of every row (no row all masked: that case is tested on its own)."""
    if kind == "bool":
        mask = RNG.random(shape) < 0.6
        mask[..., 0] = True
        return mask
    return RNG.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", SDPA_CASES)
def test_sdpa_agrees_with_torch(case, dtype):
    *shapes, options = SDPA_CASES[case]
    options = dict(options)
    arrays = [RNG.standard_normal(s).astype(dtype) for s in shapes]
    if "mask" in options:
        arrays.append(_mask(*options.pop("mask"), dtype))

    call = lambda f, q, k, v, mask=None: f(q, k, v, attn_mask=mask, **options)  # noqa: E731
    compare(ours_F.scaled_dot_product_attention, F.scaled_dot_product_attention, arrays, call, dtype, case)


# MultiheadAttention: (constructor options, L, S, batch or None for unbatched, masks, forward options)
MHA_CASES = {
    "self-attention": ({}, 3, 3, 4, {}, {}),
    "batch_first, 4 heads": ({"batch_first": True}, 3, 5, 2, {}, {}),
    "unbatched": ({}, 3, 5, None, {}, {}),
    "unbatched, masks, per-head weights": (
        {}, 3, 5, None, {"key_padding_mask": "bool", "attn_mask": "bool 3-d"}, {"average_attn_weights": False},
    ),
    "kdim, vdim": ({"kdim": 3, "vdim": 6}, 3, 5, 2, {}, {}),
    "no bias": ({"bias": False}, 2, 4, 3, {"attn_mask": "float 3-d"}, {"average_attn_weights": False}),
    "bias_k, bias_v, zero attention, masks": (
        {"add_bias_kv": True, "add_zero_attn": True}, 3, 5, 4, {"key_padding_mask": "bool", "attn_mask": "bool"}, {},
    ),
    "float padding mask, causal mask": (
        {}, 4, 4, 2, {"key_padding_mask": "float", "attn_mask": "causal"}, {"is_causal": True},
    ),
    "no weights asked for": ({}, 3, 5, 2, {"key_padding_mask": "bool"}, {"need_weights": False}),
}  # fmt: skip


def _mha_masks(masks, length, source, batch, heads, dtype):
    """The masks a case asks for, in MultiheadAttention's sense (True: masked out), the first key kept."""
    made = {}
    for name, kind in masks.items():
        if kind == "causal":
            made[name] = np.triu(np.ones((length, source), bool), 1)
            continue
        shape = (source,) if batch is None else (batch, source)
        if name == "attn_mask":
            shape = (heads * (batch or 1), length, source) if kind.endswith("3-d") else (length, source)
        mask = _mask(kind.split()[0], shape, dtype)
        made[name] = ~mask if mask.dtype == bool else mask
    return made


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask and attn_mask is deprecated")  # torch's
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", MHA_CASES)
def test_multihead_attention_agrees_with_torch(case, dtype):
    options, length, source, batch, masks, forward = MHA_CASES[case]
    embed, heads = 8, 4 if options.get("batch_first") else 2
    theirs = torch.nn.MultiheadAttention(embed, heads, dtype=TORCH_DTYPE[np.dtype(dtype)], **options)
    ours = nn.MultiheadAttention(embed, heads, dtype=dtype, **options)
    lead = () if batch is None else ((batch,) if options.get("batch_first") else ())
    back = () if batch is None or options.get("batch_first") else (batch,)
    widths = (embed, options.get("kdim", embed), options.get("vdim", embed))
    lengths = (length, source, source)
    arrays = [RNG.standard_normal((*lead, n, *back, w)).astype(dtype) for n, w in zip(lengths, widths, strict=True)]
    made = _mha_masks(masks, length, source, batch, heads, dtype)
    names = list(made)
    arrays += [made[n] for n in names]

    def call(m, q, k, v, *given):
        return m(q, k, v, **dict(zip(names, given, strict=True)), **forward)

    compare(ours, theirs, arrays, call, dtype, case)
