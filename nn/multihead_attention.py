"""MultiheadAttention, as torch.nn.MultiheadAttention: its arguments, its parameters' names, shapes and
initialisation (so a state dict maps one to one), its masks' senses, its outputs; computed by
nn.attention's `attend`, where a query row with every key masked out gives 0 (see nn.attention)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, cat, zeros

from .arguments import check_count, check_flag, check_real
from .arguments_factory import factory_dtype
from .attention import attend
from .layers import linear
from .module import Module
from .multihead_attention_inputs import checked_inputs, heads_mask
from .parameter import check_parameters
from .rng import generator


class Projection(Module):
    """x @ weight.T + bias, weight in PyTorch's layout (out_features, in_features): MultiheadAttention's
    out_proj, so that its state dict keys and shapes are torch's (out_proj.weight, out_proj.bias)."""

    parameter_slots = frozenset({"weight", "bias"})

    def __init__(self, weight: Tensor, bias: Tensor | None) -> None:
        self.weight, self.bias = weight, bias

    def forward(self, x: Tensor) -> Tensor:
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"{self.weight.shape[1]} -> {self.weight.shape[0]}" + ("" if self.bias is not None else ", bias=False")


def _parameter(values: np.ndarray, dtype: np.dtype) -> Tensor:
    return Tensor(values.astype(dtype), requires_grad=True, dtype=dtype)


class MultiheadAttention(Module):
    """Attention from `query` to `key` and `value` over num_heads heads of embed_dim // num_heads features
    each: the inputs projected (in_proj_weight, or q_proj_weight, k_proj_weight, v_proj_weight when kdim or
    vdim differ from embed_dim), attended head by head, joined and projected by out_proj. Parameters and
    their initialisation are PyTorch's (Xavier-uniform projections, zero biases, out_proj.weight uniform in
    +-1/sqrt(embed_dim), bias_k and bias_v Xavier-normal); `seed`, chainrule's, by keyword."""

    # the stacked projection or the three separate ones, and the optional biases: None where the layer has none
    parameter_slots = frozenset(
        {"in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k", "bias_v"}
    )

    setting_checks = {
        "dropout": lambda mha, p: check_real("MultiheadAttention", "dropout", p, 0, 1, high_included=False),
        "batch_first": lambda mha, flag: check_flag("MultiheadAttention", "batch_first", flag),
    }

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        owner = "MultiheadAttention"
        dtype = factory_dtype(owner, device, dtype)
        embed_dim, num_heads = check_count(owner, "embed_dim", embed_dim), check_count(owner, "num_heads", num_heads)
        kdim = embed_dim if kdim is None else check_count(owner, "kdim", kdim)
        vdim = embed_dim if vdim is None else check_count(owner, "vdim", vdim)
        if embed_dim % num_heads:
            raise ValueError(
                f"{owner}: num_heads ({num_heads}) must divide embed_dim ({embed_dim}), each head taking "
                f"embed_dim // num_heads features: pick num_heads among the divisors of {embed_dim}"
            )
        flags = {"bias": bias, "add_bias_kv": add_bias_kv, "add_zero_attn": add_zero_attn}
        bias, add_bias_kv, add_zero_attn = (check_flag(owner, name, flag) for name, flag in flags.items())
        self.dropout, self.batch_first = dropout, batch_first  # checked by setting_checks
        sizes = {"embed_dim": embed_dim, "kdim": kdim, "vdim": vdim}
        stacked = (
            [(3 * embed_dim, embed_dim)] if kdim == vdim == embed_dim else [(embed_dim, n) for n in sizes.values()]
        )
        biases = [(3 * embed_dim,), (embed_dim,)] * bias + [(1, 1, embed_dim)] * (2 * add_bias_kv)
        check_parameters(owner, sizes, [*stacked, (embed_dim, embed_dim), *biases], dtype)
        rng = generator(seed, owner)

        def xavier_uniform(rows: int, columns: int) -> Tensor:
            bound = math.sqrt(6 / (rows + columns))
            return _parameter(rng.uniform(-bound, bound, (rows, columns)), dtype)

        self._shape = (embed_dim, num_heads, kdim, vdim, add_zero_attn)
        same = kdim == vdim == embed_dim  # PyTorch's one stacked projection, else three
        self.in_proj_weight = xavier_uniform(3 * embed_dim, embed_dim) if same else None
        separate = ((embed_dim, embed_dim), (embed_dim, kdim), (embed_dim, vdim))
        self.q_proj_weight, self.k_proj_weight, self.v_proj_weight = (
            (None, None, None) if same else tuple(xavier_uniform(*shape) for shape in separate)
        )
        self.in_proj_bias = _parameter(np.zeros(3 * embed_dim), dtype) if bias else None
        std = 1 / math.sqrt(embed_dim)  # Xavier-normal of a (1, 1, E) tensor, whose fans are both E
        self.bias_k, self.bias_v = (
            (_parameter(rng.normal(0, std, (1, 1, embed_dim)), dtype) for _ in "kv") if add_bias_kv else (None, None)
        )
        weight = _parameter(rng.uniform(-std, std, (embed_dim, embed_dim)), dtype)
        self.out_proj = Projection(weight, _parameter(np.zeros(embed_dim), dtype) if bias else None)

    embed_dim = property(lambda self: self._shape[0], doc="the features of query and output")
    num_heads = property(lambda self: self._shape[1], doc="how many heads attend in parallel")
    kdim = property(lambda self: self._shape[2], doc="the features of key")
    vdim = property(lambda self: self._shape[3], doc="the features of value")
    add_zero_attn = property(lambda self: self._shape[4], doc="whether a key and value of zeros are appended")
    head_dim = property(lambda self: self._shape[0] // self._shape[1], doc="the features of each head")

    def forward(
        self,
        query: Any,
        key: Any,
        value: Any,
        key_padding_mask: Any = None,
        need_weights: bool = True,
        attn_mask: Any = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """(attn_output, attn_weights): query (L, N, embed_dim), key (S, N, kdim), value (S, N, vdim) ((N, L, .)
        with batch_first; (L, .) unbatched) give attn_output (L, N, embed_dim) and, with need_weights, the
        weights (N, L, S), or (N, num_heads, L, S) without average_attn_weights (after dropout, as
        PyTorch's). key_padding_mask (N, S), attn_mask (L, S) or (N * num_heads, L, S): boolean, True where
        a key is masked out (PyTorch's sense here), or float, added to the scores. is_causal is PyTorch's
        hint: it needs attn_mask, which is used as given."""
        owner = "MultiheadAttention"
        need_weights = check_flag(owner, "need_weights", need_weights)
        average_attn_weights = check_flag(owner, "average_attn_weights", average_attn_weights)
        if check_flag(owner, "is_causal", is_causal) and attn_mask is None:
            raise ValueError(
                f"{owner}: is_causal=True is a hint about attn_mask and needs it: give attn_mask, the causal mask "
                "np.triu(np.ones((L, L), bool), 1) (True: masked out), as PyTorch asks"
            )
        q, k, v, batched = checked_inputs(self, query, key, value)
        (length, batch, _), heads, size = q.shape, self.num_heads, self.head_dim
        blocked, added = heads_mask(self, (key_padding_mask, attn_mask), q, k.shape[0], batched)
        q, k, v = self._projected(q, k, v)
        if self.bias_k is not None:
            k = cat([k, self.bias_k.broadcast_to((1, batch, self.embed_dim))], 0)
            v = cat([v, self.bias_v.broadcast_to((1, batch, self.embed_dim))], 0)
        q, k, v = (t.reshape(t.shape[0], batch * heads, size).swapaxes(0, 1) for t in (q, k, v))
        if self.add_zero_attn:
            k, v = (cat([t, zeros(batch * heads, 1, size, dtype=t.dtype)], 1) for t in (k, v))
        p = self.dropout if self.training else 0.0
        out, weights = attend(q, k, v, blocked, added, p, 1 / math.sqrt(size))
        out = self.out_proj(out.swapaxes(0, 1).reshape(length, batch, self.embed_dim))
        out = out.swapaxes(0, 1) if batched and self.batch_first else out
        out = out if batched else out.squeeze(1)
        if not need_weights:
            return out, None
        weights = weights.reshape(batch, heads, length, weights.shape[-1])
        weights = weights.mean(axis=1) if average_attn_weights else weights
        return out, weights if batched else weights.squeeze(0)

    def _projected(self, q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """query, key and value each times its projection (the stacked one's thirds, or its own) plus its bias."""
        e = self.embed_dim
        if self.in_proj_weight is not None:
            projections = [self.in_proj_weight[i * e : (i + 1) * e] for i in range(3)]
        else:
            projections = [self.q_proj_weight, self.k_proj_weight, self.v_proj_weight]
        biases = [None] * 3 if self.in_proj_bias is None else [self.in_proj_bias[i * e : (i + 1) * e] for i in range(3)]
        return tuple(linear(t, w, b) for t, w, b in zip((q, k, v), projections, biases, strict=True))  # type: ignore[return-value]

    def extra_repr(self) -> str:
        shown = [f"embed_dim={self.embed_dim}", f"num_heads={self.num_heads}"]
        if self.kdim != self.embed_dim or self.vdim != self.embed_dim:
            shown.append(f"kdim={self.kdim}, vdim={self.vdim}")
        shown += [f"{n}={getattr(self, n)}" for n in ("dropout", "batch_first") if getattr(self, n)]
        return ", ".join(shown)
