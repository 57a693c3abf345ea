"""Steps of `autograd.testing.tensor_expressions` through the core tensor ops (matmul, sum, mean, max,
min, the softmax family, indexing, where, concatenate, stack, astype, cross_entropy, nll_loss,
multi_margin_loss, conv2d, conv_transpose2d, max_pool2d, avg_pool2d, their 3-d forms, unfold and fold): name ->
(template, apply, accepts), as `testing_expression.Kind` takes them; each keeps a 2-d operand's shape
(rows, columns), and accepts only operands where finite differences are valid."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import conv, folding
from . import tensor_ops as tops
from .op_def import ANYWHERE

_ANY = (ANYWHERE,)


def _away_from(points: Sequence[float], margin: float) -> Callable[[Any], bool]:
    return lambda x: all(bool(np.all(np.abs(np.asarray(x) - p) >= margin)) for p in points)


def _distinct_along_last_axis(x: Any) -> bool:
    """max and min have a kink where two entries tie: keep every pair of entries apart."""
    s = np.sort(np.asarray(x), axis=-1)
    return s.shape[-1] < 2 or bool(np.all(np.diff(s, axis=-1) >= 0.05))


def _distinct(x: Any) -> bool:
    return _distinct_along_last_axis(np.ravel(x))


def _first_column_repeated(b: Any) -> Any:
    return tops.getitem(b, index=(Ellipsis, np.zeros(np.shape(b)[-1], dtype=int)))


def _checkerboard(x: Any) -> np.ndarray:
    return np.indices(np.shape(x)).sum(axis=0) % 2 == 0


def _concatenated_then_sliced(a: Any, b: Any) -> Any:
    n = np.shape(a)[-1]
    return tops.getitem(tops.concatenate(a, b, axis=-1), index=(Ellipsis, slice(1, 1 + n)))


def _cross_entropy_0(logits: Any) -> Any:
    return tops.cross_entropy(logits, labels=np.zeros(np.shape(logits)[0], dtype=int))


def _nll_loss_0(log_probs: Any) -> Any:
    return tops.nll_loss(log_probs, labels=np.zeros(np.shape(log_probs)[0], dtype=int))


def _multi_margin_0(scores: Any) -> Any:
    """multi_margin_loss of each row against label 0, p = 2 (its second derivative is not 0), one per row."""
    return tops.multi_margin_loss(scores, labels=np.zeros(np.shape(scores)[0], dtype=int), p=2, margin=0.5)


def _off_margins(x: Any) -> bool:
    """multi_margin_loss against label 0 has a kink where a term meets its margin, x_i = x_0 - 0.5: keep away."""
    rows = np.asarray(x).reshape(-1, np.shape(x)[-1])
    return bool(np.all(np.abs(0.5 - rows[:, :1] + rows) >= 0.05))


def _as_image(a: Any) -> Any:
    """A 2-d operand as one image of one channel, (1, 1, rows, columns)."""
    return a.reshape(1, 1, *np.shape(a))


def _convolved(a: Any, b: Any) -> Any:
    """a convolved with b as the kernel, padded "same": a's shape is kept, and both get gradients."""
    return conv.conv2d(_as_image(a), _as_image(b), padding="same").reshape(np.shape(a))


def _transposed_convolved(a: Any, b: Any) -> Any:
    """a's transposed convolution with b as the kernel, cut back to a's shape (it grows by b's, less 1)."""
    rows, columns = np.shape(a)
    grown = conv.conv_transpose2d(_as_image(a), _as_image(b))
    return tops.getitem(grown, index=(0, 0, slice(0, rows), slice(0, columns)))


def _as_volume(a: Any) -> Any:
    """A 2-d operand as one volume of one channel, (1, 1, rows, columns, 1): a 3-d op's operand that reaches
    along two of its axes."""
    return a.reshape(1, 1, *np.shape(a), 1)


def _convolved_3d(a: Any, b: Any) -> Any:
    """conv3d of a with b as the kernel, padded "same": a's shape is kept, and both get gradients."""
    return conv.conv3d(_as_volume(a), _as_volume(b), padding="same").reshape(np.shape(a))


def _transposed_convolved_3d(a: Any, b: Any) -> Any:
    """a's 3-d transposed convolution with b as the kernel, cut back to a's shape."""
    rows, columns = np.shape(a)
    grown = conv.conv_transpose3d(_as_volume(a), _as_volume(b))
    return tops.getitem(grown, index=(0, 0, slice(0, rows), slice(0, columns), 0))


def _max_pooled(a: Any) -> Any:
    """The maximum over each 3x3 neighbourhood (stride 1, padded): a's shape is kept."""
    return conv.max_pool2d(_as_image(a), 3, stride=1, padding=1).reshape(np.shape(a))


def _avg_pooled_3d(a: Any) -> Any:
    """The mean over each window of 2 x 3 x 1 (stride 1, padded by 1 along the rows and columns, the padding
    counted), cut back to a's shape: the padding adds a row of windows, the last, which is cut."""
    pooled = conv.avg_pool3d(_as_volume(a), (2, 3, 1), 1, (1, 1, 0))
    return tops.getitem(pooled, index=(0, 0, slice(0, np.shape(a)[0]), slice(None), 0))


def _folded_back(a: Any) -> Any:
    """a's overlapping 1 x 2 windows unfolded and folded back: each entry times the count of windows holding
    it (1, 2, ..., 2, 1 along a row), a's shape kept."""
    rows, columns = np.shape(a)
    windows = folding.unfold(_as_image(a), (1, 2))
    return folding.fold(windows, (rows, columns), (1, 2)).reshape(np.shape(a))


KINDS: dict[str, tuple[str, Callable[..., Any], tuple[Callable[[Any], bool], ...]]] = {
    "softmax": ("softmax({0}, axis=-1)", lambda a, c: tops.softmax(a, axis=-1), _ANY),
    "log_softmax": ("log_softmax({0}, axis=0)", lambda a, c: tops.log_softmax(a, axis=0), _ANY),
    "-logsumexp": (
        "{0} - logsumexp({0}, axis=-1, keepdims=True)",
        lambda a, c: a - tops.logsumexp(a, axis=-1, keepdims=True),
        _ANY,
    ),
    "+sum": (
        "{0} + sum({1}, axis=-1, keepdims=True)",
        lambda a, b, c: a + tops.sum(b, axis=-1, keepdims=True),
        _ANY * 2,
    ),
    "*mean": ("{0} * mean({1}, axis=0)", lambda a, b, c: a * tops.mean(b, axis=0, keepdims=False), _ANY * 2),
    "*max": (
        "{0} * max({1}, axis=-1, keepdims=True)",
        lambda a, b, c: a * tops.max(b, axis=-1, keepdims=True),
        (ANYWHERE, _distinct_along_last_axis),
    ),
    "-min": ("{0} - min({1})", lambda a, b, c: a - tops.min(b, axis=None, keepdims=False), (ANYWHERE, _distinct)),
    "reversed": ("{0}[..., ::-1]", lambda a, c: tops.getitem(a, index=(Ellipsis, slice(None, None, -1))), _ANY),
    "+repeated": ("{0} + {1}[..., [0, 0, ...]]", lambda a, b, c: a + _first_column_repeated(b), _ANY * 2),
    "clip": ("clip({0}, -1, 1)", lambda a, c: tops.clip(a, lo=-1.0, hi=1.0), (_away_from([-1.0, 1.0], 0.05),)),
    "where": ("where(checkerboard, {0}, {1})", lambda a, b, c: tops.where(a, b, cond=_checkerboard(a)), _ANY * 2),
    "@": ("({0} @ {1}.T) @ {2}", lambda a, b, d, c: (a @ tops.transpose(b, axes=None)) @ d, _ANY * 3),
    "concatenate": (
        "concatenate([{0}, {1}], -1)[..., 1:n+1]",
        lambda a, b, c: _concatenated_then_sliced(a, b),
        _ANY * 2,
    ),
    "stack": (
        "sum(stack([{0}, {1}]), axis=0)",
        lambda a, b, c: tops.sum(tops.stack(a, b, axis=0), axis=0, keepdims=False),
        _ANY * 2,
    ),
    "astype": ("astype({0}, float64)", lambda a, c: tops.astype(a, dtype=np.dtype(np.float64)), _ANY),
    "+cross_entropy": ("{0} + cross_entropy({1}, labels 0)", lambda a, b, c: a + _cross_entropy_0(b), _ANY * 2),
    "*nll_loss": ("{0} * nll_loss({1}, labels 0)", lambda a, b, c: a * _nll_loss_0(b), _ANY * 2),
    "*multi_margin_loss": (
        "{0} * multi_margin_loss({1}, labels 0, p=2, margin=0.5)[:, None]",
        lambda a, b, c: a * tops.reshape(_multi_margin_0(b), shape=(-1, 1)),
        (ANYWHERE, _off_margins),
    ),
    "conv2d": ("conv2d({0}, kernel {1}, padding='same')", lambda a, b, c: _convolved(a, b), _ANY * 2),
    "conv_transpose2d": (
        "conv_transpose2d({0}, kernel {1})[:rows, :columns]",
        lambda a, b, c: _transposed_convolved(a, b),
        _ANY * 2,
    ),
    "max_pool2d": ("max_pool2d({0}, 3, stride=1, padding=1)", lambda a, c: _max_pooled(a), (_distinct,)),
    "conv3d": ("conv3d({0}, kernel {1}, padding='same')", lambda a, b, c: _convolved_3d(a, b), _ANY * 2),
    "conv_transpose3d": (
        "conv_transpose3d({0}, kernel {1})[:rows, :columns]",
        lambda a, b, c: _transposed_convolved_3d(a, b),
        _ANY * 2,
    ),
    "max_pool3d": (
        "max_pool3d({0}, (3, 3, 1), stride=1, padding=(1, 1, 0))",
        lambda a, c: conv.max_pool3d(_as_volume(a), (3, 3, 1), stride=1, padding=(1, 1, 0)).reshape(np.shape(a)),
        (_distinct,),
    ),
    "avg_pool2d": (
        "avg_pool2d({0}, 3, stride=1, padding=1, count_include_pad=False)",
        lambda a, c: conv.avg_pool2d(_as_image(a), 3, 1, 1, count_include_pad=False).reshape(np.shape(a)),
        _ANY,
    ),
    "avg_pool3d": (
        "avg_pool3d({0}, (2, 3, 1), stride=1, padding=(1, 1, 0))[:rows]",
        lambda a, c: _avg_pooled_3d(a),
        _ANY,
    ),
    "fold": ("fold(unfold({0}, (1, 2)), shape, (1, 2))", lambda a, c: _folded_back(a), _ANY),
    "reshape": (
        "reshape(transpose({0}), shape)",
        lambda a, c: tops.reshape(tops.transpose(a, axes=None), shape=np.shape(a)),
        _ANY,
    ),
}
