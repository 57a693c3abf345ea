"""Connectionist temporal classification (CTC) loss, as torch.nn.functional.ctc_loss 2.13 defines it: the
negative log of the probability, summed over every alignment of the target to the input's steps (blanks
between labels and repeats of a label collapsed), of that alignment, from per-step log-probabilities.

The forward recursion runs in log space over the target extended with blanks (2S + 1 states), one step of
autograd's ops per input step (a logsumexp of the three states a state is reached from, plus the step's
log-probability of the state's label), so that the gradient is autograd's, exact to rounding, and second
derivatives come with it. An unreachable state holds a very negative finite number, not -inf: a logsumexp of
states all -inf has a NaN gradient (0/0), where the finite stand-in gives an exact 0 (exp(-1e307) is 0).

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
        # inf with a NaN gradient at each step read, as torch's (an inf loss has no slope): sqrt's slope at 0, inf,
        # times 0; the sequences that can be aligned take sqrt at 1, where the 0 gradient `where` gives stays 0
        # (the sum clamped finite: a log-probability of -inf would make 0 * -inf a NaN loss)
        big = float(np.finfo(lp.dtype).max)
        undefined = (read.sum((0, 2)).clamp(-big, big) * 0.0 + (~infeasible).astype(lp.dtype)).sqrt() + math.inf
        losses = where(infeasible, undefined, nll)
    if not batched:
        losses = losses.squeeze(0)
    if reduction == "sum":
        losses = losses.sum()
    elif reduction == "mean":
        losses = (losses / np.maximum(lengths, 1).astype(lp.dtype).reshape(losses.shape)).mean()
    return narrowed(losses, dtype)


def _negative_log_likelihood(
    lp: Tensor, rows: list[np.ndarray], inputs: np.ndarray, lengths: np.ndarray, blank: int
) -> tuple[Tensor, np.ndarray]:
    """-log p(target | input) per sequence (N,) from the steps read (lp, 0 past each input length), and where
    no alignment exists (N,) bool (there the first is a meaningless finite number)."""
    steps, batch, _ = lp.shape
    states = 2 * (int(lengths.max()) if batch else 0) + 1
    floor = -float(np.finfo(lp.dtype).max) / 16  # an unreachable state: three of them and a step add up finite
    extended = np.full((batch, states), blank, np.int64)  # blank, l1, blank, l2, ..., blank (blanks past the end)
    for n, labels in enumerate(rows):
        extended[n, 1 : 2 * len(labels) : 2] = labels
    # a state is also reached from two back when it is a label other than the one two back (not a repeat)
    skip = np.zeros((batch, states), bool)
    skip[:, 2:] = (extended[:, 2:] != blank) & (extended[:, 2:] != extended[:, :-2])
    emitted = lp.gather(2, np.broadcast_to(extended, (steps, batch, states)))
    emitted = emitted.clamp(min=floor)  # a log-probability of -inf: its state unreachable, not -inf
    pad = Tensor(np.full((batch, 2), floor, lp.dtype))
    start = np.arange(states) < 2  # a path starts at the first blank or the first label
    alpha = where(start, emitted[0], floor)
    alphas = [alpha]
    for t in range(1, steps):
        one_back = cat([pad[:, :1], alpha], 1)[:, :states]
        two_back = where(skip, cat([pad, alpha], 1)[:, :states], floor)
        alpha = (logsumexp(stack([alpha, one_back, two_back], 0), 0) + emitted[t]).clamp(min=floor)
        alphas.append(alpha)
    # each sequence's states after its last step (an input length of 0: before the first, only the empty path)
    last = stack(alphas, 0)[np.maximum(inputs - 1, 0), np.arange(batch)]
    ends = np.stack([2 * lengths, np.maximum(2 * lengths - 1, 0)], 1)
    final = where(np.stack([inputs > 0, (inputs > 0) & (lengths > 0)], 1), last.gather(1, ends), floor)
    nll = -logsumexp(final, 1)
    empty = (inputs == 0) & (lengths == 0)  # no steps, no labels: the empty alignment, probability 1
    nll = where(empty, 0.0, nll)
    repeats = np.array([int((r[1:] == r[:-1]).sum()) for r in rows], np.int64)
    infeasible = (inputs < lengths + repeats) | ((nll.data > -floor / 2) & ~empty)
    return nll, infeasible
