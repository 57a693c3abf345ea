"""TransformerDecoderLayer and TransformerDecoder, as torch.nn's (see nn/transformer.py for what is matched):
self-attention over the target, attention from the target to the encoder's output (`memory`), then the
feed-forward block, each with dropout, a residual and LayerNorm (norm1, norm2, norm3; before each part with
norm_first); parameters under torch's names (`self_attn.…`, `multihead_attn.…`, `linear1.weight`, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import ShapeError, Tensor

from .arguments import check_flag
from .module import Module
from .transformer_checks import ACTIVATIONS, check_causal, check_masks, checked_source
from .transformer_parts import Block, Stack


class TransformerDecoderLayer(Block):
    """One decoder layer on `tgt` (T, N, d_model) ((N, T, d_model) with batch_first, (T, d_model) unbatched) and
    `memory` (S, N, d_model) alike: x + dropout1(self_attn(x)) (norm1), x + dropout2(multihead_attn(x, memory))
    (norm2), x + dropout3(feed-forward(x)) (norm3). Arguments as TransformerEncoderLayer's (torch's)."""

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = ACTIVATIONS["relu"],  # F.relu, torch's default
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        settings = dict(locals())  # torch's arguments by name
        del settings["self"], settings["seed"]
        self._build(settings, ("self_attn", "multihead_attn"), seed)

    def forward(
        self,
        tgt: Any,
        memory: Any,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """The layer on `tgt` attending to `memory`; tgt_mask (T, T) or (N * nhead, T, T), memory_mask (T, S) or
        (N * nhead, T, S), the padding masks (N, T) and (N, S) ((T,), (S,) unbatched): boolean, True where a key is
        masked out, or float, added to the scores. The *_is_causal flags: torch's hints that the mask is causal."""
        owner = type(self).__name__
        x, source = checked_pair(owner, tgt, memory, self.self_attn.embed_dim, self.self_attn.batch_first)
        heads, batch_first = self.self_attn.num_heads, self.self_attn.batch_first
        check_masks(owner, x, batch_first, heads, {"tgt_mask": tgt_mask, "tgt_key_padding_mask": tgt_key_padding_mask})
        length = x.shape[1 if x.ndim == 3 and batch_first else 0]
        memory_masks = {"memory_mask": memory_mask, "memory_key_padding_mask": memory_key_padding_mask}
        check_masks(owner, source, batch_first, heads, memory_masks, length)
        check_causal(owner, check_flag(owner, "tgt_is_causal", tgt_is_causal), tgt_mask, "tgt_mask", "tgt")
        check_causal(owner, check_flag(owner, "memory_is_causal", memory_is_causal), memory_mask, "memory_mask", "tgt")
        own = (tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        x = self._residual(x, 1, lambda x: self._attended(self.self_attn, 1, x, x, own))
        other = (memory_mask, memory_key_padding_mask, memory_is_causal)
        x = self._residual(x, 2, lambda x: self._attended(self.multihead_attn, 2, x, source, other))
        return self._residual(x, 3, lambda x: self._fed_forward(x, 3))


def checked_pair(owner: str, tgt: Any, memory: Any, d_model: int, batch_first: bool) -> tuple[Tensor, Tensor]:
    """tgt and memory as Tensors of d_model features, both batched (one batch size) or both unbatched."""
    x, source = checked_source(owner, tgt, d_model, "tgt"), checked_source(owner, memory, d_model, "memory")
    batch_axis = 0 if batch_first else 1
    if x.ndim != source.ndim or (x.ndim == 3 and x.shape[batch_axis] != source.shape[batch_axis]):
        raise ShapeError(
            f"{owner}: tgt and memory must both be batched, of one batch size (axis {batch_axis}), or both "
            f"unbatched, got tgt {x.shape} and memory {source.shape}"
        )
    return x, source


class TransformerDecoder(Stack):
    """num_layers copies of `decoder_layer` (deep copies, as torch's), applied in turn to the target, each
    attending to `memory`, then `norm` (a Module, or None)."""

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None) -> None:
        super().__init__(decoder_layer, num_layers, norm, "decoder_layer", "nn.TransformerDecoderLayer")

    def forward(
        self,
        tgt: Any,
        memory: Any,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Any:
        """Each layer on the last's output, with the same masks; then norm. tgt_is_causal None: not said."""
        owner = type(self).__name__
        tgt_is_causal = False if tgt_is_causal is None else check_flag(owner, "tgt_is_causal", tgt_is_causal)
        check_causal(owner, tgt_is_causal, tgt_mask, "tgt_mask", "tgt")
        out = tgt
        for layer in self.layers:
            out = layer(
                out,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=tgt_is_causal,
                memory_is_causal=memory_is_causal,
            )
        return self._normed(out)
