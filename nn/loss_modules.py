"""Losses as modules, as PyTorch's `criterion = nn.CrossEntropyLoss(); loss = criterion(out, y)`.

Each class is made from its function in nn.functional (`LOSSES`): it takes that function's
keyword options (`reduction=`, `weight=`, ...) when built, checks their names then, and calls the
function with them, which checks their values (as PyTorch's do, at the call). A class weight is
kept as given, not copied, so a change to it shows in the next call, as in PyTorch (where it is a
buffer of the module) and in the function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .arguments import is_int
from .function_modules import FunctionModule, function_module, options_of
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)
from .losses_classes import cross_entropy, nll_loss
from .losses_likelihoods import gaussian_nll_loss, poisson_nll_loss
from .losses_margins import (
    cosine_embedding_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
    triplet_margin_loss,
)

# PyTorch's deprecated spellings of reduction=, which chainrule does not take
_DEPRECATED = ("size_average", "reduce")


class Loss(FunctionModule):
    """A loss function with its options bound: `forward(input, target)` is `function(input, target,
    **options)`. Subclasses name the function; their constructors take its keyword options, and
    `weight` also as the one positional argument where the function has it (PyTorch's order)."""

    def __init__(self, *args: Any, **options: Any) -> None:
        name = type(self).__name__
        takes = options_of(self.function)
        if args:
            by_position = next(iter(takes)) == "weight"  # PyTorch's first: not MultiMarginLoss's (p, margin, weight)
            if len(args) > 1 or not by_position:
                how = "only weight by position, the rest by keyword" if by_position else "keywords only"
                given = f"got {len(args)} positional"
                raise TypeError(f"{name}() takes {how} ({', '.join(f'{k}=' for k in takes)}), {given}")
            if "weight" in options:
                raise TypeError(f"{name}() got weight both by position and as weight=")
            options = {"weight": args[0], **options}
        for key in options:
            if key not in takes:
                hint = "; write reduction= instead (PyTorch's deprecated spelling)" if key in _DEPRECATED else ""
                raise TypeError(f"{name}() got an unexpected keyword {key!r}: it takes {', '.join(takes)}{hint}")
        # an int as a Python int (ignore_index=np.int64(2): 2); weights and the rest as given, not copied
        self.keep_options({key: int(value) if is_int(value) else value for key, value in options.items()})


# PyTorch's class name -> the function in nn.functional it binds
LOSSES: dict[str, Callable[..., Any]] = {
    "CrossEntropyLoss": cross_entropy,
    "NLLLoss": nll_loss,
    "BCELoss": binary_cross_entropy,
    "BCEWithLogitsLoss": binary_cross_entropy_with_logits,
    "MSELoss": mse_loss,
    "L1Loss": l1_loss,
    "HuberLoss": huber_loss,
    "SmoothL1Loss": smooth_l1_loss,
    "KLDivLoss": kl_div,
    "MarginRankingLoss": margin_ranking_loss,
    "HingeEmbeddingLoss": hinge_embedding_loss,
    "SoftMarginLoss": soft_margin_loss,
    "CosineEmbeddingLoss": cosine_embedding_loss,
    "TripletMarginLoss": triplet_margin_loss,
    "MultiLabelSoftMarginLoss": multilabel_soft_margin_loss,
    "MultiMarginLoss": multi_margin_loss,
    "GaussianNLLLoss": gaussian_nll_loss,
    "PoissonNLLLoss": poisson_nll_loss,
}


def _loss_class(name: str, function: Callable[..., Any]) -> type[Loss]:
    doc = (
        f"nn.functional.{function.__name__} as a module, as torch.nn.{name}: options {', '.join(options_of(function))}."
    )
    return function_module(name, function, Loss, doc)


CLASSES: dict[str, type[Loss]] = {name: _loss_class(name, f) for name, f in LOSSES.items()}
globals().update(CLASSES)  # CrossEntropyLoss, MSELoss, ...: one per entry of LOSSES
