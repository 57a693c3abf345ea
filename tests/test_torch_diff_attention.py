"""MultiheadAttention against torch.nn's 2.13 over random combinations of its options, where the fixed cases of
test_torch_reference_attention.py leave gaps: heads 1, 2 or 4; bias on or off with add_bias_kv and
add_zero_attn; kdim and vdim; batch_first; unbatched input; self-attention (one tensor as query, key and
value); key_padding_mask boolean or float (-inf where masked); attn_mask boolean, float, causal (with
is_causal or without) or one per head (3-d); need_weights and average_attn_weights either way. Copied
weights; outputs, attention weights and every gradient (tests/module_reference.py), float64 and float32. A few
draws in the default run, many more under -m slow.

One place torch departs from its own numbers: is_causal=True with add_bias_kv or add_zero_attn, need_weights=False
and no key_padding_mask. There torch drops the attn_mask for its causal kernel, whose triangle, laid over the
keys with the appended one, hides that key from the first queries, where the mask given (padded, as torch pads
it everywhere else) shows it to all: torch's output then differs from its own with need_weights=True (by 0.31 in
a draw). chainrule attends as the mask given says, as torch does with need_weights=True."""

import numpy as np
import pytest
from module_reference import TORCH_DTYPE, compare
from torch_reference import DTYPES, torch  # without torch: skipped

import nn
from autograd import Tensor
from nn.export import from_torch_state_dict

EMBED = 8
pytestmark = pytest.mark.filterwarnings(
    "ignore:Support for mismatched key_padding_mask and attn_mask is deprecated"  # torch's own
)


def _kept_first(mask):
    """A boolean mask (True: masked out) with the first key always kept, so that no row attends to nothing."""
    mask[..., 0] = False
    return mask


def _draw(seed):
    """(constructor options, forward options, masks by name, L, S, batch or None, self-attention)."""
    rng = np.random.default_rng(seed)
    heads = int(rng.choice([1, 2, 4]))
    options = {"num_heads": heads, "bias": bool(rng.integers(2)), "batch_first": bool(rng.integers(2))}
    options |= {"add_bias_kv": bool(rng.integers(2)), "add_zero_attn": bool(rng.integers(2))}
    if rng.integers(2):
        options |= {"kdim": int(rng.integers(2, 7)), "vdim": int(rng.integers(2, 7))}
    length, source = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    self_attention = "kdim" not in options and rng.integers(3) == 0
    source = length if self_attention else source
    batch = None if rng.integers(4) == 0 else int(rng.integers(1, 4))
    forward = {"need_weights": bool(rng.integers(2)), "average_attn_weights": bool(rng.integers(2))}
    masks = {}
    if rng.integers(2):
        padding = _kept_first(rng.random((source,) if batch is None else (batch, source)) < 0.3)
        masks["key_padding_mask"] = (
            padding if rng.integers(2) else np.where(padding, -np.inf, rng.normal(size=padding.shape))
        )
    kind = str(rng.choice(["none", "bool", "float", "causal", "per head"]))
    if kind == "causal" and length == source:
        masks["attn_mask"] = np.triu(np.ones((length, source), bool), 1)
        forward["is_causal"] = bool(rng.integers(2))
    elif kind == "per head":
        masks["attn_mask"] = _kept_first(rng.random(((batch or 1) * heads, length, source)) < 0.3)
    elif kind in ("bool", "float"):
        mask = _kept_first(rng.random((length, source)) < 0.3)
        masks["attn_mask"] = mask if kind == "bool" else np.where(mask, -1e9, rng.normal(size=mask.shape))
    return options, forward, masks, length, source, batch, self_attention


def _torchs_departure(options, forward, masks):
    """The case the module's docstring names, compared below with torch's need_weights=True instead."""
    appended = options["add_bias_kv"] or options["add_zero_attn"]
    return appended and forward.get("is_causal") and not forward["need_weights"] and "key_padding_mask" not in masks


def _check(seed, dtype):
    options, forward, masks, length, source, batch, self_attention = _draw(seed)
    if _torchs_departure(options, forward, masks):
        forward = {**forward, "need_weights": True}  # chainrule's output is the same either way
    rng = np.random.default_rng(seed)
    widths = (EMBED, options.get("kdim", EMBED), options.get("vdim", EMBED))

    def made(n, width):
        if batch is None:
            return rng.standard_normal((n, width)).astype(dtype)
        return rng.standard_normal((batch, n, width) if options["batch_first"] else (n, batch, width)).astype(dtype)

    arrays = [made(n, w) for n, w in zip((length, source, source), widths, strict=True)]
    if self_attention:
        arrays = [arrays[0]] * 3
    names = list(masks)
    arrays += [m if m.dtype == bool else m.astype(dtype) for m in masks.values()]
    ours = nn.MultiheadAttention(EMBED, dtype=dtype, **options)
    theirs = torch.nn.MultiheadAttention(EMBED, dtype=TORCH_DTYPE[np.dtype(dtype)], **options)

    def call(module, query, key, value, *given):
        return module(query, key, value, **dict(zip(names, given, strict=True)), **forward)

    where = f"{options} {forward} masks {names} L={length} S={source} batch={batch} self={self_attention}"
    compare(ours, theirs, arrays, call, dtype, where)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(6))
def test_random_options_match_torch(seed, dtype):
    _check(seed, dtype)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(6, 106))
def test_more_random_options_match_torch(seed, dtype):
    _check(seed, dtype)


@pytest.mark.parametrize("appended", ["add_bias_kv", "add_zero_attn"])
def test_a_causal_hint_beside_an_appended_key_attends_as_the_mask_given(appended):
    """Without weights asked for, the output is the one torch gives with them (and with the mask alone)."""
    theirs = torch.nn.MultiheadAttention(EMBED, 2, dtype=torch.float64, **{appended: True})
    ours = nn.MultiheadAttention(EMBED, 2, dtype=np.float64, **{appended: True})
    from_torch_state_dict(ours, theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((3, 2, EMBED))
    mask = np.triu(np.ones((3, 3), bool), 1)
    t = torch.tensor(x)
    want = theirs(t, t, t, attn_mask=torch.tensor(mask), need_weights=True, is_causal=True)[0].detach().numpy()
    for need_weights in (False, True):
        got = ours(Tensor(x), Tensor(x), Tensor(x), attn_mask=mask, need_weights=need_weights, is_causal=True)[0]
        np.testing.assert_allclose(got.data, want, rtol=1e-12, atol=1e-14)
