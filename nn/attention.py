"""Scaled dot-product attention, as torch.nn.functional.scaled_dot_product_attention, and the computation
MultiheadAttention shares with it (`attend`), from autograd's ops: matmul, softmax, masked_fill.

A query row whose every key is masked out (a sequence all padding, left padding under a causal mask) has no
key to attend to: its output and its weights are 0, and no gradient flows through it, in
scaled_dot_product_attention and MultiheadAttention alike (need_weights or not). A plain softmax over no keys
divides 0 by 0: the row came out NaN, and in backward the NaN reached every gradient of the batch. PyTorch
2.13's scaled_dot_product_attention gives 0 there too; its MultiheadAttention gives NaN with need_weights=True
and 0 without."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, computed_in, no_grad

from .arguments import check_flag, check_real, layer_input
from .dropout import dropout


def attend(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    blocked: Any = None,
    added: Tensor | None = None,
    dropout_p: float = 0.0,
    scale: float = 1.0,
) -> tuple[Tensor, Tensor]:
    """(softmax(query @ key^T * scale + added, masked out where `blocked`) @ value, the weights): the
    weights over the keys after dropout with probability dropout_p. `blocked`, a boolean array or Tensor
    broadcasting to the scores (L, S): True where a query may not look at a key; `added`: a float mask
    added to the scores (-inf also masks out), of the dtype they are computed in (`added_mask`). A query with
    no key left gets weights 0 (_softmax_over_keys).
    float16 operands are attended in float32 and the output and weights rounded once to float16 (gradients
    likewise, by astype's rule), as torch 2.13's CPU attention: in float16 a score of -21 plus a finfo.min mask
    overflowed to -inf, and a row all finfo.min gave NaN where torch and float64 give [1.028, 2.029]."""
    wide = computed_in(query.dtype)
    if wide is not None:
        operands = (t.astype(wide) for t in (query, key, value))
        out, weights = attend(*operands, blocked, added, dropout_p, scale)
        return out.astype(query.dtype), weights.astype(query.dtype)
    scores = (query * scale) @ key.swapaxes(-2, -1)
    if added is not None:
        scores = scores + added
    if blocked is not None:
        scores = scores.masked_fill(blocked, -math.inf)
    masked = (blocked is not None or added is not None) and scores.shape[-1]
    weights = _softmax_over_keys(scores, _keyless(blocked, added)) if masked else scores.softmax(axis=-1)
    if dropout_p:
        weights = dropout(weights, dropout_p)
    return weights @ value, weights


def _keyless(blocked: Any, added: Tensor | None) -> Any:
    """The query rows (..., L, 1) whose every key the masks close (`blocked` True, or `added` -inf), read from the
    masks and not from the scores: a row whose open keys' scores overflowed to -inf has keys, and its softmax is
    NaN as without a mask (a 0 there was made up: float32 [1e20, 1e20] against keys -1e20 and -2e20 gave 0 with a
    mask masking nothing, NaN without, where float64 gives the first key's value). Found by boolean ops on the
    masks (of their broadcast shape, not the scores': a float64 copy of the scores peaked a (4, 4, 256, 256)
    float32 SDPA at 21.0 MB, now 16.8 MB), not by reading numbers, so that a compiled step finds each call's rows."""
    with no_grad():  # a constant: no gradient flows through which rows have keys
        closed = blocked
        if added is not None:
            closed = (added == -math.inf) if blocked is None else (added == -math.inf) | blocked
        if isinstance(closed, Tensor):
            return ~((~closed).max(axis=-1, keepdims=True))  # no key open
        return np.all(closed, axis=-1, keepdims=True)  # a constant mask (is_causal's)


def _softmax_over_keys(scores: Tensor, keyless: Tensor) -> Tensor:
    """The masked `scores`' softmax over the keys, 0 on a `keyless` row (no key to look at: all -inf), where the
    softmax's 0 / 0 made NaN and numpy's warning, and the NaN reached every gradient of the batch. Such a row's
    scores are filled with 0 (no 0 / 0) and its weights with 0 after the softmax; every other row is left as it
    is, so its weights and gradients are softmax's bit for bit (a row holding +inf or NaN stays NaN, as
    softmax's; -inf beside finfo.min keeps its weight 0, and finfo.min its own)."""
    return scores.masked_fill(keyless, 0).softmax(axis=-1).masked_fill(keyless, 0)


def scaled_dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """torch.nn.functional.scaled_dot_product_attention: softmax(query @ key^T * scale + mask) @ value, for
    query (..., L, E), key (..., S, E), value (..., S, Ev), the leading axes broadcast, giving (..., L, Ev).
    attn_mask broadcasts to (..., L, S): boolean, True where a query may look at a key (PyTorch's sense
    here, the opposite of MultiheadAttention's), or float, added to the scores. is_causal: query i looks
    at keys 0..i (the mask's top-left corner), attn_mask then not given. scale: 1/sqrt(E) if None.
    dropout_p: the probability of dropping each weight, drawn from nn's default generator whenever it is
    above 0 (as PyTorch's, which takes no training flag: pass 0 in eval). enable_gqa: query's heads
    (axis -3) a multiple of key's and value's, each key head serving that many query heads in turn.
    A row with no key unmasked gives 0, as PyTorch's (see the module's docstring)."""
    owner = "scaled_dot_product_attention"
    query, key, value = (layer_input(owner, t) for t in (query, key, value))
    is_causal, enable_gqa = check_flag(owner, "is_causal", is_causal), check_flag(owner, "enable_gqa", enable_gqa)
    check_real(owner, "dropout_p", dropout_p, 0, 1, high_included=False)
    if scale is not None:
        scale = check_real(owner, "scale", scale)
    _check_operands(owner, query, key, value, enable_gqa)
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        key, value = (_repeat_heads(t, query.shape[-3] // t.shape[-3]) for t in (key, value))
    length, source = query.shape[-2], key.shape[-2]
    blocked, added = None, None
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{owner}: give attn_mask or is_causal=True, not both (is_causal makes its own mask)")
        blocked = np.triu(np.ones((length, source), bool), 1)  # the keys after the query's own position
    elif attn_mask is not None:
        scores = np.broadcast_shapes(query.shape[:-2], key.shape[:-2]) + (length, source)  # key's batch too
        blocked, added = _mask(owner, attn_mask, scores, query.dtype)
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    return attend(query, key, value, blocked, added, dropout_p, scale)[0]


def _check_operands(owner: str, query: Tensor, key: Tensor, value: Tensor, enable_gqa: bool) -> None:
    """Refuse operands whose shapes do not fit, naming them: the feature axes, the key and value rows, the
    leading axes (broadcast), the heads under enable_gqa."""
    shapes = f"got query {query.shape}, key {key.shape}, value {value.shape}"
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise ShapeError(f"{owner}: query, key and value need at least 2 axes (..., length, features), {shapes}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ShapeError(
            f"{owner}: query and key must share their last axis (E) and key and value their rows (S), {shapes}"
        )
    if query.dtype.kind != "f" or key.dtype != query.dtype or value.dtype != query.dtype:
        raise TypeError(
            f"{owner}: query, key and value must be of one floating-point dtype, got {query.dtype}, "
            f"{key.dtype}, {value.dtype}: convert them (t.astype(query.dtype))"
        )
    heads = (query.shape[-3], key.shape[-3], value.shape[-3]) if min(query.ndim, key.ndim, value.ndim) >= 3 else None
    if enable_gqa and heads and (heads[1] != heads[2] or heads[0] % heads[1]):
        raise ShapeError(f"{owner}: with enable_gqa, query's heads (axis -3) must be a multiple of key's, {shapes}")
    leading = [t.shape[:-2] for t in (query, key, value)]
    if enable_gqa and heads:
        leading = [s[:-1] for s in leading]
    try:
        np.broadcast_shapes(*leading)
    except ValueError:
        grouped = "" if enable_gqa else " (enable_gqa=True lets fewer key and value heads serve the query's)"
        raise ShapeError(f"{owner}: the leading axes (batch, heads) must broadcast{grouped}, {shapes}") from None


def _repeat_heads(t: Tensor, times: int) -> Tensor:
    """t (..., H, S, E) as (..., H * times, S, E), each head repeated `times` times in a row."""
    *lead, heads, rows, features = t.shape
    spread = t.unsqueeze(-3).broadcast_to((*lead, heads, times, rows, features))
    return spread.reshape(*lead, heads * times, rows, features)


def _mask(owner: str, mask: Any, scores: tuple[int, ...], dtype: np.dtype) -> tuple[Any, Tensor | None]:
    """SDPA's attn_mask as (blocked, added): a boolean one inverted (True there: may look), a float one (of the
    query's `dtype`) added."""
    mask = layer_input(f"{owner}: attn_mask", mask)
    try:
        fits = np.broadcast_shapes(mask.shape, scores) == scores
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{owner}: attn_mask of shape {mask.shape} does not broadcast to the scores' {scores}")
    check_mask_dtype(owner, "attn_mask", mask, dtype, "True: may look")
    return (~mask, None) if mask.dtype == bool else (None, added_mask(mask, dtype))


def check_mask_dtype(owner: str, name: str, mask: Tensor, dtype: np.dtype, sense: str) -> None:
    """TypeError unless `mask` is boolean (`sense`: what True means) or float of the query's `dtype` or float32, the
    float masks torch 2.13's scaled_dot_product_attention takes (a float64 numpy mask made a float32 model's output
    float64, where torch refuses it; a float32 one with a float16 query torch takes, as its own masks are: added in
    float32, `added_mask`). MultiheadAttention and the Transformer layers alike (torch's refuses a float32 mask with a
    float16 or float64 query when it returns the weights, need_weights=True, by its baddbmm: the same result is
    given here, the mask being the same function of the scores on both of its paths)."""
    if mask.dtype != bool and mask.dtype.kind != "f":
        raise TypeError(f"{owner}: {name} must be boolean ({sense}) or float (added), got {mask.dtype}")
    if mask.dtype != bool and mask.dtype not in (dtype, np.dtype(np.float32)):
        taken = f"of the query's dtype {dtype}" + (" or float32" if dtype != np.float32 else "")
        fixes = " or ".join(f"{name}.astype(np.{d})" for d in dict.fromkeys((dtype.name, "float32")))
        raise TypeError(
            f"{owner}: a float {name} is added to the scores and must be {taken}, got {mask.dtype}: convert it "
            f"({fixes}), or give a boolean mask ({sense})"
        )


def added_mask(mask: Tensor, dtype: np.dtype) -> Tensor:
    """A float mask (checked: `check_mask_dtype`) in the dtype the scores of a query of `dtype` are computed in, where
    it is added: float32 for float16 (a float32 mask's values as they are, not rounded to float16, as torch adds
    them), the query's own otherwise (float32 into float64 exactly)."""
    wide = computed_in(dtype) or dtype
    return mask if mask.dtype == wide else mask.astype(wide)
