"""fit's warning, before training, of a model whose outputs are not what its loss takes, which would train
without an error to a worse model: probabilities (a Softmax at the end) given to cross_entropy, which takes
logits (it applies log_softmax itself: MNIST's test accuracy 0.879 where the logits reach 0.896, and a loss
that cannot go below -log(e / (e + C - 1))), or to nll_loss or
kl_div, which take log-probabilities (their loss then goes below 0); a Sigmoid's output given to a loss
`with_logits`."""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np

from autograd import Tensor

from .activations import Sigmoid
from .function_modules import FunctionModule
from .layers import Sequential
from .losses import binary_cross_entropy_with_logits, kl_div
from .losses_classes import cross_entropy, nll_loss
from .losses_margins import multi_margin_loss, multilabel_soft_margin_loss
from .losses_multilabel import multilabel_margin_loss

_SLACK = 1e-3  # how far a log-probability may lie above 0 by rounding


def warn_outputs(model: Any, loss: Any, out: Any) -> None:
    """Warn (UserWarning, once a fit: run on its training examples' outputs `out`) where `loss` takes logits or
    log-probabilities and the model's outputs, by their values or its last layer, are not those."""
    function = _function(loss)
    if function is binary_cross_entropy_with_logits and isinstance(_last_layer(model), Sigmoid):
        said = (
            "the model ends in a Sigmoid, and binary_cross_entropy_with_logits takes logits (it applies the "
            "sigmoid itself): drop the Sigmoid, or use binary_cross_entropy on its outputs"
        )
    elif (
        function not in (cross_entropy, nll_loss, kl_div)
        or not isinstance(out, Tensor)
        or out.ndim < 2
        or out.shape[1] < 2
    ):
        return  # a class axis (1) of 2 or more classes: a Softmax over 1 gives 1s, no sign of anything
    elif function is kl_div and out.ndim != 2:
        return  # kl_div's distributions may lie along any axis: read only (N, classes)
    elif function is cross_entropy:
        if not _probabilities(out.data):
            return
        said = (
            "the model's outputs are probabilities (each row sums to 1: a Softmax at its end), and cross_entropy "
            "takes logits (it applies log_softmax itself), so it would train to a worse model: drop the Softmax "
            "(its outputs are then logits; softmax them to read probabilities), or end in LogSoftmax with nll_loss"
        )
    elif _probabilities(out.data):  # nll_loss, kl_div
        said = (
            "the model's outputs are probabilities (each row sums to 1: a Softmax at its end), and "
            f"{function.__name__} takes log-probabilities (its loss would go below 0): end the model in LogSoftmax "
            "instead" + (", or drop the Softmax and use cross_entropy" if function is nll_loss else "")
        )
    elif not _log(out.data):
        said = (
            "the model's outputs are not log-probabilities (their exp does not sum to 1 over the classes), which "
            f"{function.__name__} takes (on others its loss has no floor): end the model in LogSoftmax"
            + (", or use cross_entropy on its logits" if function is nll_loss else "")
        )
    else:
        return
    warnings.warn(f"fit: {said}", UserWarning, stacklevel=5)  # here, check_examples, fit, its wrapper, the caller


def takes_class_labels(loss: Any) -> bool:
    """Whether `loss` is one of nn's losses of class labels (a loss module's or a partial's too): only to those
    is a column of whole numbers, (N, 1), class labels to ravel (to mse_loss, a count per example)."""
    return _function(loss) in (cross_entropy, nll_loss, multi_margin_loss)


def takes_label_sets(loss: Any) -> bool:
    """Whether `loss` is one of nn's losses of several labels per example (multilabel_margin_loss's rows of class
    indices ended by -1, multilabel_soft_margin_loss's rows of 0/1), which accuracy does not score."""
    return _function(loss) in (multilabel_margin_loss, multilabel_soft_margin_loss)


def _function(loss: Any) -> Any:
    """The loss function behind `loss`: itself, a loss module's (nn.CrossEntropyLoss()), or a partial's."""
    while isinstance(loss, functools.partial):
        loss = loss.func
    return type(loss).function if isinstance(loss, FunctionModule) else loss


def _last_layer(model: Any) -> Any:
    """The layer a Sequential applies last (inside nested ones); None for another model, whose order is its code's."""
    while isinstance(model, Sequential) and len(model.layers):
        model = model.layers[-1]
    return model


def _probabilities(out: np.ndarray) -> bool:
    """Whether each row of class scores (axis 1) is a distribution: in [0, 1], summing to 1."""
    return bool(np.all((out >= 0) & (out <= 1))) and _sums_to_one(out)


def _log(out: np.ndarray) -> bool:
    """Whether each row of class scores (axis 1) is log-probabilities: at most 0, their exp summing to 1."""
    return bool(np.all(out <= _SLACK)) and _sums_to_one(np.exp(np.minimum(out, 0.0)))


def _sums_to_one(p: np.ndarray) -> bool:
    """Whether each row sums to 1 up to rounding: each entry's rounding is relative to it, so that the sum's is
    a few of the dtype's eps whatever the classes (a slack growing with them took a zero head's rows, sum 0,
    for probabilities from 1,000 classes)."""
    slack = max(_SLACK, 8 * float(np.finfo(p.dtype).eps)) if p.dtype.kind == "f" else _SLACK
    return bool(np.all(np.abs(p.sum(axis=1, dtype=np.float64) - 1.0) <= slack))
