"""TransformerEncoderLayer and TransformerEncoder, as torch.nn's: their arguments (names, defaults, order),
their submodules and parameters under torch's names (`self_attn.in_proj_weight`, `linear1.weight`,
`norm1.weight`, `layers.0.…`), so a torch state dict loads as it is, and their forward: self-attention then a
feed-forward block, each with dropout, a residual and LayerNorm (after each, or before with norm_first).
Built from nn's MultiheadAttention, LayerNorm and Dropout, and Linear layers in torch's layout
(transformer_parts.Block); inputs and masks checked with the layer's own names (transformer_checks).

What is matched: torch's computation as autograd sees it (training, or eval with gradients). In eval under
torch.no_grad(), torch may take a fused fast path: its TransformerEncoder then packs a padded batch into a
nested tensor and gives exactly 0 at the padded positions (src_key_padding_mask True), and its layer gives NaN
for a sequence whose every position is padded; here those positions are computed as everywhere else (the
others agree), and a query with no key left attends to nothing (0), as torch's own path gives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import Tensor

from .arguments import check_flag
from .module import Module
from .transformer_checks import ACTIVATIONS, check_causal, check_masks, checked_source
from .transformer_parts import Block, Stack


class TransformerEncoderLayer(Block):
    """One encoder layer: x + dropout1(self_attn(x)), LayerNorm'd (norm1), then x + dropout2(linear2(dropout(
    activation(linear1(x))))), LayerNorm'd (norm2); with norm_first, each block reads its LayerNorm'd input
    and the sums are not normalised. Input (S, N, d_model), (N, S, d_model) with batch_first, or (S, d_model).
    `activation`: "relu", "gelu" or a callable (a Module is a submodule, as torch's). `seed`, chainrule's,
    by keyword: the weights' draws (else nn's default generator)."""

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
        self._build(settings, ("self_attn",), seed)

    def forward(
        self, src: Any, src_mask: Any = None, src_key_padding_mask: Any = None, is_causal: bool = False
    ) -> Tensor:
        """The layer on `src`; src_mask (S, S) or (N * nhead, S, S), src_key_padding_mask (N, S) ((S,) unbatched):
        boolean, True where a key is masked out, or float, added to the scores. is_causal: torch's hint that
        src_mask is the causal mask (it needs src_mask, used as given)."""
        owner = type(self).__name__
        x = checked_source(owner, src, self.self_attn.embed_dim)
        masks = {"src_mask": src_mask, "src_key_padding_mask": src_key_padding_mask}
        check_masks(owner, x, self.self_attn.batch_first, self.self_attn.num_heads, masks)
        check_causal(owner, check_flag(owner, "is_causal", is_causal), src_mask, "src_mask", "src")
        attention = (src_mask, src_key_padding_mask, is_causal)
        x = self._residual(x, 1, lambda x: self._attended(self.self_attn, 1, x, x, attention))
        return self._residual(x, 2, lambda x: self._fed_forward(x, 2))


class TransformerEncoder(Stack):
    """num_layers copies of `encoder_layer` (deep copies, as torch's: each its own weights, starting equal),
    applied in turn, then `norm` (a Module, or None). torch's enable_nested_tensor and mask_check are taken
    and change nothing: padded positions are computed as the others (see the module's docstring)."""

    def __init__(
        self,
        encoder_layer: Module,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        check_flag(type(self).__name__, "enable_nested_tensor", enable_nested_tensor)
        check_flag(type(self).__name__, "mask_check", mask_check)
        super().__init__(encoder_layer, num_layers, norm, "encoder_layer", "nn.TransformerEncoderLayer")

    def forward(
        self, src: Any, mask: Any = None, src_key_padding_mask: Any = None, is_causal: bool | None = None
    ) -> Any:
        """Each layer on the last's output, with `mask` as its src_mask and the same padding mask; then norm.
        is_causal: torch's hint that `mask` is the causal mask (None: not said)."""
        is_causal = False if is_causal is None else check_flag(type(self).__name__, "is_causal", is_causal)
        check_causal(type(self).__name__, is_causal, mask, "mask", "src")
        out = src
        for layer in self.layers:
            out = layer(out, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=is_causal)
        return self._normed(out)
