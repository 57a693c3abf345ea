"""Losses as modules, as PyTorch's `criterion = nn.CrossEntropyLoss(); loss = criterion(out, y)`.

Each class is made from its function in nn.functional (`LOSSES`): it takes that function's
keyword options (`reduction=`, `weight=`, ...) when built, and by position those PyTorch's class takes
so (`nn.TripletMarginLoss(0.5)`, `nn.MSELoss(None, None, "sum")`: the function's `module_positions`, noted
where it is defined, nn.loss_positions), checks their names then, and calls the
function with them, which checks their values (as PyTorch's do, at the call). A class weight is
kept as given, not copied, so a change to it shows in the next call, as in PyTorch (where it is a
buffer of the module) and in the function."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor

from .arguments import is_int
from .function_modules import FunctionModule, function_module, options_of
from .loss_positions import bind_options
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
from .losses_ctc import ctc_loss
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
from .losses_multilabel import multilabel_margin_loss
from .losses_triplet import triplet_margin_with_distance_loss

# the options a loss's constructor takes as arrays: what PyTorch's losses register as buffers, in its order
ARRAY_OPTIONS = ("weight", "pos_weight")


class Loss(FunctionModule):
    """A loss function with its options bound: `forward(input, target)` is `function(input, target,
    **options)`, its inputs given by position or by the names of PyTorch's forward (`criterion(input=x,
    target=y)`). Subclasses name the function; the options their constructor also takes by position, in
    PyTorch's order, and those it lacks are the function's (`module_positions`, `module_lacks`: torch 2.13's
    weight= of mse_loss, l1_loss and huber_loss is one number per element of the batch, given to the function
    with each call); the rest are keywords."""

    inputs: inspect.Signature = inspect.Signature()  # forward's inputs, PyTorch's names (set by each subclass)

    @property
    def positions(self) -> tuple[str, ...]:
        """The options taken by position, PyTorch's class's (its deprecated size_average and reduce as None)."""
        return self.function.module_positions

    def __init__(self, *args: Any, **options: Any) -> None:
        name, only = type(self).__name__, self.function.module_lacks
        takes = [k for k in options_of(self.function) if k not in only]
        # the tensors themselves, given where PyTorch's learners first write nn.MSELoss(pred, target): an array first
        # or second, past the positions or at one that takes none (size_average's refusal named the wrong fix)
        firsts = zip((*self.positions, None, None), args[:2])
        misplaced = [a for k, a in firsts if k not in ARRAY_OPTIONS]
        if any(isinstance(a, Tensor | np.ndarray) for a in misplaced):
            raise TypeError(
                f"{name}() got a tensor among its options; make the loss, then call it: nn.{name}()(input, target)"
            )
        if len(args) > len(self.positions):
            how = f"{', '.join(self.positions)} by position, the rest" if self.positions else "its options"
            raise TypeError(
                f"{name}() takes {how} by keyword ({', '.join(f'{k}=' for k in takes)}), got {len(args)} positional"
            )
        options = bind_options(f"{name}()", self.positions, args, options)
        for key in options:
            if key in only:
                raise TypeError(
                    f"{name}() takes no {key}, as PyTorch's: {key}= of nn.functional.{self.function.__name__} is one "
                    f"number per element of a batch; give it with each call: F.{self.function.__name__}(input, "
                    f"target, {key}=...)"
                )
            if key not in takes:
                raise TypeError(f"{name}() got an unexpected keyword {key!r}: it takes {', '.join(takes)}")
        # an int as a Python int (ignore_index=np.int64(2): 2); weights and the rest as given, not copied
        self.keep_options({key: int(value) if is_int(value) else value for key, value in options.items()})

    def forward(self, *inputs: Any, **named: Any) -> Any:
        """The function of the inputs, given by position or by PyTorch's names; an option here is a
        TypeError (as in PyTorch: options are the module's, set when it is made or as attributes)."""
        try:
            bound = self.inputs.bind(*inputs, **named)
        except TypeError as error:
            name, params = type(self).__name__, list(self.inputs.parameters)
            unknown = sorted(set(named) - set(params))
            twice = [n for n in params[: len(inputs)] if n in named]  # PoissonNLLLoss's log_input, an option too
            reason = f"got an unexpected keyword argument {unknown[0]!r}" if unknown else str(error)
            given = (unknown or twice or [None])[0]  # the name the reason gives
            only = self.function.module_lacks
            option = given if given in options_of(self.function) and given not in only else None
            hint = f"; options are the loss's: nn.{name}({option}=...), or criterion.{option} = ..." if option else ""
            raise TypeError(
                f"{name}.forward takes ({', '.join(self.inputs.parameters)}), by position or by name: {reason}{hint}"
            ) from None
        return super().forward(*bound.args)


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
    "TripletMarginWithDistanceLoss": triplet_margin_with_distance_loss,
    "MultiLabelSoftMarginLoss": multilabel_soft_margin_loss,
    "MultiMarginLoss": multi_margin_loss,
    "MultiLabelMarginLoss": multilabel_margin_loss,
    "GaussianNLLLoss": gaussian_nll_loss,
    "PoissonNLLLoss": poisson_nll_loss,
    "CTCLoss": ctc_loss,
}


# PyTorch's forward names its inputs as the function does, but for these
_FORWARD_NAMES = {"PoissonNLLLoss": ("log_input", "target")}  # its input as its option log_input, in torch 2.13


def _loss_class(name: str, function: Callable[..., Any]) -> type[Loss]:
    doc = (
        f"nn.functional.{function.__name__} as a module, as torch.nn.{name}: options {', '.join(options_of(function))}."
    )
    cls = function_module(name, function, Loss, doc)
    params = inspect.signature(function).parameters.values()
    names = _FORWARD_NAMES.get(name) or [p.name for p in params if p.default is inspect.Parameter.empty]
    cls.inputs = inspect.Signature([inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    return cls


CLASSES: dict[str, type[Loss]] = {name: _loss_class(name, function) for name, function in LOSSES.items()}
globals().update(CLASSES)  # CrossEntropyLoss, MSELoss, ...: one per entry of LOSSES
