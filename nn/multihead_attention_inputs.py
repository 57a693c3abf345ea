"""MultiheadAttention's input checks and masks: query, key and value in (length, batch, features), and
key_padding_mask and attn_mask made one mask over the heads' scores, all checked before anything is
computed (one ShapeError or TypeError naming the argument, the shape wanted and the shape given)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, cat, zeros

from .arguments import layer_input
from .attention import added_mask, check_mask_dtype

OWNER = "MultiheadAttention"


def checked_inputs(mha: Any, query: Any, key: Any, value: Any) -> tuple[Tensor, Tensor, Tensor, bool]:
    """query, key, value as (length, batch, features) Tensors (batch_first's and unbatched input moved
    there), and whether the input is batched."""
    q, k, v = (layer_input(f"{OWNER}: {name}", t) for name, t in zip(("query", "key", "value"), (query, key, value)))
    shapes = f"got query {q.shape}, key {k.shape}, value {v.shape}"
    if not q.ndim == k.ndim == v.ndim or q.ndim not in (2, 3):
        raise ShapeError(
            f"{OWNER}: query, key and value must all be 3-d (length, batch, features), (batch, length, features) "
            f"with batch_first=True, or all 2-d (length, features) unbatched, {shapes}"
        )
    batched = q.ndim == 3
    if batched and mha.batch_first:
        q, k, v = (t.swapaxes(0, 1) for t in (q, k, v))
    if not batched:
        q, k, v = (t.unsqueeze(1) for t in (q, k, v))
    wanted = (mha.embed_dim, mha.kdim, mha.vdim)
    if (q.shape[2], k.shape[2], v.shape[2]) != wanted:
        raise ShapeError(
            f"{OWNER}: the features (last axis) of query, key and value must be embed_dim, kdim, vdim = "
            f"{wanted}, {shapes}; build the layer with kdim= and vdim= for keys and values of other widths"
        )
    if k.shape[:2] != v.shape[:2] or q.shape[1] != k.shape[1]:
        raise ShapeError(f"{OWNER}: key and value must have the same length, and all three one batch size, {shapes}")
    if q.dtype.kind != "f" or k.dtype != q.dtype or v.dtype != q.dtype:
        raise TypeError(
            f"{OWNER}: query, key and value must be of one floating-point dtype, got {q.dtype}, {k.dtype}, {v.dtype}"
        )
    return q, k, v, batched


def heads_mask(
    mha: Any, masks_given: tuple[Any, Any], query: Tensor, source: int, batched: bool
) -> tuple[Tensor | None, Tensor | None]:
    """(blocked, added), each None or a Tensor broadcasting to the heads' scores (batch * num_heads, length,
    keys), from (key_padding_mask, attn_mask) for `query` (length, batch, embed_dim): the boolean masks joined
    (True: masked out), the float ones (of the query's dtype or float32) summed in the dtype attend adds them in
    (float32 for float16: finfo.min twice is no -inf there), each widened by a column (not masked) for bias_k and
    for the zero key where the layer appends them."""
    key_padding_mask, attn_mask = masks_given
    length, batch, _ = query.shape
    heads = mha.num_heads
    masks = []
    if key_padding_mask is not None:
        wanted = (batch, source) if batched else (source,)
        padding = _checked("key_padding_mask", key_padding_mask, wanted, "(batch, S), or (S,) unbatched", query.dtype)
        spread = padding.reshape(batch, 1, 1, source).broadcast_to((batch, heads, 1, source))
        masks.append(spread.reshape(batch * heads, 1, source))
    if attn_mask is not None:
        given = layer_input(f"{OWNER}: attn_mask", attn_mask)
        wanted = (length, source) if given.ndim == 2 else (batch * heads, length, source)
        said = f"(L, S) or ({'batch * ' if batched else ''}num_heads, L, S)"
        heads_first = wanted if len(wanted) == 3 else (1, *wanted)  # -1 is no size where L or S is 0
        masks.append(_checked("attn_mask", given, wanted, said, query.dtype).reshape(heads_first))
    extra = (mha.bias_k is not None) + mha.add_zero_attn
    if extra:
        masks = [cat([m, zeros(*m.shape[:-1], extra, dtype=m.dtype)], -1) for m in masks]
    blocked = [m for m in masks if m.dtype == bool]
    added = [added_mask(m, query.dtype) for m in masks if m.dtype != bool]
    joined = blocked[0] if len(blocked) == 1 else (blocked[0] | blocked[1]) if blocked else None
    return joined, (added[0] if len(added) == 1 else added[0] + added[1]) if added else None


def _checked(name: str, mask: Any, wanted: tuple[int, ...], said: str, dtype: np.dtype) -> Tensor:
    """A mask as a Tensor of shape `wanted`, boolean or float of `dtype`, refused otherwise, naming it."""
    mask = layer_input(f"{OWNER}: {name}", mask)
    if mask.shape != wanted:
        raise ShapeError(f"{OWNER}: {name} must be of shape {said}, here {wanted}, got {mask.shape}")
    check_mask_dtype(OWNER, name, mask, dtype, "True: masked out")
    return mask
