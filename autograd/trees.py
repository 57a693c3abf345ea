"""Argument trees: lists, tuples and dicts nested to any depth, with numbers, arrays, Values and
Tensors as leaves (JAX's pytrees). The function transforms flatten an argument to its leaves,
differentiate with respect to each leaf, and rebuild the answer in the argument's structure."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from typing import Any

Rebuild = Callable[[Sequence[Any]], Any]


def flatten(tree: Any) -> tuple[list[Any], Rebuild]:
    """The leaves of `tree`, depth first (dicts in their key order), and a function that builds
    the same structure around new leaves. Anything not a list, tuple or dict is a leaf."""
    if not isinstance(tree, dict | list | tuple):  # the common case: one leaf
        return [tree], _one_leaf
    leaves: list[Any] = []

    def walk(node: Any) -> Callable[[Iterator[Any]], Any]:
        if isinstance(node, dict):
            keys, parts = list(node), [walk(v) for v in node.values()]
            if type(node) is dict:
                return lambda it: {k: part(it) for k, part in zip(keys, parts)}
            return lambda it: _refilled(node, {k: part(it) for k, part in zip(keys, parts)})
        if isinstance(node, list | tuple):
            parts = [walk(child) for child in node]
            make = getattr(node, "_make", type(node))  # a namedtuple is built by _make
            return lambda it: make([part(it) for part in parts])
        leaves.append(node)
        return next

    build = walk(tree)
    count = len(leaves)

    def rebuild(new_leaves: Sequence[Any]) -> Any:
        if len(new_leaves) != count:
            raise ValueError(f"this structure holds {count} leaves, got {len(new_leaves)}")
        return build(iter(new_leaves))

    return leaves, rebuild


def _refilled(like: dict, items: dict) -> dict:
    """A dict of `like`'s own type (an OrderedDict, a defaultdict, a dict with attribute access) and
    attributes, holding `items`."""
    new = copy.copy(like)
    new.clear()
    new.update(items)
    return new


def _one_leaf(new_leaves: Sequence[Any]) -> Any:
    (leaf,) = new_leaves
    return leaf


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    """`tree` with `fn` applied to every leaf."""
    leaves, rebuild = flatten(tree)
    return rebuild([fn(leaf) for leaf in leaves])
