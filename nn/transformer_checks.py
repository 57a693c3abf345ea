"""The Transformer layers' arguments and inputs, checked with their own names before anything is computed:
the activation (a name or a callable), the feed-forward Linear layers made in torch's layout and
initialisation (so that a torch state dict loads by its names), the source (its width d_model) and its
masks (their shapes and dtypes), each error naming the argument, what was wanted and what was given."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, type_name

from .activations import FUNCTIONS
from .arguments import check_choice, layer_input, shown
from .attention import check_mask_dtype
from .multihead_attention import Projection

# torch's activations by name (F.relu, F.gelu with approximate="none")
ACTIVATIONS: dict[str, Callable[..., Any]] = {"relu": FUNCTIONS["relu"], "gelu": FUNCTIONS["gelu"]}


def activation_of(owner: str, activation: Any) -> Callable[..., Any]:
    """The function (or Module) `activation` names: "relu" or "gelu" as torch's, or any callable as it is."""
    if isinstance(activation, str):
        return ACTIVATIONS[check_choice(owner, "activation", activation, ACTIVATIONS, also="a callable")]
    if not callable(activation):
        raise TypeError(
            f"{owner}: activation must be 'relu', 'gelu' or a callable (nn.functional.gelu, nn.GELU(), a function), "
            f"got {type_name(activation)} {shown(activation)}"
        )
    return activation


def check_heads(owner: str, d_model: int, nhead: int) -> None:
    """nhead must divide d_model: each head takes d_model // nhead features."""
    if d_model % nhead:
        divisors = [n for n in range(1, d_model + 1) if d_model % n == 0]
        raise ValueError(
            f"{owner}: nhead ({nhead}) must divide d_model ({d_model}), each head taking d_model // nhead features: "
            f"pick nhead among {divisors[:12]}{'...' if len(divisors) > 12 else ''}, or another d_model"
        )


def torch_linear(nin: int, nout: int, bias: bool, dtype: np.dtype, rng: np.random.Generator) -> Projection:
    """torch.nn.Linear(nin, nout)'s layout and initialisation (weight (nout, nin) and bias uniform in
    +-1/sqrt(nin)), so that its state dict names are torch's: `linear1.weight`, `linear1.bias`."""
    bound = 1 / math.sqrt(nin)
    weight = Tensor(rng.uniform(-bound, bound, (nout, nin)).astype(dtype), requires_grad=True, dtype=dtype)
    made = Tensor(rng.uniform(-bound, bound, nout).astype(dtype), requires_grad=True, dtype=dtype) if bias else None
    return Projection(weight, made)


def checked_source(owner: str, src: Any, d_model: int, name: str = "src") -> Tensor:
    """The source as a floating-point Tensor of shape (S, N, d_model), (N, S, d_model) or (S, d_model)."""
    x = layer_input(f"{owner}: {name}", src)
    if x.ndim not in (2, 3) or x.shape[-1] != d_model:
        raise ShapeError(
            f"{owner}: {name} must be of shape (S, N, d_model) ((N, S, d_model) with batch_first=True), or "
            f"(S, d_model) unbatched, d_model={d_model}, got {x.shape}"
        )
    if x.dtype.kind != "f":
        raise TypeError(f"{owner}: {name} must be floating point, got {x.dtype}: convert it (x.astype(np.float32))")
    if 0 in x.shape[:-1]:
        raise ShapeError(f"{owner}: {name} needs at least one position and a batch of at least one, got {x.shape}")
    return x


def check_masks(
    owner: str,
    x: Tensor,
    batch_first: bool,
    nhead: int,
    masks: dict[str, Any],
    length: int | None = None,
) -> None:
    """Each mask given in `masks` (an attention mask named `*mask` of (L, S) or (N * nhead, L, S); a padding
    mask named `*padding_mask` of (N, S), or (S,) unbatched) of its shape for `x`, boolean (True: masked out) or
    float (added) of x's dtype. `length`: L, the queries' length, where it is not x's (a decoder's memory)."""
    batched = x.ndim == 3
    source = x.shape[1 if batched and batch_first else 0]
    length = source if length is None else length
    batch = (x.shape[0 if batch_first else 1],) if batched else ()
    for name, mask in masks.items():
        if mask is None:
            continue
        given = layer_input(f"{owner}: {name}", mask)
        if name.endswith("padding_mask"):
            wanted, said = [(*batch, source)], "(N, S)" if batched else "(S,) unbatched"
        else:
            heads = nhead * (batch[0] if batch else 1)
            wanted, said = [(length, source), (heads, length, source)], "(L, S) or (N * nhead, L, S)"
        if given.shape not in wanted:
            raise ShapeError(
                f"{owner}: {name} must be of shape {said}, here {' or '.join(map(str, wanted))}, got {given.shape}"
            )
        check_mask_dtype(owner, name, given, x.dtype, "True: masked out")


def check_causal(owner: str, is_causal: bool, mask: Any, name: str, query: str) -> None:
    """is_causal is torch's hint that `mask` is the causal mask: it needs the mask, which is used as given. `query`:
    the argument the mask's queries are (src, tgt), whose dtype a float mask must have."""
    if is_causal and mask is None:
        raise ValueError(
            f"{owner}: is_causal=True is a hint that {name} is the causal mask, and needs it: give {name}="
            f"nn.Transformer.generate_square_subsequent_mask(S, dtype={query}.dtype) (float, -inf above the "
            "diagonal) or np.triu(np.ones((S, S), bool), 1) (True: masked out), as PyTorch asks"
        )
