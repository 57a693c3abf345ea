"""The checks of ctc_loss's arguments, all made before anything is computed: the log-probabilities' shape and
dtype, the lengths, the targets (padded (N, S) or concatenated), the blank, and the memory the recursion takes.
Each refusal names the argument, the problem and the fix. Torch 2.13 reads a label past the classes or equal to
the blank silently (3.53 for label 5 of 4 classes where a real label gives 4.22); here that is refused too."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, check_memory, raw, type_name

from .arguments import as_array, check_number, layer_input
from .sequences import LengthError

NAME = "ctc_loss"


def checked_log_probs(log_probs: Any) -> tuple[Tensor, bool]:
    """The log-probabilities as a floating Tensor (T, N, C), and whether they were batched ((T, C) is one
    sequence: torch's unbatched form)."""
    lp = layer_input(NAME, log_probs)
    if lp.ndim not in (2, 3):
        raise ShapeError(
            f"{NAME}: log_probs must be (T, N, C) (input length, batch, classes) or (T, C) for one sequence, "
            f"got shape {lp.shape}"
        )
    if lp.dtype.kind != "f":
        raise TypeError(f"{NAME}: log_probs must be floating point (log_softmax's output), got {lp.dtype}")
    if 0 in lp.shape:
        raise ShapeError(f"{NAME}: log_probs of shape {lp.shape} is empty: give at least one step, sequence and class")
    return (lp, True) if lp.ndim == 3 else (lp.unsqueeze(1), False)


def _integers(name: str, given: Any) -> np.ndarray:
    """An argument of whole numbers (a Tensor, an array, a list or a number) as an int64 array."""
    if isinstance(given, Tensor):
        given = raw(given)
    array = as_array(NAME, name, given)
    if array.dtype.kind not in "iu" or array.dtype == bool:
        raise TypeError(
            f"{NAME}: {name} must hold integers, got {type_name(given)} of {array.dtype}: convert it, "
            f"{name}.astype(np.int64) (Tensor([3]) of Python numbers is float32)"
        )
    return array.astype(np.int64)


def checked_lengths(name: str, given: Any, batch: int, batched: bool, most: int | None) -> np.ndarray:
    """input_lengths or target_lengths: one length >= 0 per sequence (a number for unbatched input), each at
    most `most` where given; a length refused is a LengthError (a ValueError, and torch's RuntimeError)."""
    lengths = _integers(name, given)
    if lengths.ndim != (1 if batched else 0) and not (not batched and lengths.shape == (1,)):
        wanted = f"one length per sequence, shape ({batch},)" if batched else "one number, as the input is (T, C)"
        raise ShapeError(f"{NAME}: {name} must hold {wanted}, got shape {lengths.shape}")
    lengths = lengths.reshape(-1)
    if lengths.shape[0] != batch:
        raise ShapeError(f"{NAME}: {name} must hold one length per sequence ({batch}), got {lengths.shape[0]}")
    if lengths.size and lengths.min() < 0:
        raise LengthError(f"{NAME}: {name} must be >= 0, got {int(lengths.min())}")
    if most is not None and lengths.size and lengths.max() > most:
        raise LengthError(
            f"{NAME}: {name} must be at most the input's length T={most}, got {int(lengths.max())}; "
            "give log_probs of that many steps, or the sequences' true lengths"
        )
    return lengths


def checked_targets(targets: Any, lengths: np.ndarray, batched: bool, classes: int, blank: int) -> list[np.ndarray]:
    """Each sequence's labels: from padded targets (N, S), each row's first target_lengths entries, or from
    targets concatenated (sum(target_lengths),); each label a class in [0, C) other than the blank."""
    tg = _integers("targets", targets)
    if not batched and tg.ndim == 1:
        tg = tg[None]
    if tg.ndim == 2 and tg.shape[0] == lengths.shape[0]:
        if lengths.size and lengths.max() > tg.shape[1]:
            raise ShapeError(
                f"{NAME}: targets of shape {tg.shape} hold {tg.shape[1]} labels a sequence, and a target_lengths "
                f"is {int(lengths.max())}: pad the targets to the longest, or give the true lengths"
            )
        rows = [tg[n, : lengths[n]] for n in range(tg.shape[0])]
    elif tg.ndim == 1:
        if tg.shape[0] != lengths.sum():
            raise ShapeError(
                f"{NAME}: targets concatenated (1-d) must hold sum(target_lengths)={int(lengths.sum())} labels, "
                f"got {tg.shape[0]}"
            )
        rows = np.split(tg, np.cumsum(lengths)[:-1])
    else:
        raise ShapeError(
            f"{NAME}: targets must be padded (N, S) with N={lengths.shape[0]} or concatenated (sum(target_lengths),), "
            f"got shape {tg.shape}"
        )
    labels = np.concatenate([np.zeros(0, np.int64), *rows])
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels[(labels < 0) | (labels >= classes)][0]
        raise IndexError(
            f"{NAME}: a target label is {int(bad)}, outside the {classes} classes [0, {classes}) of log_probs: "
            "give labels of those classes, or log_probs over as many classes as the labels name"
        )
    if (labels == blank).any():
        raise ValueError(
            f"{NAME}: a target label is the blank ({blank}), which marks no label: give blank= a class the targets "
            "never use, or drop it from the targets"
        )
    return rows


def checked_blank(blank: Any, classes: int) -> int:
    """The blank's class index, an int in [0, C)."""
    return check_number(NAME, "blank", blank, f"a class index in [0, {classes})", lambda b: 0 <= b < classes, True)


def recursion_entries(steps: int, batch: int, longest: int) -> int:
    """The entries the recursion holds at once, forward and backward: of its T * N * (2S + 1) states, each step's
    graph keeps some ten arrays of them and backward as many again (35 to 40 a state measured, at N * S from 200
    to 1600: tests/test_ctc_loss.py), so 48 a state."""
    return 48 * steps * batch * (2 * longest + 1)


def check_room(steps: int, batch: int, longest: int, dtype: np.dtype) -> None:
    """Refuse at once a recursion whose T * N * (2S + 1) states no memory holds (recursion_entries of them)."""
    entries = recursion_entries(steps, batch, longest)
    fix = "give shorter sequences or targets, or fewer at a time"
    check_memory(
        NAME, f"T={steps}, N={batch}, S={longest}: the forward variables of the recursion", entries, dtype, fix
    )
