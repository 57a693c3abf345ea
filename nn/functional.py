"""Activations, losses and accuracy in one namespace, as torch.nn.functional. The losses are
nn.losses' (predictions against targets of the same shape, for Tensors and for lists of Values)
and nn.losses_classes' (class scores: cross_entropy, nll_loss); accuracy is nn.metrics'. Convolution,
pooling, pad and one_hot are autograd's, which take PyTorch's arguments; dropout is nn.Dropout's. The layers' own
functions (linear, embedding, layer_norm, batch_norm, group_norm, prelu, ...) are where they compute:
the layers call them."""

from __future__ import annotations

import functools
import inspect
from typing import Any

from autograd import (
    Tensor,
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    fold,
    max_pool1d,
    max_pool2d,
    max_pool3d,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
    one_hot,
    pad,
    type_name,
    unfold,
)

from . import losses_ctc, losses_likelihoods, losses_margins, losses_multilabel, losses_triplet
from .activations import FUNCTIONS
from .affine_grid import affine_grid
from .along_axis import glu, log_softmax, softmax, softmin
from .arguments import check_real
from .attention import scaled_dot_product_attention
from .bilinear import bilinear
from .cdist import cdist, pdist
from .distances import cosine_similarity, norm_order, pairwise_distance
from .dropout import dropout, dropout1d, dropout2d, dropout3d
from .dropout_alpha import alpha_dropout, feature_alpha_dropout
from .embedding import embedding
from .embedding_bag import embedding_bag
from .grid_sample import grid_sample
from .gumbel import gumbel_softmax
from .instance_norm import instance_norm
from .layers import linear
from .local_response_norm import local_response_norm
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge_loss,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)
from .losses_classes import cross_entropy, nll_loss
from .lp_pool import lp_pool1d, lp_pool2d, lp_pool3d
from .metrics import LOSS_THRESHOLDS as LOSS_THRESHOLDS  # not public, importable here as before the split
from .metrics import accuracy, accuracy_for
from .metrics import loss_function as loss_function
from .metrics import loss_reduction as loss_reduction
from .metrics import loss_threshold as loss_threshold
from .norm_functions import batch_norm, group_norm, layer_norm
from .pool_with_indices import (
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d_with_indices,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
)
from .prelu import prelu
from .reshaping import channel_shuffle, pixel_shuffle, pixel_unshuffle
from .rms_norm import rms_norm
from .rrelu import rrelu
from .unit_vectors import unit
from .upsample import interpolate
from .upsample_aliases import upsample, upsample_bilinear, upsample_nearest

__all__ = [
    "accuracy",
    "accuracy_for",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "dropout",
    "fold",
    "max_pool1d",
    "max_pool2d",
    "max_unpool1d",
    "max_unpool2d",
    "normalize",
    "one_hot",
    "pad",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "smooth_l1_loss",
    "softmax",
    "unfold",
]
__all__ += sorted(FUNCTIONS)
# margin_ranking_loss, ..., gaussian_nll_loss, poisson_nll_loss, ctc_loss: each module lists its own
_MORE_LOSSES = {
    n: getattr(m, n)
    for m in (losses_margins, losses_multilabel, losses_triplet, losses_likelihoods, losses_ctc)
    for n in m.__all__
}
globals().update(_MORE_LOSSES)
__all__ += sorted(_MORE_LOSSES)
# the layers' functions (the layers call them), as torch.nn.functional's
__all__ += ["batch_norm", "cosine_similarity", "dropout2d", "embedding", "glu", "group_norm", "interpolate"]
__all__ += ["instance_norm", "lp_pool1d", "lp_pool2d", "rms_norm", "scaled_dot_product_attention"]
__all__ += ["adaptive_avg_pool3d", "adaptive_max_pool3d", "avg_pool3d", "conv3d", "conv_transpose3d", "max_pool3d"]
__all__ += ["local_response_norm", "lp_pool3d", "max_unpool3d"]
__all__ += ["rrelu"]
__all__ += ["max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices"]
__all__ += ["adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices"]
__all__ += ["channel_shuffle", "pdist", "upsample", "upsample_bilinear", "upsample_nearest"]
__all__ += ["affine_grid", "grid_sample"]
__all__ += ["alpha_dropout", "bilinear", "cdist", "dropout1d", "dropout3d", "embedding_bag", "feature_alpha_dropout"]
__all__ += ["gumbel_softmax"]
__all__ += ["layer_norm", "linear", "pairwise_distance", "pixel_shuffle", "pixel_unshuffle", "prelu", "softmin"]


def __dir__() -> list[str]:
    """The public API (`__all__`): not the modules and names this one imports (LOSS_THRESHOLDS, loss_reduction)."""
    return sorted(__all__)


globals().update(FUNCTIONS)  # relu, gelu, leaky_relu, ...: the activation layers' functions, inplace= accepted


def normalize(x: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x divided by its p-norm along `dim` (p above 0, or inf), at least eps, as torch.nn.functional.normalize:
    unit vectors, and a vector of norm below eps divided by eps (its gradient through the norm is 0 there)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"normalize takes a Tensor, got {type_name(x)}: wrap an array in Tensor(...)")
    check_real("normalize", "eps", eps, 0)
    try:  # a p or dim refused: named as the caller's normalize, not norm() or movedim()
        p = norm_order(p, "normalize")
        # a dim that is no axis: norm's error (unit takes the norm first)
        return unit(x, dim, eps, x.shape[dim] if isinstance(dim, int) and -x.ndim <= dim < x.ndim else 1, p)
    except ValueError as e:
        raise type(e)(str(e) if str(e).startswith("normalize:") else f"normalize: {e}") from None


def _taking_input(function: Any) -> Any:
    """`function`, whose first argument is named `x`, taking it by PyTorch's name too, `input=` (F.dropout(
    input=h, p=0.2), F.conv2d(input=x, weight=w)), and shown so (inspect.signature): the one computation,
    under the name torch.nn.functional gives its first argument. Both given is a TypeError, as in Python."""

    @functools.wraps(function)
    def taking_input(*args: Any, **kwargs: Any) -> Any:
        if "input" in kwargs:
            if args or "x" in kwargs:
                raise TypeError(f"{function.__name__}() got multiple values for argument 'input'")
            args = (kwargs.pop("input"),)
        elif not args and "x" not in kwargs:  # Python's message would name `x`, which the signature does not show
            raise TypeError(f"{function.__name__}() missing 1 required positional argument: 'input'")
        return function(*args, **kwargs)

    signature = inspect.signature(function)
    first, *rest = signature.parameters.values()
    taking_input.__signature__ = signature.replace(parameters=[first.replace(name="input"), *rest])  # type: ignore[attr-defined]
    # pickle finds a function by module and name: there it must find this one (not autograd.conv's conv2d)
    taking_input.__module__, taking_input.__qualname__ = __name__, function.__name__
    return taking_input


# torch.nn.functional's first argument is `input`; those of chainrule's functions named `x` take it by that name too
for _name in __all__:
    _f = globals()[_name]
    if inspect.isfunction(_f) and next(iter(inspect.signature(_f).parameters), None) == "x":
        globals()[_name] = _taking_input(_f)
