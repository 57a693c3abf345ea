"""What the Transformer layers share: a block's parts made in torch's order (its attentions, linear1,
dropout, linear2, its LayerNorms and dropouts, activation: the order of its parameters, so that their names
and order are torch's), its feed-forward part, and a stack of deep copies of one layer (TransformerEncoder's
and TransformerDecoder's), each argument checked with the layer's own name."""

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
from .transformer_checks import activation_of, check_heads, torch_linear


class Block(Module):
    """A Transformer layer's parts: attentions (MultiheadAttention each, under `attentions`' names), the
    feed-forward linear1 -> activation -> dropout -> linear2, one LayerNorm per part (norm1, norm2, ...) and
    one dropout per part's output (dropout1, dropout2, ...); norm_first as torch's (a flag, checked when set)."""

    setting_checks = {"norm_first": lambda layer, flag: check_flag(type(layer).__name__, "norm_first", flag)}

    def _build(self, settings: dict[str, Any], attentions: tuple[str, ...], seed: Any) -> None:
        """Make the parts from the constructor's `settings` (torch's arguments by name), in torch's order."""
        owner = type(self).__name__
        dtype = factory_dtype(owner, settings["device"], settings["dtype"])
        d_model, nhead = (
            check_count(owner, "d_model", settings["d_model"]),
            check_count(owner, "nhead", settings["nhead"]),
        )
        width = check_count(owner, "dim_feedforward", settings["dim_feedforward"])
        check_heads(owner, d_model, nhead)
        bias = check_flag(owner, "bias", settings["bias"])
        dropout = check_real(owner, "dropout", settings["dropout"], 0, 1, high_included=False)  # named here, not MHA's
        eps = check_real(owner, "layer_norm_eps", settings["layer_norm_eps"], 0)  # LayerNorm's eps: finite, >= 0
        batch_first = check_flag(owner, "batch_first", settings["batch_first"])
        function = activation_of(owner, settings["activation"])
        sizes = {"d_model": d_model, "dim_feedforward": width}
        check_parameters(owner, sizes, [(width, d_model)] * 2 + [(width,), (d_model,)] * bias, dtype)
        rng = generator(seed, owner)
        for name in attentions:
            setattr(
                self,
                name,
                MultiheadAttention(d_model, nhead, dropout, bias, batch_first=batch_first, dtype=dtype, seed=rng),
            )
        self.linear1 = torch_linear(d_model, width, bias, dtype, rng)
        self.dropout = Dropout(dropout)
        self.linear2 = torch_linear(width, d_model, bias, dtype, rng)
        self.norm_first = settings["norm_first"]
        parts = len(attentions) + 1
        for i in range(1, parts + 1):
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=eps, bias=bias, dtype=dtype))
        for i in range(1, parts + 1):
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = function

    def _attended(
        self, attention: MultiheadAttention, part: int, x: Tensor, source: Tensor, masks: tuple[Any, Any, bool]
    ) -> Tensor:
        """dropout{part}(attention from x to `source`), masks (attn_mask, key_padding_mask, is_causal)."""
        mask, padding, is_causal = masks
        out, _ = attention(x, source, source, padding, need_weights=False, attn_mask=mask, is_causal=is_causal)
        return getattr(self, f"dropout{part}")(out)

    def _fed_forward(self, x: Tensor, part: int) -> Tensor:
        return getattr(self, f"dropout{part}")(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def _residual(self, x: Tensor, part: int, block: Callable[[Tensor], Tensor]) -> Tensor:
        """x + block(x), LayerNorm'd by norm{part} after (torch's default) or, with norm_first, before the block."""
        norm = getattr(self, f"norm{part}")
        return x + block(norm(x)) if self.norm_first else norm(x + block(x))

    def extra_repr(self) -> str:
        name = getattr(self.activation, "__name__", None)
        shown = [f"activation={name}"] if name and not isinstance(self.activation, Module) else []
        return ", ".join(shown + ["norm_first=True"] * self.norm_first)


class Stack(Module):
    """num_layers deep copies of one layer (each its own weights, starting equal, as torch's _get_clones) under
    `layers`, then `norm` (a Module, or None)."""

    def __init__(self, layer: Module, num_layers: int, norm: Module | None, argument: str, example: str) -> None:
        owner = type(self).__name__
        if not isinstance(layer, Module):
            raise TypeError(f"{owner}: {argument} must be a Module ({example}), got {type_name(layer)}")
        if not is_int(num_layers) or num_layers < 0:
            raise (ValueError if is_int(num_layers) else TypeError)(
                f"{owner}: num_layers must be an int of at least 0, got {type_name(num_layers)} {num_layers!r}"
            )
        if norm is not None and not isinstance(norm, Module):
            raise TypeError(f"{owner}: norm must be a Module (nn.LayerNorm(d_model)) or None, got {type_name(norm)}")
        self.layers = ModuleList([copy.deepcopy(layer) for _ in range(int(num_layers))])
        self.num_layers = int(num_layers)
        self.norm = norm

    def _normed(self, out: Any) -> Any:
        return out if self.norm is None else self.norm(out)
