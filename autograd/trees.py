"""Argument trees: lists, tuples and dicts nested to any depth, with numbers, arrays, Values and
Tensors as leaves (JAX's pytrees). The function transforms flatten an argument to its leaves,
differentiate with respect to each leaf, and rebuild the answer in the argument's structure."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .type_names import type_name

Rebuild = Callable[[Sequence[Any]], Any]


def flatten(tree: Any) -> tuple[list[Any], Rebuild]:
    """The leaves of `tree`, depth first (dicts in the order dict keeps their items), and a function that builds
    the same structure around new leaves (of each container's own class: a namedtuple, a tuple
    subclass whose constructor takes other arguments, `remade`). Anything not a list, tuple or dict
    is a leaf. HoldsItself (a TypeError) for a container that holds itself, which has no leaves to
    end at (a list appended to itself)."""
    if not isinstance(tree, dict | list | tuple):  # the common case: one leaf
        return [tree], _one_leaf
    leaves: list[Any] = []
    above: dict[int, None] = {}  # the containers from the top down to the node walked (a cycle comes back to one)

    def walk(node: Any) -> Callable[[Iterator[Any]], Any]:
        if not isinstance(node, dict | list | tuple):
            leaves.append(node)
            return next
        key = id(node)
        if key in above:
            raise _Cycle
        above[key] = None
        if isinstance(node, dict):
            # as dict keeps them: a subclass's __iter__ may list keys otherwise
            keys = list(node) if node.__class__ is dict else list(dict.keys(node))
            parts = [walk(v) for v in dict.values(node)]
            del above[key]
            if type(node) is dict:
                return lambda it: {k: part(it) for k, part in zip(keys, parts)}
            return lambda it: _refilled(node, {k: part(it) for k, part in zip(keys, parts)})
        parts = [walk(child) for child in node]
        del above[key]
        return lambda it: remade(node, [part(it) for part in parts])

    try:
        build = walk(tree)
    except _Cycle:
        raise _holding_itself(tree) from None
    count = len(leaves)

    def rebuild(new_leaves: Sequence[Any]) -> Any:
        if len(new_leaves) != count:
            raise ValueError(f"this structure holds {count} leaves, got {len(new_leaves)}")
        return build(iter(new_leaves))

    return leaves, rebuild


class HoldsItself(TypeError):
    """A list, tuple or dict that holds itself, at any depth: a tree has leaves at its ends. `path` is where it
    holds itself, from the top (`[1][0]`)."""

    def __init__(self, message: str, kind: str = "", path: str = "") -> None:
        super().__init__(message)  # the message alone first, as every error here: pickle remakes it from args
        self.kind, self.path = kind, path


class _Cycle(Exception):
    """flatten's walk met a container it is inside of (its path is found again, only then: `_holding_itself`)."""


def _holding_itself(tree: Any) -> HoldsItself:
    """The HoldsItself for `tree`, naming where the first container that holds itself is met again."""
    above: set[int] = set()

    def find(node: Any, path: str) -> HoldsItself | None:
        if not isinstance(node, dict | list | tuple):
            return None
        if id(node) in above:
            kind = type_name(node)
            return HoldsItself(f"a {kind} that holds itself (at {path or 'the top'})", kind, path)
        above.add(id(node))
        if isinstance(node, dict):
            children = [(f"{path}[{k!r}]", v) for k, v in dict.items(node)]
        else:
            children = [(f"{path}[{k}]", child) for k, child in enumerate(node)]
        for where, child in children:
            found = find(child, where)
            if found is not None:
                return found
        above.discard(id(node))
        return None

    found = find(tree, "")
    assert found is not None  # flatten met one
    return found


def remade(like: list | tuple, items: list[Any]) -> list | tuple:
    """A list or tuple of `like`'s class and attributes holding `items`: a plain one, a namedtuple
    (by `_make`), a subclass whose constructor takes other arguments than its items (`Pair(a, b)`,
    made as list's and tuple's own make it, its `__dict__` and slots copied)."""
    cls = type(like)
    if cls is list or cls is tuple:
        return cls(items)
    if hasattr(like, "_make"):
        return like._make(items)
    if isinstance(like, tuple):
        new: Any = tuple.__new__(cls, items)
    else:
        new = list.__new__(cls)
        list.extend(new, items)
    if getattr(like, "__dict__", None):
        new.__dict__.update(like.__dict__)
    for name in {s for c in cls.__mro__ for s in _slot_names(c)}:  # a list subclass's own slots (a tuple's are empty)
        value = getattr(like, name, _UNSET)
        if value is not _UNSET:
            object.__setattr__(new, name, value)
    return new


_UNSET = object()


def _slot_names(cls: type) -> tuple[str, ...]:
    """The slots a class declares (a string is one name), without __dict__ and __weakref__."""
    declared = cls.__dict__.get("__slots__", ())
    names = (declared,) if isinstance(declared, str) else tuple(declared)
    mangled = [f"_{cls.__name__.lstrip('_')}{n}" if n.startswith("__") and not n.endswith("__") else n for n in names]
    return tuple(n for n in mangled if n not in ("__dict__", "__weakref__"))


def aligned(tree: Any, like: Any, path: str = "") -> list[Any]:
    """The leaves of `tree` in the order of `like`'s, for a tree given beside another of its structure
    (tangents beside primals, a cotangent beside an output): dict entries paired by key, as JAX pairs
    them, lists and tuples by place. ValueError naming where the two differ (another kind of node,
    other keys, another length): paired by place, two leaves of one shape would silently swap."""
    where = path or "the top"
    if isinstance(like, dict):
        if not isinstance(tree, dict):
            raise ValueError(f"at {where} a dict (keys {list(like)}) was expected, got {type_name(tree)}")
        if set(tree) != set(like):
            raise ValueError(f"at {where} the keys {list(like)} were expected, got {list(tree)}")
        return [leaf for key, child in dict.items(like) for leaf in aligned(tree[key], child, f"{path}[{key!r}]")]
    if isinstance(like, list | tuple):
        expected = f"at {where} a {type_name(like)} of {len(like)} was expected"
        if not isinstance(tree, list | tuple):
            raise ValueError(f"{expected}, got {type_name(tree)}")
        if len(tree) != len(like):
            raise ValueError(f"{expected}, got one of {len(tree)}")
        return [leaf for k, pair in enumerate(zip(tree, like)) for leaf in aligned(*pair, f"{path}[{k}]")]
    if isinstance(tree, dict | list | tuple):
        raise ValueError(f"at {where} one leaf (an array or a number) was expected, got a {type_name(tree)}")
    return [tree]


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


def paths(tree: Any, root: str = "") -> list[str]:
    """Where each leaf of `tree` is, in `flatten`'s order, written after `root`: `x['w'][0]`."""
    if isinstance(tree, dict):
        return [p for key, child in dict.items(tree) for p in paths(child, f"{root}[{key!r}]")]
    if isinstance(tree, list | tuple):
        return [p for k, child in enumerate(tree) for p in paths(child, f"{root}[{k}]")]
    return [root]


def structure(tree: Any) -> Any:
    """What `tree` is without its leaves (each node's type, keys or length): equal for two trees of one
    structure, so that results of one function at several points can be told apart where they differ."""
    if isinstance(tree, dict):
        return (type(tree), tuple((key, structure(child)) for key, child in dict.items(tree)))
    if isinstance(tree, list | tuple):
        return (type(tree), tuple(structure(child) for child in tree))
    return None


def broadcast_prefix(prefix: Any, tree: Any, path: str = "") -> list[Any]:
    """For each leaf of `tree` (in `flatten`'s order), the leaf of `prefix` at or above its place: a
    prefix's leaf stands for the whole subtree under it (JAX's in_axes: 0 for a dict argument maps each of
    its arrays). Dict entries are paired by key, lists and tuples by place; ValueError naming where the
    prefix has a node the tree does not (other keys, another length, a list where the tree has a leaf)."""
    if not isinstance(prefix, dict | list | tuple):
        return [prefix] * len(flatten(tree)[0])
    where = path or "the top"
    if isinstance(prefix, dict):
        if not isinstance(tree, dict) or set(tree) != set(prefix):
            got = f"keys {list(tree)}" if isinstance(tree, dict) else _kind(tree)
            raise ValueError(f"at {where} a dict with keys {list(prefix)} was given for {got}")
        return [a for key, child in dict.items(tree) for a in broadcast_prefix(prefix[key], child, f"{path}[{key!r}]")]
    if not isinstance(tree, list | tuple) or len(tree) != len(prefix):
        got = f"a {type_name(tree)} of {len(tree)}" if isinstance(tree, list | tuple) else _kind(tree)
        raise ValueError(f"at {where} a {type_name(prefix)} of {len(prefix)} was given for {got}")
    return [a for k, pair in enumerate(zip(prefix, tree)) for a in broadcast_prefix(*pair, f"{path}[{k}]")]


def _kind(tree: Any) -> str:
    return f"a {type_name(tree)}" if isinstance(tree, dict | list | tuple) else f"one leaf ({type_name(tree)})"
