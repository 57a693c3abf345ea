"""Which gradient a drawing shows on each value, and the `.grad`s that hold something else (earlier
passes added, another root's, or a hand's), told beside it; and a graph whose data changed after its forward
pass (micrograd's lecture updates the parameters, then draws), where no gradient can be computed again."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Node, Tensor, has_hooks, raw

from .check_verdicts import Check, disagrees
from .graph import Graph, all_gradients
from .labels import KEPT_BY_HAND, PASSES, SET, STALE_NOTE, ZEROED
from .long_names import Names, drawn_names, whole_named
from .number_text import apart_figures, summary
from .replay import changed_after_forward, rerun
from .rules import applied, shown_params


def shown_grads(root: Node, order: list[Node], consts: set[int], stale: bool = False) -> dict[int, Any]:
    """The gradient a drawing shows on each value, by id (absent: not computed). Values: `.grad`, once a
    backward (or the lecture's hand) has set it, while every `.grad` set holds this root's gradient
    (`holds_gradient`), or where backward passes cannot have left what they hold (`added_by_passes`: set or
    zeroed by hand, another root's): the learner's `.grad`, "not computed" where none is set. A `.grad` that
    passes added up (backward twice without zero_grad, or another root's arrived too) makes the drawing show
    d root / d node, computed here, with the `.grad`s beside (kept_grads). Tensors keep `.grad` on leaves
    only, so once a backward has run (a tensor holds a gradient) every tensor shows d root / d node: what
    flowed through it. A root of several elements was seeded by its caller, and a root whose backward cannot
    run (a rule raises) has no gradients to compare with, and a graph whose data changed after its forward
    pass (`stale`) none to compute: only kept gradients then."""
    kept = held_grads(order, consts)
    values = [n for n in order if id(n) not in consts]
    if stale or not kept or (isinstance(root, Tensor) and root.data.size != 1) or any(map(has_hooks, order)):
        return kept  # a hook's gradient is what it returned: the .grad it left, not computed again (nor the hook run)
    try:
        grads = all_gradients(root, order)
    except Exception:  # noqa: BLE001 (any rule's error: the drawing of the forward pass does not need backward)
        return kept
    if not isinstance(root, Tensor) and all(holds_gradient(held, grads[i]) for i, held in kept.items()):
        return kept
    if not added_by_passes(order, consts, kept):
        return kept
    return {id(n): grads[id(n)] for n in values}


def held_grads(order: list[Node], consts: set[int]) -> dict[int, Any]:
    """Each value's `.grad` as backward (or a hand) left it, by id, where one is set; under create_graph
    `.grad` is a node, and its data is the number held."""
    return {id(n): raw(n.grad) for n in order if id(n) not in consts and n.grad_computed}


def added_by_passes(order: list[Node], consts: set[int], held: dict[int, Any]) -> bool:
    """Whether the `.grad`s `held` (by id) can be what backward passes added up: a pass from this root
    (`order[0]`) reaches every value that keeps a `.grad`, so none of them may hold none: every value
    for Values, every leaf that requires grad for Tensors (their other values keep none). Where some
    holds none, no pass from this root ran: what the others hold was set by hand (micrograd's lecture
    backpropagates by hand, or zeroes `p.grad = 0.0` before a new forward) or left by another root's
    backward. Any sum is possible after passes (another root's, a reset leaf), so values are not compared."""
    values = [n for n in order if id(n) not in consts]
    if isinstance(order[0], Tensor):  # its computed values keep no .grad: only leaves can be asked
        values = [n for n in values if n.op is None and n.requires_grad]
    return all(id(n) in held for n in values)


def changed_since_forward(graph: Graph, computes: str | None) -> str:
    """Whether the graph's data changed after its forward pass (`changed_after_forward`): then the values
    computed from a changed leaf hold its old data's results, and gradients computed now from the data
    would be neither backward's nor those of the new point. Refused, naming the fix, where the caller
    `computes` gradients (it says what it does); else (a Value graph's plain drawing) the caller shows
    the `.grad` backward left, as micrograd's draw_dot does, with a note, which this returns ("" where nothing
    changed): labels.STALE_NOTE, naming the first op the change shows at, as the refusal does. A graph with a
    gradient hook is refused the same way where the caller computes gradients."""
    changed = changed_after_forward(graph.order)
    if changed and computes is not None:
        raise ValueError(_stale_error(computes, changed[-1], graph))
    hooked = [n for n in graph.order if has_hooks(n)]
    if hooked and computes is not None:
        raise ValueError(
            f"{computes}, but {known_as(graph, hooked[0])} has a gradient hook (register_hook), whose "
            "gradient is what the hook returned, not what the rules give: the gradients drawn and the arithmetic "
            "on the edges would not add up, and computing them would run the hook again. Remove the hook "
            "(handle.remove()) to draw the rules' gradients, or draw without backward=True and check=True"
            " (show_grads=False for tensors) to show the .grad backward left"
        )
    return STALE_NOTE.format(changed=_changed_at(changed[-1], graph)) if changed else ""


def _stale_error(doing: str, first: Node, graph: Graph) -> str:
    """The refusal of a graph whose data changed, showing it at the first op (inputs first) it shows at."""
    return (
        f"{doing}, but the data changed after the forward pass: {_changed_at(first, graph, whole=True)} (an input was "
        "changed: an update such as w.data += -0.1 * w.grad, an optimizer's step). Gradients computed now would be "
        "neither backward's nor those at the new data: run the forward again and draw its root"
    )


def _changed_at(first: Node, graph: Graph, whole: bool = False) -> str:
    """Where a change shows, first (inputs first): "w * x holds 1.4 from the forward pass, and gives 1.08 now";
    each label as drawn (a note under the drawing gives a shortened one whole), or `whole` (an error's text)."""
    names = drawn_names(graph)  # an unlabelled value by its data (no drawing numbered it)
    names = whole_named(graph, names) if whole else names
    with np.errstate(all="ignore"):
        now = rerun(first)
    n = apart_figures(first.data, now)
    inputs = [_named(names.get(id(p)), p, n) for p in first.parents]
    held, given = _told_apart(first.data, now, n)
    call = applied(first.op.name, inputs + shown_params(first, names.text), names.text)  # its texts as the labels
    return f"{call} holds {held} from it, and gives {given} now"


def known_as(graph: Graph, node: Node) -> str:
    """A value as the user knows it, for a message: its label (told apart from others', numbered_names), else
    what made it, with its number or shape: "the unlabelled Value a * x (= 6)", "the unlabelled tensor
    (x @ W) + b of shape (1, 1)", "the unlabelled leaf Value 2.0". Never its "#k" alone: that number is its
    step in backward, which the user sees only in a drawing with number=True. A long label or op's name whole, as
    drawn it is shortened: a message's reader searches the code for it."""
    names = whole_named(graph, drawn_names(graph))
    if graph.names.get(id(node)):
        return names[id(node)]
    kind = "tensor" if isinstance(node, Tensor) else "Value"
    held = f"of shape {node.shape}" if isinstance(node, Tensor) else summary(node.data)
    if node.op is None:
        return f"the unlabelled leaf {kind} {held}"
    made = _made(node, names, 2)
    return f"the unlabelled {kind} {made} " + (held if isinstance(node, Tensor) else f"(= {held})")


def _made(node: Node, names: Names, depth: int) -> str:
    """The op that made `node` on its inputs, each by its label, else what made it (to `depth` ops down, in
    brackets where an operator's), else its number (a Value) or shape (a tensor)."""
    inputs = []
    for p in node.parents:
        name = names.get(id(p), "")
        if name and not name.startswith("#"):
            inputs.append(name)
        elif p.op is not None and depth > 1:
            text = _made(p, names, depth - 1)
            inputs.append(f"({text})" if not p.op.name.isidentifier() else text)
        else:
            inputs.append(_named(None, p))
    return applied(node.op.name, inputs + shown_params(node, names.text), names.text)


def _named(name: str | None, node: Node, n: int | None = None) -> str:
    if name and not name.startswith("#"):
        return name
    return f"a tensor of shape {node.shape}" if isinstance(node, Tensor) else summary(node.data, n=n)


def _told_apart(old: Any, new: Any, n: int | None) -> tuple[str, str]:
    """`old` and `new` written with `n` figures, each with its dtype and shape where their numbers read alike: a
    float32 0.1 and float64's 0.1 are each written 0.1 (no more digits tell either apart in its own type)."""
    texts = [summary(old, n=n), summary(new, n=n)]
    if texts[0] != texts[1]:
        return texts[0], texts[1]
    a, b = np.asarray(old), np.asarray(new)
    return f"{texts[0]} ({a.dtype}, shape {a.shape})", f"{texts[1]} ({b.dtype}, shape {b.shape})"


def holds_gradient(held: Any, computed: Any) -> bool:
    """Whether a `.grad` holds the gradient computed for the drawing: the same number, or within a
    billionth of it, as a lecture's by-hand 0.5 is of 1 - tanh(n)² = 0.4999999999999999 (more figures
    than a drawing shows); a sum of passes or another root's differs by far more. NaNs match NaNs."""
    held, computed = np.asarray(held), np.asarray(computed)
    if held.shape != computed.shape:
        return False
    exact = np.array_equal(held, computed, equal_nan=held.dtype.kind in "fc")
    with np.errstate(all="ignore"):
        return exact or bool(np.allclose(held, computed, rtol=1e-9, atol=0.0, equal_nan=True))


def kept_grads(graph: Graph, shown: dict[int, Any]) -> dict[int, Any]:
    """The `.grad` of each value (by id, leaves first) whose `.grad` is not the gradient the drawing shows:
    gradients of earlier backward passes were added to it (no zero_grad between), or another root's were,
    or a hand set it (`kept_cause` tells which)."""
    held = held_grads(sorted(graph.order, key=lambda n: n.op is not None), graph.consts)  # stable: drawing's order
    return {i: g for i, g in held.items() if i in shown and not holds_gradient(g, shown[i])}


def kept_cause(kept: dict[int, Any], shown: dict[int, Any]) -> str:
    """What can have put the `.grad`s `kept` (kept_grads) there, beside the gradients `shown`: the words a
    drawing says of them. PASSES where each is a whole number k >= 2 of times the gradient drawn, as k
    backward passes of this root leave it (no zero_grad between); ZEROED where one is 0 and the gradient is
    not (a reset, a `_backward()` called before its node had a gradient, or another root's cancelling this
    one's); else SET: by hand (the lecture's part 1 backpropagates by hand: b.grad = 4 where the chain rule
    gives -4 is no sum of passes of this root), or holding other roots' gradients too (an earlier loss's,
    a loop with no zero_grad). The numbers drawn are the same in each case: only the words differ."""
    if any(_zero(g) and not _zero(shown[i]) for i, g in kept.items()):
        return ZEROED
    return PASSES if all(_whole_times(g, shown[i]) for i, g in kept.items()) else SET


def held_slips(kept: dict[int, Any], checks: dict[int, Check] | None, cause: str) -> dict[int, Check]:
    """The checks (by id) whose finite difference disagrees with the `.grad` kept beside backward's gradient,
    where no passes of this root can have left it (`cause`): a slip by hand, which a checked drawing must not
    show green beside backward's right number. A `.grad` of k passes is k times the slope: no slip."""
    if not checks or cause == PASSES:
        return {}
    return {i: c for i, c in checks.items() if i in kept and np.size(kept[i]) == 1 and disagrees(c, float(kept[i]))}


def kept_note(
    kept: dict[int, Any], grads: dict[int, Any], names: dict[int, str], cause: str = PASSES, slips: Any = None
) -> str:
    """The note under a drawing whose values' `.grad` differ from the gradients drawn (`kept`, by id,
    leaves first: the parameters a user zeroes), saying what can have put them there (`cause`, kept.kept_cause:
    backward passes of this root added up; else a hand, or another root's backward, named with what the chain
    rule gives: no words then of passes that cannot have left them), and (`slips`: the checks, by id, whose
    finite difference disagrees with the `.grad` held) where the numbers say it is wrong."""
    listed = [names[i] for i in kept]
    first = next(iter(kept))
    shown = ", ".join(listed[:6]) + (f" and {len(listed) - 6} more" if len(listed) > 6 else "")
    if cause == PASSES:
        held = f"{names[first]}.grad holds {summary(kept[first])}, drawn {summary(grads[first])}"
        return (
            f".grad is not the gradient drawn at {shown} ({held}): .grad adds up every backward pass since the "
            "last zero_grad() (of this root or another); call zero_grad() before backward"
        )
    held = f"{names[first]}.grad holds {summary(kept[first])} where the chain rule gives {summary(grads[first])}"
    why = (
        f"{KEPT_BY_HAND} beside it"
        if cause == ZEROED
        else "beside it, set by hand or holding another root's gradients too (an earlier loss's backward with no "
        "zero_grad() between)"
    )
    note = f".grad is not backward's gradient at {shown} ({held}): the drawing shows backward's, with the .grad {why}"
    if slips:
        wrong = [f"{names[i]} ({summary(kept[i])}, numeric {summary(c.numeric)})" for i, c in slips.items()]
        note += "\nfinite differences disagree with the .grad held at " + ", ".join(wrong)
    return note


def _whole_times(held: Any, drawn: Any) -> bool:
    """Whether `held` is k times `drawn` for one whole number k >= 2 (each element of a tensor's), up to the
    rounding of adding `drawn` k times in its own float type."""
    kind = np.asarray(held).dtype
    eps = float(np.finfo(kind if kind.kind == "f" else np.float64).eps)
    held, drawn = np.asarray(held, dtype=np.float64), np.asarray(drawn, dtype=np.float64)
    with np.errstate(all="ignore"):
        size = float(np.sum(drawn * drawn))
        if not size or not np.isfinite(size) or not np.all(np.isfinite(held)):
            return False
        k = round(float(np.sum(held * drawn)) / size)
        return k >= 2 and bool(np.allclose(held, k * drawn, rtol=4 * k * eps, atol=0.0))


def _zero(x: Any) -> bool:
    """Whether a gradient is 0 (every element of a tensor's)."""
    return not np.any(np.asarray(x))
