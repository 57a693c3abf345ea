"""Connectionist temporal classification (CTC) loss, as torch.nn.functional.ctc_loss 2.13 defines it: the
negative log of the probability, summed over every alignment of the target to the input's steps (blanks
between labels and repeats of a label collapsed), of that alignment, from per-step log-probabilities.

The forward recursion runs in log space over the target extended with blanks (2S + 1 states), one step of
autograd's ops per input step (a logsumexp of the three states a state is reached from, plus the step's
log-probability of the state's label), so that the gradient is autograd's, exact to rounding, and second
derivatives come with it. Which states an alignment reaches is worked out first from the structure alone (the
lengths, the repeats, the log-probabilities of -inf), so no score stands for "unreachable": an alignment however
unlikely is scored as it is, a logsumexp reads an unreachable predecessor as -inf (an exact 0, and a gradient of
0), and never a logsumexp of states all -inf (whose gradient is 0/0).

Where a target cannot be aligned (fewer steps than its labels and its repeats ask for), the loss is inf and its
gradient NaN, as torch's; zero_infinity=True makes it 0 with a gradient of 0."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, cat, logsumexp, stack, where

from .arguments import check_flag
from .loss_positions import torch_positions
from .losses_ctc_args import (
    NAME,
    check_room,
    checked_blank,
    checked_lengths,
    checked_log_probs,
    checked_targets,
)
from .losses_half import narrowed, widened_inputs
from .losses_pairs import check_reduction

__all__ = ["ctc_loss"]


@torch_positions("blank", "reduction", "zero_infinity")
def ctc_loss(
    log_probs: Tensor,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    *,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The CTC loss of log_probs (T, N, C) (log_softmax's output over C classes, blank among them; or (T, C)
    for one sequence) against targets padded (N, S) or concatenated (sum(target_lengths),), each sequence n
    read for its first input_lengths[n] steps. "mean" divides each sequence's loss by its target length (1 for
    an empty target) and averages them, torch's; "sum" adds them; "none" gives one per sequence."""
    lp, batched = checked_log_probs(log_probs)
    (lp,), dtype = widened_inputs([lp])  # float16: in float32, the loss rounded once (nn.losses_half)
    steps, batch, classes = lp.shape
    blank = checked_blank(blank, classes)
    check_reduction(reduction, NAME)
    zero_infinity = check_flag(NAME, "zero_infinity", zero_infinity)
    inputs = checked_lengths("input_lengths", input_lengths, batch, batched, steps)
    lengths = checked_lengths("target_lengths", target_lengths, batch, batched, None)
    rows = checked_targets(targets, lengths, batched, classes, blank)
    longest = int(lengths.max()) if batch else 0
    check_room(steps, batch, longest, lp.dtype)
    # the steps past each sequence's input length are read as 0, never as given (NaN padding stays out)
    read = where((np.arange(steps)[:, None] < inputs[None, :])[:, :, None], lp, 0.0)
    nll, infeasible = _negative_log_likelihood(read, rows, inputs, lengths, blank)
    if zero_infinity:
        losses = where(infeasible, 0.0, nll)
    else:
        losses = where(infeasible, math.inf, nll + _no_slope(read, infeasible))
    if not batched:
        losses = losses.squeeze(0)
    if reduction == "sum":
        losses = losses.sum()
    elif reduction == "mean":
        losses = (losses / np.maximum(lengths, 1).astype(lp.dtype).reshape(losses.shape)).mean()
    return narrowed(losses, dtype)


def _no_slope(read: Tensor, infeasible: np.ndarray) -> Tensor:
    """(N,) terms added to the loss: 0 for the sequences that can be aligned, with a gradient of 0; for an
    infeasible one, NaN (the loss `where` picks there is inf) with a gradient NaN at each step read, as torch's
    (an inf loss has no slope), or 0 and 0 where a log-probability is -inf (docs/edge-points.md). `where` passes
    0 down to it there, and 0 * NaN is NaN with no numpy warning (an arithmetic that makes a NaN, 0 / 0, warns)."""
    big = float(np.finfo(read.dtype).max)
    closed = (read.data == -np.inf).any((0, 2))
    slope = np.where(infeasible & ~closed, np.nan, 0.0).astype(read.dtype)[None, :, None]
    return (read.clamp(-big, big) * slope).sum((0, 2))


def _negative_log_likelihood(
    lp: Tensor, rows: list[np.ndarray], inputs: np.ndarray, lengths: np.ndarray, blank: int
) -> tuple[Tensor, np.ndarray]:
    """-log p(target | input) per sequence (N,) from the steps read (lp, 0 past each input length), and where
    no alignment exists (N,) bool (there the first is a meaningless finite number)."""
    steps, batch, _ = lp.shape
    states = 2 * (int(lengths.max()) if batch else 0) + 1
    big = float(np.finfo(lp.dtype).max)
    extended = np.full((batch, states), blank, np.int64)  # blank, l1, blank, l2, ..., blank (blanks past the end)
    for n, labels in enumerate(rows):
        extended[n, 1 : 2 * len(labels) : 2] = labels
    # a state is also reached from two back when it is a label other than the one two back (not a repeat)
    skip = np.zeros((batch, states), bool)
    skip[:, 2:] = (extended[:, 2:] != blank) & (extended[:, 2:] != extended[:, :-2])
    emitted = lp.gather(2, np.broadcast_to(extended, (steps, batch, states)))
    reach = _reachable(emitted.data != -np.inf, skip)
    pad = Tensor(np.zeros((batch, 2), lp.dtype))
    alpha = where(reach[0], emitted[0], 0.0)
    alphas = [alpha]
    for t in range(1, steps):
        # the states each state is reached from, those unreachable -inf (an exact 0 in the logsumexp and its
        # gradient); an unreachable state reads constants and is 0, never read on (so no logsumexp of all -inf)
        before = stack([alpha, cat([pad[:, :1], alpha], 1)[:, :states], cat([pad, alpha], 1)[:, :states]], 0)
        came = _predecessors(reach[t - 1], skip) & reach[t]
        before = where(came, before, np.where(reach[t], -np.inf, 0.0).astype(lp.dtype))
        with np.errstate(over="ignore"):  # a score past -max (log-probabilities near it) is -max, the loss inf
            alpha = where(reach[t], (logsumexp(before, 0) + emitted[t]).clamp(min=-big), 0.0)
        alphas.append(alpha)
    # each sequence's states after its last step (an input length of 0: before the first, only the empty path)
    at = np.maximum(inputs - 1, 0)
    last = stack(alphas, 0)[at, np.arange(batch)]
    ends = np.stack([2 * lengths, np.maximum(2 * lengths - 1, 0)], 1)
    ending = np.stack([inputs > 0, (inputs > 0) & (lengths > 0)], 1)  # the last blank, the last label
    ended = reach[at[:, None], np.arange(batch)[:, None], ends] & ending
    empty = (inputs == 0) & (lengths == 0)  # no steps, no labels: the empty alignment, probability 1
    aligned = ended.any(1)
    filler = np.where(aligned[:, None], -np.inf, 0.0).astype(lp.dtype)
    nll = where(empty, 0.0, -logsumexp(where(ended, last.gather(1, ends), filler), 1))
    # past float's range (log-probabilities near -max on every step), inf as torch's
    infeasible = ~(aligned | empty) | (nll.data >= big)
    return nll, infeasible


def _predecessors(reach: np.ndarray, skip: np.ndarray) -> np.ndarray:
    """(3, N, states) bool: whether each state's predecessor one step before is reachable: the state itself,
    the one before it, and the one two before it (where the state may be reached from there)."""
    came = np.zeros((3, *reach.shape), bool)
    came[0] = reach
    came[1, :, 1:] = reach[:, :-1]
    came[2, :, 2:] = reach[:, :-2] & skip[:, 2:]
    return came


def _reachable(open_: np.ndarray, skip: np.ndarray) -> np.ndarray:
    """(T, N, states) bool: which states some alignment reaches at each step, from the states whose label's
    log-probability is not -inf there (`open_`): the structure, never a threshold on the scores, so an
    alignment however unlikely is scored and one through a -inf is not."""
    reach = np.zeros(open_.shape, bool)
    reach[0, :, :2] = open_[0, :, :2]  # a path starts at the first blank or the first label
    for t in range(1, open_.shape[0]):
        reach[t] = _predecessors(reach[t - 1], skip).any(0) & open_[t]
    return reach
