"""Transformer, as torch.nn's: a TransformerEncoder (its layers and a final LayerNorm) and a TransformerDecoder
(likewise), or custom ones, every weight matrix then drawn Xavier-uniform, as torch's _reset_parameters;
and generate_square_subsequent_mask, the causal mask. See nn/transformer.py for what is matched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, type_name

from .arguments import check_count, check_flag, is_int
from .arguments_factory import factory_dtype
from .init import xavier_uniform_
from .module import Module
from .norm import LayerNorm
from .rng import generator
from .transformer import TransformerEncoder, TransformerEncoderLayer
from .transformer_checks import ACTIVATIONS, check_heads
from .transformer_decoder import TransformerDecoder, TransformerDecoderLayer


class Transformer(Module):
    """encoder(src) then decoder(tgt, that memory): torch's arguments, defaults and order (d_model=512, nhead=8,
    6 and 6 layers, ...), its parameters' names (`encoder.layers.0.self_attn.in_proj_weight`, `encoder.norm.weight`,
    `decoder.layers.0.multihead_attn.…`). `seed`, chainrule's, by keyword: the weights' draws."""

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = ACTIVATIONS["relu"],  # F.relu, torch's default
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        owner = type(self).__name__
        dtype = factory_dtype(owner, device, dtype)
        d_model, nhead = check_count(owner, "d_model", d_model), check_count(owner, "nhead", nhead)
        check_heads(owner, d_model, nhead)
        rng = generator(seed, owner)
        shared = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias)
        for name, custom in (("custom_encoder", custom_encoder), ("custom_decoder", custom_decoder)):
            if custom is not None and not isinstance(custom, Module):
                raise TypeError(f"{owner}: {name} must be a Module or None, got {type_name(custom)}")
        if custom_encoder is None:
            layer = TransformerEncoderLayer(*shared, dtype=dtype, seed=rng)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            custom_encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is None:
            layer = TransformerDecoderLayer(*shared, dtype=dtype, seed=rng)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            custom_decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self.encoder, self.decoder = custom_encoder, custom_decoder
        for p in self.parameters():  # torch's _reset_parameters: every matrix Xavier-uniform, custom ones too
            if isinstance(p, Tensor) and p.ndim > 1:
                xavier_uniform_(p, generator=rng)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, check_flag(owner, "batch_first", batch_first)

    def forward(
        self,
        src: Any,
        tgt: Any,
        src_mask: Any = None,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        src_key_padding_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Any:
        """decoder(tgt, encoder(src)): src (S, N, d_model), tgt (T, N, d_model) ((N, ., d_model) with batch_first;
        (S, d_model), (T, d_model) unbatched); the masks as the encoder's and decoder's."""
        shapes = [x.shape if isinstance(x, Tensor) else np.shape(x) for x in (src, tgt)]  # not .data: compile
        axis = 0 if self.batch_first else 1
        if len(shapes[0]) == 3 and len(shapes[1]) == 3 and shapes[0][axis] != shapes[1][axis]:
            raise ShapeError(
                f"Transformer: src and tgt must have one batch size (axis {axis}), got {shapes[0]} and {shapes[1]}"
            )
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The causal mask of sz positions, as torch's: float (float32 unless given), -inf above the diagonal
        (a position attends to itself and those before it), 0 elsewhere."""
        owner = "Transformer.generate_square_subsequent_mask"
        if not is_int(sz) or sz < 0:  # 0 gives the empty mask, as torch's
            raise (ValueError if is_int(sz) else TypeError)(f"{owner}: sz must be an int of at least 0, got {sz!r}")
        sz, dtype = int(sz), factory_dtype(owner, device, dtype)
        return Tensor(np.triu(np.full((sz, sz), -np.inf), 1).astype(dtype), dtype=dtype)

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, nhead={self.nhead}" + (", batch_first=True" if self.batch_first else "")
