"""The recorded ops run again on raw data: in float64 with some leaves moved, how `check=True`
(numeric.py) measures the root beside each leaf without touching the graph; and each op on its inputs'
data as they are now, which tells a graph whose data changed after its forward pass."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

import autograd
from autograd import Node, Tensor


def downstream_of(inputs_first: list[Node], leaf: Node) -> list[Node]:
    """The leaf and every node computed from it, inputs first: what moving the leaf recomputes."""
    reached, found = {id(leaf)}, [leaf]
    for node in inputs_first:
        if node.op is not None and any(id(p) in reached for p in node.parents):
            reached.add(id(node))
            found.append(node)
    return found


def replay(
    order: list[Node],
    moved: dict[int, Any],
    base: dict[int, Any] | None = None,
    reverse: bool = True,
    instead: dict[int, Callable[[list[Any]], Any]] | None = None,
) -> dict[int, Any]:
    """Every node's data recomputed (by id) through the recorded ops, in float64, with the leaves in
    `moved` (by id) given new data. With `base` (an earlier replay), only the nodes that depend on a
    moved leaf are recomputed. `order` is root first (`reverse`) or inputs first. `instead` (by id): a
    function of a node's inputs' data to compute it by in place of its op (a rounding op held still). An op whose
    real forward gives a complex number here (a Python float's x ** 2.5 below 0) raises a ValueError, as one that
    refuses its inputs."""
    instead = instead or {}
    values: dict[int, Any] = dict(base) if base else {}
    changed = set(moved)
    with np.errstate(all="ignore"):  # a NaN is a value to compare, not a warning
        for node in reversed(order) if reverse else order:
            if id(node) in moved:
                values[id(node)] = moved[id(node)]
            elif node.op is None:
                if base is None:
                    values[id(node)] = _float64(node.data)
            elif base is None or any(id(p) in changed for p in node.parents):
                params = node.op_params if isinstance(node, Tensor) else None
                inputs = [values[id(p)] for p in node.parents]
                values[id(node)] = instead[id(node)](inputs) if id(node) in instead else node.op.run(inputs, params)
                value = values[id(node)]
                # a float's x ** 2.5 below 0 (a plain float, a Value's, is no complex number: without numpy's call)
                if value.__class__ is not float and np.iscomplexobj(value) and not np.iscomplexobj(node.data):
                    raise ValueError(f"{node.op.name} gives a complex number there")  # outside its domain
                changed.add(id(node))
    return values


def _float64(data: Any) -> Any:
    """Floating data in float64, for finite differences; anything else (integer labels) as it is."""
    if isinstance(data, np.ndarray) and data.dtype.kind == "f":
        return data.astype(np.float64)
    return data


def changed_after_forward(order: list[Node]) -> list[Node]:
    """The ops of `order` (in its order) whose recorded data is not what they give on their inputs' data
    now: an input was changed after the forward pass (micrograd's update `p.data += -0.1 * p.grad`, an
    optimizer's step), or the output itself. Each op runs on its inputs' own data and dtype, which gives
    the forward's numbers bit for bit. An op that cannot run again (a node built by hand) or refuses its
    inputs is not judged: the others around it are."""
    found = []
    with random_state_kept(), np.errstate(all="ignore"):  # a NaN is a value to compare, not a warning
        for node in order:
            if node.op is not None and not same(rerun(node), node.data) and _repeatable(node):
                found.append(node)
    return found


def random_state() -> tuple[Any, Any]:
    """numpy's random state and autograd's default generator's: what an op that draws (noise) moves on."""
    return np.random.get_state(), autograd.default_generator().bit_generator.state


@contextmanager
def random_state_kept() -> Iterator[None]:
    """Ops run again inside leave numpy's and autograd's random state as they found it: a user's op that draws
    (noise) drew again, and the user's random numbers go on as they would without the drawing."""
    drawn = random_state()
    try:
        yield
    finally:
        np.random.set_state(drawn[0])
        autograd.default_generator().bit_generator.state = drawn[1]


def rerun(node: Node) -> Any:
    """The node's op on copies of its inputs' data now (`input_copies`); its recorded data where the op refuses them
    (any op's refusal, users' too: then it is not judged)."""
    params = node.op_params if isinstance(node, Tensor) else None
    try:
        return node.op.run(input_copies(node), params)
    except Exception:  # noqa: BLE001 (not judged here: the others around it are)
        return node.data


def input_copies(node: Node) -> list[Any]:
    """`node`'s inputs' data now, each array a copy, for its op to run again on: a user's forward that writes into
    its input (ufunc.at ignores a read-only view) would write into the user's own leaf at each drawing."""
    return [np.copy(p.data) if isinstance(p.data, np.ndarray) else p.data for p in node.parents]


def _repeatable(node: Node) -> bool:
    """Whether the op gives the same data twice on the same inputs: a user's op that draws (noise) does not,
    and its difference from the recorded data tells nothing."""
    return same(rerun(node), rerun(node))


def same(again: Any, recorded: Any) -> bool:
    """Whether a rerun gave the recorded data: the same shape and numbers (NaN matching NaN)."""
    again, recorded = np.asarray(again), np.asarray(recorded)
    if again.shape != recorded.shape:
        return False
    nan = again.dtype.kind in "fc" and recorded.dtype.kind in "fc"
    return bool(np.array_equal(again, recorded, equal_nan=nan))
