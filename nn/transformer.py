"""TransformerEncoderLayer and TransformerEncoder, as torch.nn's: their arguments (names, defaults, order),
their submodules and parameters under torch's names (`self_attn.in_proj_weight`, `linear1.weight`,
`norm1.weight`, `layers.0.…`), so a torch state dict loads as it is, and their forward: self-attention then a
feed-forward block, each with dropout, a residual and LayerNorm (after each, or before with norm_first).
Built from nn's MultiheadAttention, LayerNorm and Dropout, and Linear layers in torch's layout
(transformer_checks.torch_linear); inputs and masks checked with the layer's own names.

What is matched: torch's computation as autograd sees it (training, or eval with gradients). In eval under
torch.no_grad(), torch may take a fused fast path: its TransformerEncoder then packs a padded batch into a
nested tensor and gives exactly 0 at the padded positions (src_key_padding_mask True), and its layer gives NaN
for a sequence whose every position is padded; here those positions are computed as everywhere else (the
others agree), and a query with no key left attends to nothing (0), as torch's own path gives."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from autograd import Tensor, type_name

from .arguments import check_count, check_flag, check_real, is_int
from .arguments_factory import factory_dtype
from .containers import ModuleList
from .dropout import Dropout
from .module import Module
from .multihead_attention import MultiheadAttention
from .norm import LayerNorm
from .parameter import check_parameters
from .rng import generator
from .transformer_checks import (
    ACTIVATIONS,
    activation_of,
    check_causal,
    check_heads,
    check_masks,
    checked_source,
    torch_linear,
)


class TransformerEncoderLayer(Module):
    """One encoder layer: x + dropout1(self_attn(x)), LayerNorm'd (norm1), then x + dropout2(linear2(dropout(
    activation(linear1(x))))), LayerNorm'd (norm2); with norm_first, each block reads its LayerNorm'd input
    and the sums are not normalised. Input (S, N, d_model), (N, S, d_model) with batch_first, or (S, d_model).
    `activation`: "relu", "gelu" or a callable (a Module is a submodule, as torch's). `seed`, chainrule's,
    by keyword: the weights' draws (else nn's default generator)."""

    setting_checks = {"norm_first": lambda layer, flag: check_flag("TransformerEncoderLayer", "norm_first", flag)}

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
        owner = type(self).__name__
        dtype = factory_dtype(owner, device, dtype)
        d_model, nhead = check_count(owner, "d_model", d_model), check_count(owner, "nhead", nhead)
        dim_feedforward = check_count(owner, "dim_feedforward", dim_feedforward)
        check_heads(owner, d_model, nhead)
        bias = check_flag(owner, "bias", bias)
        dropout = check_real(owner, "dropout", dropout, 0, 1, high_included=False)  # named here, not as MHA's
        layer_norm_eps = check_real(owner, "layer_norm_eps", layer_norm_eps, 0)  # LayerNorm's eps: finite, >= 0
        function = activation_of(owner, activation)
        sizes = {"d_model": d_model, "dim_feedforward": dim_feedforward}
        check_parameters(
            owner, sizes, [(dim_feedforward, d_model)] * 2 + [(dim_feedforward,), (d_model,)] * bias, dtype
        )
        rng = generator(seed, owner)
        # in torch's order, which is its parameters' order
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout, bias, batch_first=batch_first, dtype=dtype, seed=rng
        )
        self.linear1 = torch_linear(d_model, dim_feedforward, bias, dtype, rng)
        self.dropout = Dropout(dropout)
        self.linear2 = torch_linear(dim_feedforward, d_model, bias, dtype, rng)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        self.activation = function

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
        check_causal(owner, check_flag(owner, "is_causal", is_causal), src_mask, "src_mask")
        if self.norm_first:
            x = x + self._attended(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._fed_forward(self.norm2(x))
        x = self.norm1(x + self._attended(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._fed_forward(x))

    def _attended(self, x: Tensor, mask: Any, padding: Any, is_causal: bool) -> Tensor:
        out, _ = self.self_attn(x, x, x, padding, need_weights=False, attn_mask=mask, is_causal=is_causal)
        return self.dropout1(out)

    def _fed_forward(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def extra_repr(self) -> str:
        name = getattr(self.activation, "__name__", None)
        shown = [f"activation={name}"] if name and not isinstance(self.activation, Module) else []
        return ", ".join(shown + ["norm_first=True"] * self.norm_first)


class TransformerEncoder(Module):
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
        owner = type(self).__name__
        if not isinstance(encoder_layer, Module):
            raise TypeError(
                f"{owner}: encoder_layer must be a Module (nn.TransformerEncoderLayer), got {type_name(encoder_layer)}"
            )
        if not is_int(num_layers) or num_layers < 0:
            raise (TypeError if not is_int(num_layers) else ValueError)(
                f"{owner}: num_layers must be an int of at least 0, got {type_name(num_layers)} {num_layers!r}"
            )
        if norm is not None and not isinstance(norm, Module):
            raise TypeError(f"{owner}: norm must be a Module (nn.LayerNorm(d_model)) or None, got {type_name(norm)}")
        check_flag(owner, "enable_nested_tensor", enable_nested_tensor)
        check_flag(owner, "mask_check", mask_check)
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(int(num_layers))])
        self.num_layers = int(num_layers)
        self.norm = norm

    def forward(
        self, src: Any, mask: Any = None, src_key_padding_mask: Any = None, is_causal: bool | None = None
    ) -> Any:
        """Each layer on the last's output, with `mask` as its src_mask and the same padding mask; then norm.
        is_causal: torch's hint that `mask` is the causal mask (None: not said)."""
        is_causal = False if is_causal is None else check_flag(type(self).__name__, "is_causal", is_causal)
        check_causal(type(self).__name__, is_causal, mask, "mask")
        out = src
        for layer in self.layers:
            out = layer(out, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=is_causal)
        return out if self.norm is None else self.norm(out)
