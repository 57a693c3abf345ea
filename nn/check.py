"""`gradcheck_module`: check a model's gradients, layers of your own included, by finite differences."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, gradcheck_params, type_name

from .module import Module
from .train import Loss, forward
from .train_checks import check_callables, check_model
from .train_steps import modes_restored


def gradcheck_module(
    model: Module,
    loss: Loss,
    X: Any,
    y: Any,
    *,
    max_per_param: int | None = 20,
    block: int | None = None,
    **tolerances: float,
) -> bool:
    """Check d loss(model(X), y) / d parameter for every named parameter of `model` (but the frozen
    ones, which get no gradient) against central finite differences, in float64 and in eval mode
    (so dropout is off), restoring the model's dtype and each module's mode afterwards. Returns
    True, or raises autograd.GradcheckError with a table naming each parameter element that
    disagrees (`layers.0.W[3, 1]`, or the block `layers.0.W[1, :]·d` of elements not drawn one at a
    time). `max_per_param`, `block` and the tolerances (eps, atol, rtol) are as in autograd.gradcheck_params:
    one element's gradient off by more than m * (atol + rtol * |it|) fails, m its block's size."""
    check_model("gradcheck_module", model)
    check_callables("gradcheck_module", {"loss": loss})
    X = np.asarray(X, dtype=np.float64)
    trained = {name: p for name, p in model.named_parameters() if not (isinstance(p, Tensor) and p.frozen)}
    if not trained:
        raise ValueError(f"gradcheck_module: every parameter of this {type_name(model)} is frozen, nothing to check")
    with modes_restored(model):
        model.eval()
        return gradcheck_params(
            lambda: loss(forward(model, X), y), trained, max_per_param=max_per_param, block=block, **tolerances
        )
