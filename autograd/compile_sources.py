"""Where a tape's entries come from, beyond the graph: the constants that the op table's ops made from
a step's inputs (made again by each replay), the order of the nodes with them, and the caller's arrays
that ops kept copies of (pinned to their numbers); and `same`, the equality a replay needs."""

from __future__ import annotations

from typing import Any

import numpy as np

from .compile_made import MadeByOp
from .compile_recording import Recording
from .graph_order import topological_order
from .tensor_class import Tensor


def held(rec: Recording, inputs: dict[int, int], remade: set[int]) -> dict[int, tuple[Any, np.ndarray]]:
    """Recording.held, and the caller's arrays that ops kept copies of (an index, labels: not an input's,
    by the ids of `inputs`' arrays, nor made from them, nor views of an input that a replay makes again:
    `remade`, by id), with their numbers when recorded, by id."""
    pinned = dict(rec.held)
    for original, copy in rec.copies:
        if id(original) not in inputs and id(original) not in rec.derived and id(original) not in remade:
            pinned.setdefault(id(original), (original, copy))
            root = _viewed(original)  # a view made in the step (`index[:3]`) is new on each call; its array is not
            if root is not original and id(root) not in inputs and id(root) not in rec.derived:
                pinned.setdefault(id(root), (root, np.array(root, copy=True)))
    return pinned


def made_by_ops(rec: Recording) -> dict[int, MadeByOp]:
    """The constants made by ops from the inputs and constants (Recording.made) that a replay can make again
    as ops that need no gradient: each as the op made it (not changed since, nor its parents), and never
    read by Python (a check of its numbers, a branch, numpy on them, which a replay would not do again).
    The caller's constant Tensors that the others were made of are held (Recording.hold): a replay reuses
    such a constant as recorded, right only while they keep their numbers."""
    # t.item() of one made under no_grad of the graph's numbers is an output (compile_tape_outputs checks it)
    read = rec.read_ids | {id(t) for t, _ in rec.reads if not (id(t) in rec.made and rec.made[id(t)].of_graph)}
    made = {k: m for k, m in rec.made.items() if k not in read and m.unchanged()}
    pending, seen = [m for k, m in rec.made.items() if k not in made], set()
    for m in pending:  # one of the graph's numbers that is not made again: data made of numbers, as detach()'s
        if m.of_graph:
            rec.read_numbers = True
            rec.from_graph[id(m.tensor)] = m.tensor
    while pending:  # through the constants made of constants, back to the caller's
        for p in pending.pop().held:
            rec.hold(p)
            if id(p) in rec.made and id(p) not in seen:
                seen.add(id(p))
                pending.append(rec.made[id(p)])
    return made


def _viewed(array: Any) -> Any:
    """The array whose memory `array` views, through views of views (itself if it owns its memory)."""
    while isinstance(getattr(array, "base", None), np.ndarray):
        array = array.base
    return array


def forward_order(roots: list[Tensor], made: dict[int, MadeByOp]) -> list[Tensor]:
    """Every node the roots were computed from, each after its parents (the roots' orders merged), with
    the constants among them that ops made (`made`) after theirs, as far back as such constants go."""
    seen: set[int] = set()
    nodes: list[Tensor] = []
    for root in roots:
        if id(root) in seen:
            continue
        for n in reversed(topological_order(root)):
            pending = [(n, False)]
            while pending:
                node, parents_placed = pending.pop()
                if id(node) in seen:
                    continue
                if parents_placed or id(node) not in made:
                    seen.add(id(node))
                    nodes.append(node)
                else:  # its parents first, then it; a parent the graph computed (under no_grad) with its own
                    pending.append((node, True))
                    for p in reversed(made[id(node)].parents):
                        pending += [(q, False) for q in topological_order(p)] if p._made_by else [(p, False)]
    return nodes


def same(a: Any, b: Any) -> bool:
    """Equal as a replay needs them equal: arrays by dtype, shape and values; containers item by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and (a.dtype, a.shape) == (b.dtype, b.shape)
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        )
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and a != a:
        return b != b
    try:
        return bool(a == b)
    except Exception:  # an object whose == is not a truth value: the same only if it is the same object
        return a is b
