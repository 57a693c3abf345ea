"""PyTorch's transformer encoder: TransformerEncoderLayer (self-attention and a feed-forward block, each with a
residual and a LayerNorm, after it or, with norm_first, before it) and TransformerEncoder (copies of a layer in
turn, then an optional norm), with torch 2.13's arguments, submodule names (so nn.export and state dicts map
one to one) and initialisation. The "Language modeling with nn.Transformer" tutorial's model ports by name."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from autograd import Tensor, type_name

from . import functional as F
from . import init
from .arguments import check_count, check_flag, check_real
from .arguments_factory import factory_dtype
from .containers import ModuleList
from .dropout import Dropout
from .layers import Linear
from .module import Module
from .multihead_attention import MultiheadAttention
from .norm import LayerNorm

ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {"relu": F.relu, "gelu": F.gelu}


def _torch_linear(nin: int, nout: int, bias: bool, dtype: Any) -> Linear:
    """A Linear drawn as torch.nn.Linear draws it: weight and bias uniform in +-1/sqrt(nin)."""
    layer = Linear(nin, nout, bias=bias, dtype=dtype)
    bound = 1 / math.sqrt(nin)
    init.uniform_(layer.W, -bound, bound)
    if layer.b is not None:
        init.uniform_(layer.b, -bound, bound)
    return layer


class TransformerEncoderLayer(Module):
    """x + self_attn(x), then x + linear2(dropout(activation(linear1(x)))), each followed by its LayerNorm (norm1,
    norm2), or preceded by it with norm_first; dropout1 and dropout2 on each block's output. `activation` is
    "relu", "gelu" or a function (a module, F.gelu). Inputs (S, N, d_model), or (N, S, d_model) with batch_first,
    or (S, d_model) unbatched. PyTorch's eval-mode fast path computes the same numbers by another kernel."""

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        owner = "TransformerEncoderLayer"
        dtype = factory_dtype(owner, device, dtype)
        d_model, dim_feedforward = (
            check_count(owner, "d_model", d_model),
            check_count(owner, "dim_feedforward", dim_feedforward),
        )
        dropout = check_real(owner, "dropout", dropout, 0, 1, high_included=False)
        bias, self.norm_first = check_flag(owner, "bias", bias), check_flag(owner, "norm_first", norm_first)
        if isinstance(activation, str):
            if activation not in ACTIVATIONS:
                raise ValueError(f"{owner}: activation should be relu/gelu, not {activation!r} (or give a function)")
            activation = ACTIVATIONS[activation]
        elif not callable(activation):
            raise TypeError(
                f"{owner}: activation is 'relu', 'gelu' or a function of a Tensor, got {type_name(activation)}"
            )
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype
        )
        self.linear1 = _torch_linear(d_model, dim_feedforward, bias, dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = _torch_linear(dim_feedforward, d_model, bias, dtype)
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        self.activation = activation

    def forward(
        self, src: Any, src_mask: Any = None, src_key_padding_mask: Any = None, is_causal: bool = False
    ) -> Tensor:
        """The layer's output, of src's shape. src_mask (S, S) or (N * nhead, S, S) and src_key_padding_mask (N, S)
        are MultiheadAttention's attn_mask and key_padding_mask (True, or -inf, where a key is hidden); is_causal
        says src_mask is the causal one."""
        x = src
        if self.norm_first:
            x = x + self._attend(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._feed_forward(self.norm2(x))
        x = self.norm1(x + self._attend(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._feed_forward(x))

    def _attend(self, x: Tensor, mask: Any, padding: Any, is_causal: bool) -> Tensor:
        out, _ = self.self_attn(
            x, x, x, attn_mask=mask, key_padding_mask=padding, need_weights=False, is_causal=is_causal
        )
        return self.dropout1(out)

    def _feed_forward(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """`num_layers` copies of `encoder_layer` (each its own parameters, as PyTorch's deep copies), applied in
    turn, then `norm` if given. PyTorch's `enable_nested_tensor` and `mask_check` are taken and change nothing
    but one thing: with them, torch in eval mode without a graph returns 0 at the positions src_key_padding_mask
    hides, where chainrule (and torch with a graph) computes them as any other; they are padding either way."""

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        owner = "TransformerEncoder"
        if not isinstance(encoder_layer, Module):
            raise TypeError(
                f"{owner} takes a layer to copy (a TransformerEncoderLayer), got {type_name(encoder_layer)}"
            )
        num_layers = check_count(owner, "num_layers", num_layers)
        check_flag(owner, "enable_nested_tensor", enable_nested_tensor)
        check_flag(owner, "mask_check", mask_check)
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers, self.norm = num_layers, norm

    def forward(
        self, src: Any, mask: Any = None, src_key_padding_mask: Any = None, is_causal: bool | None = None
    ) -> Tensor:
        """Each layer in turn on `src`, with the same masks (PyTorch's argument names), then the norm."""
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        return x if self.norm is None else self.norm(x)
