"""`gradcheck`: compare backward's gradients with central finite differences, in float64 (backward's
gradients: check_analytic; what is refused up front: check_refusals; the numbers: check_numeric; the table:
check_verdict, and the entries a failing row is off in: check_entries; a loss's parameters: check_params)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .check_analytic import analytic_gradients
from .check_blocks import BLOCK
from .check_entries import entries_off
from .check_grain import StillEntries
from .check_inputs import _copy, _leaf, layouts, read_inputs, unchecked
from .check_jacobian import jacobian
from .check_numeric import GradcheckError, output
from .check_outputs import block_gradients, element_rows, element_value, moved, output_blocks, read_outputs
from .check_own_dtype import check_own_dtype
from .check_refusals import (
    check_finite,
    check_output,
    check_settings,
    check_steps,
    check_unchanged,
    check_uses_inputs,
)
from .check_rounding import output_dtype, rounded_nodes
from .check_scales import reaching_own_ops
from .check_shared import check_shared_arguments
from .check_verdict import seen_to_move, verdict
from .check_weights import entry_tolerances, equilibrated, output_moves, output_weights
from .check_wider import failed_wider
from .graph import Node, raw
from .modes import enable_grad, require_callable
from .type_names import type_name

__all__ = ["GradcheckError", "gradcheck"]


def gradcheck(
    f: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check the gradient of `f` at `inputs` against (f(x + eps) - f(x - eps)) / ((x + eps) - (x - eps)),
    one input element at a time (the step as it rounds: at x = 3e7, 2 eps would be 0.16% off).

    Inputs are Values or floats (f gets Values) or Tensors or arrays (f gets float64 Tensors laid out in memory as
    given, x.T or x[::-1] too, as PyTorch's gradcheck: check_inputs.laid_out_as; float32
    inputs are checked in float64, with a warning saying so, as finite differences in float32 are too
    coarse; their gradients in their own dtype, from one more call of f, must be the float64 ones within the
    tolerance, 128 times that dtype's rounding and 16 times its move of f's output, or, where a node of f is
    off its float64 value by more than 128 roundings and f's rules run in float64 at its numbers give those
    gradients too, cannot be judged: check_own_dtype); integers and bools in any form (2, np.int64(2),
    np.array(2), labels, a mask), and a Tensor that does not require grad (a target), reach f as they are,
    unchecked (a failure's table names them), as PyTorch's gradcheck treats integer tensors. f returns a
    Value, a Tensor of any shape (an op itself: `gradcheck(op, [x])`) or a constant; of an output of several
    elements, what is checked is sum(w * f(x)), w fixed random weights of its shape, each entry's
    weighed by 1 / its tolerance T = atol + rtol * (its largest slope) + 1e4 * (that slope's rounding,
    float eps * its size / eps: 2.2e-3 at a size of 1e3) (`check_weights`: x beside 1e6 * x weighs as
    much), over each block of 32 entries alone where f gives more (one row per input element and block,
    `x[i]→f[j:k]`, `x[i]→f[2, :]` in f's own shape; `check_outputs`): an entry whose gradient in an input
    element is off by more than 64 T fails, however many entries f gives (6.4% of a slope of 1 with the
    defaults); where an element's rows agree, each Jacobian entry is judged alone by atol + rtol * |numeric| and
    its difference's rounding (`check_jacobian`: a backward pass per entry of f's output; an entry of 0.01 given
    as 0.025 beside entries up to 2.4 passed its block), its slope extrapolated where it parts (from eps / 2, two
    more calls of f, or the steps its row was refined at); in a refined row such an entry cannot be judged, and
    beyond 2**22 Jacobian entries the rows alone judge. An entry
    whose spacing over 2 eps is 10 times atol + rtol * its slope or more (x + 1e12 beside 2 x: a rule wrong in it
    passed) cannot be judged: a row summing it with others that moved says so where it agrees, if the entry moved
    with the element or moves within 256 eps of it (two more calls of f there; exp(20) beside exp(-5) does
    not, and passes).
    f runs with the graph recorded at every step (it may take gradients itself, create_graph=True: a rule's own
    derivative, as torch's gradgradcheck checks it). Checked besides: that the gradients double when the
    gradient from above does (a rule that ignores its
    g would pass a check of sum(f) otherwise), that f leaves its inputs as they were, and that f is
    differentiable at the point (a kink, where the one-sided slopes differ down to eps / 4, or a jump, where
    f(x+eps) - f(x-eps) less a slope's part does not shrink with eps down to eps / 16, six more calls of f,
    names its row: no gradient can be checked there, and the error is `undecided`), and that the
    step shows: where no entry of f's output moved, too large for 2 eps to show a slope of 10 atol (x +
    1e12), the row cannot be judged (a rule giving 0 there agreed, and passed); an element where x + eps
    or x - eps rounds to x (1e12 with eps 1e-6) is refused with a ValueError naming it. Rounding inside an
    op of one's own, which its graph does not show, is read off f's numbers (`check_grain`): where they
    keep 12 bits fewer than their dtype and x +- eps do, on a grid over twice as coarse as exact arithmetic
    on x +- eps leaves (x - 2 at 2 cancels exactly) ((x + 1e12) - 1e12 keeps x to steps of 1.2e-4; sin
    computed in float32), twice their grid's step over 2 eps bounds the difference's error, and a row
    within it cannot be judged, also where it agrees; where no entry moved, that grid counts where f moves
    within 256 eps (two more calls of f: floor at 5.3 does not, and passes), but for an entry some input
    element moves to a number keeping every bit (2 v at v = 1.0: the point's value, no grid of f's). A
    jump in one entry among entries that move smoothly is named as a jump, each entry's differences looked
    at alone. Where an element reaches an op of one's own (not the op table's: its inside shows in no graph),
    each entry's slope is also taken at 256 eps (two more calls of f; `check_scales`): an entry whose slope
    moves off its slope at eps there suddenly (checked at 2, 4, ... 256 eps, 14 more calls), not 4 times as
    far at each doubling as a smooth f's, has a grid, a kink or a jump within reach, and its row cannot be
    judged ((x + 1e12) - 1e12 in an op, plus b: its value keeps b's bits, and a rule giving 0 passed). A row
    still at x +- eps whose f moves on both sides within 256 eps, at a slope there other than the rule's, is on a
    tread of a staircase (the grain of x inside f: sin(3e3 (x + 1e11)) keeps x to steps of 15 eps) or a flat piece
    as narrow, and cannot be judged (two more calls of f, at such rows only; `check_grain.stairs`); so does a row
    agreeing at eps whose entries still at x +- eps beside entries that moved move on both sides within 256 eps, its
    slope read with theirs there not the rule's (one call of f at x + 256 eps per element leaving an entry still, a
    second at x - 256 eps where one moved: `check_grain.tread_entries`; 2 x beside sin(3e3 (x + 1e12))), and an
    entry that moved at eps and is still at a smaller step, not flat on that side, stops the smaller steps
    (`check_grain.stopped`). A node of f's graph which keeps an input to a grid 12 bits coarser than the input's
    own and eps / 8192 wide or more, whatever the gradient after it, is looked at as an op of one's own
    (`check_scales`): its rounding is read through that gradient, which a wrong rule sets (x + 1e12 in 2 x +
    sin(3e3 (x + 1e12)) whose sin's rule gives 0; and beside log(x + 1e12), read at 1e-12: both passed).
    Where f curves within eps (sin(3e6 x); 1 / x at 1e-5), or has a kink or jump less than eps away (on both
    sides too: the slope from x to x + eps / 2, one more call of f, is not what the difference at eps predicts),
    the slope is extrapolated from differences at eps / 2, eps / 4, ... (`check_richardson`; f still there
    says it is flat only where a side was still at eps, 2 eps and 256 eps already, as relu's beside its kink, not
    a grain's tread: x + 1e10 keeps x to steps of 1.9 eps; where the element
    reaches an op of one's own, which may round to a grid no smaller step shows, it only keeps a right rule from being
    blamed: the row cannot be judged, and a smaller eps tells). A disagreeing row no smaller step refines is
    judged at eps only where f's moves within 2 eps lie on a polynomial of degree 4 within f's rounding and an
    eighth of the tolerance (checked at 0.71 and -0.6 eps, two more calls of f: sin(x**2) at 1.3e7 turns whole
    periods between the halvings' steps), and not where f is not finite at a step within 2 eps (1 / x at
    eps / 2): it cannot be judged there, and says so. An op of one's own given an input through two of its
    arguments (op(x, x)) is also checked alone, its arguments moved apart (`check_shared`: rules off by +e and
    -e cancel in f); where it cannot be judged alone, the check is undecided.
    Where no row fails outright and some cannot be judged for f's rounding alone, the check is taken again at a
    larger eps, only to fail a rule it hid (`check_wider`).
    Returns True, or raises GradcheckError when any |analytic - numeric| > atol + rtol * |numeric| (of a Jacobian
    entry, beyond its difference's rounding): its
    table names the entries of f's output the first failing rows are off in, each alone (check_entries).
    """
    __tracebackhide__ = True  # pytest shows the table, not this function's source
    require_callable(f, "gradcheck: f")
    eps, atol, rtol = check_settings("gradcheck", eps, atol, rtol)
    given = inputs
    inputs, names, points, checked = read_inputs("gradcheck", inputs, eps)
    leaves = [_leaf(_copy(p), name) for p, name in zip(points, names)]
    with enable_grad():  # inside no_grad every result would be a constant, and its gradient 0
        out = f(*leaves)
    check_output(out, "gradcheck: f")
    base, weights = output(out), output_weights(out)
    check_finite(base, "gradcheck: f")
    check_steps([(names[i], points[i]) for i in checked], eps, "gradcheck")
    check_unchanged(leaves, points, names, "f")
    known: dict[tuple, np.ndarray] = {}  # f's outputs at the point moved by +-eps, kept for the rows
    entries = None  # how each entry of an output of several reads where an element does not move it
    if weights is not None:
        entries = StillEntries(base, output_dtype(out), eps, atol)
        moves = output_moves(
            lambda at, shift: entries.see(element_value(points, at), moved(f, points, at, shift, eps, output)),
            [(i, points[i]) for i in checked],
            base,
            eps,
            known,
        )
        weights = equilibrated(weights, entry_tolerances(*moves, eps, np.asarray(raw(out)).dtype, atol, rtol))
    analytic, rounds = analytic_gradients(
        out,
        [leaves[i] for i in checked],
        weights,
        [names[i] for i in checked],
        lambda: check_unchanged(leaves, points, names, "a rule"),
        atol,
        rtol,
    )
    check_uses_inputs(f, out, leaves, points, names, checked)
    unjudged = check_own_dtype(f, leaves, inputs, checked, (analytic, weights, out), (atol, rtol))
    per_block = [(analytic, rounds)]
    if weights is not None and np.size(base) > BLOCK and isinstance(out, Node) and not out.is_constant:
        nodes = rounded_nodes(out)
        blocks = output_blocks(np.size(base))
        per_block = [block_gradients(out, [leaves[i] for i in checked], weights, b, nodes) for b in blocks]
    # each entry alone too, by a backward pass each: in a block's sum an entry's error hides beside large ones
    alone = weights is not None and isinstance(out, Node) and not out.is_constant
    entries_alone = jacobian(out, [leaves[i] for i in checked]) if alone else None
    read = read_outputs(base, weights, entries, eps, atol, reaching_own_ops(out, leaves, eps))
    rows = []
    rounding = [block_rounds for _, block_rounds in per_block]
    for k, i in enumerate(checked):
        # each block's gradient of input i, stacked: an element's rows read theirs in one indexing
        stacked = np.stack([np.asarray(grads[k], dtype=np.float64) for grads, _ in per_block])
        analytic_of_i = (stacked, rounding, None if entries_alone is None else entries_alone[k])
        for index in np.ndindex(np.shape(points[i])):
            at = (i, index)
            rows += element_rows(f, points, at, names[i], analytic_of_i, read, (eps, atol, rtol), known)
    # no row where each element's blocks all agreed, 0 beside 0 (relu(x - 10) over 40 elements): it passes, where
    # it said the inputs had no elements
    agreed = not rows and any(np.size(points[i]) for i in checked)
    try:
        if not agreed:
            verdict(rows, eps, atol, rtol, np.size(base))
    except GradcheckError as failed:
        # where f's rounding kept rows from judging, a wrong rule it hid fails at a larger eps
        failed_wider(
            lambda wider: gradcheck(f, given, eps=wider, atol=atol, rtol=rtol), rows, (eps, atol, rtol), failed
        )
        alone_of = ([leaves[i] for i in checked], checked, entries_alone)
        entries = entries_off(f, points, out, alone_of, rows, (eps, atol, rtol))
        e = GradcheckError(
            f"{failed}{entries}{unchecked(points, names)}{layouts(points, names, checked)}", failed.undecided
        )
        if (isinstance(out, Node) and not out.is_constant) or not seen_to_move(rows, atol, rtol):
            raise e from None
        what = ("a constant " if isinstance(out, Node) else "") + type_name(out)
        raise GradcheckError(
            f"gradcheck: f's result ({what}) has no graph to backward through, yet it changes with f's inputs: "
            "does f compute with .data, .item(), .detach() or numpy on their arrays? compute with their own "
            "operations (x.sin() or autograd.sin(x), not np.sin(x.data)); f = grad(g) differentiates the rules of "
            f"g's ops, and a rule that reads its inputs as data (raw(x), x.data) has no derivative in them\n{e}"
        ) from None
    check_shared_arguments(out, leaves, names, lambda op, at: gradcheck(op, at, eps=eps, atol=atol, rtol=rtol))
    if unjudged:  # the rows agree: only the gradients in an input's own dtype could not be judged
        raise GradcheckError(unjudged, undecided=True)
    return True
