"""Gradient hooks, PyTorch's `t.register_hook(fn)`: `fn(grad)` is called when a backward pass has
summed a node's gradient, before the node passes it on (or, for a leaf, adds it into `.grad`), and
may return a gradient to use in its place. Every backward pass runs them: `backward`, `gradients`
and the transforms, but not `pullback` nor `_backward` by hand (one rule, not the pass), nor jvp's
pass of its pullback (forward mode in PyTorch and JAX, where no backward hook runs).

Hooks live on their node (its `_hooks` slot, set only there), so that a hook that refers to its own
tensor (`w.register_hook(lambda g: g * (w != 0))`) is garbage the collector frees with it, as PyTorch's;
a table by node id, an entry dropped when its node is freed (so an id in it is always that node's),
tells a pass which nodes have them: it tests the table once, so that nothing costs where no hook is
registered. A hook is Python that a compiled replay does not run: a step being
recorded that registers one or runs one runs eagerly (a CompileWarning), and registering one makes
every compiled step record again before its next replay, as a requires_grad switch does."""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import Any

from . import compile_record
from .compile_recording import SWITCHES
from .graph import HOOKS, TICKS, USER_CODE
from .type_names import type_name

_KEYS = itertools.count()
VALUE_HOOKS: dict[int, dict[int, Any]] = {}  # a Value's hooks by its id (see _hooks_of)

REPLAY = (
    "a gradient hook (register_hook) was registered or ran in the step's backward: a replay runs none of the "
    "step's Python, so it would not call it. Register hooks outside compiled steps and run such steps eagerly, "
    "or compute the changed gradient in the step (clip it with ops before the optimizer's step)"
)


class RemovableHandle:
    """What register_hook returns: `remove()` takes the hook off (once or more; PyTorch's handle), and a
    `with` block removes it at its end."""

    __slots__ = ("_node", "_key")

    def __init__(self, node: weakref.ref, key: int) -> None:
        self._node, self._key = node, key  # weakly, as PyTorch's: a handle kept does not keep the tensor

    def remove(self) -> None:
        node = self._node()
        hooks = None if node is None else _hooks_of(node)
        if hooks is not None and hooks.pop(self._key, None) is not None and not hooks:
            _drop(node)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def register_hook(node: Any, hook: Callable[[Any], Any]) -> RemovableHandle:
    """Call `hook(grad)` whenever a backward pass has summed `node`'s gradient (see the module)."""
    if not callable(hook):
        raise TypeError(f"register_hook: hook must be callable (a function of the gradient), got {type_name(hook)}")
    compile_record.eager_only(REPLAY)
    SWITCHES.count += 1  # compiled steps record again, meeting the hook, before their next replay
    i, key = id(node), next(_KEYS)
    if i not in HOOKS:
        if hasattr(type(node), "_hooks"):
            node._hooks = {}
        else:
            VALUE_HOOKS[i] = {}
        HOOKS[i] = weakref.ref(node, lambda _, i=i: (HOOKS.pop(i, None), VALUE_HOOKS.pop(i, None)))
    _hooks_of(node)[key] = hook
    return RemovableHandle(HOOKS[i], key)


def _hooks_of(node: Any) -> dict[int, Any] | None:
    """`node`'s hooks by handle key: a Tensor's `_hooks` slot, where the collector sees a hook that refers
    to its own tensor (a pruning mask's `lambda g: g * (w != 0)`) and frees both; a Value's in VALUE_HOOKS by
    id, as a Value keeps no slot for them (one would cost every scalar node 8 bytes, 126 -> 134 a node), so
    a Value's hook that refers to that Value keeps it alive until the hook is removed."""
    return getattr(node, "_hooks", None) if hasattr(type(node), "_hooks") else VALUE_HOOKS.get(id(node))


def _drop(node: Any) -> None:
    """`node` without hooks: its last one removed."""
    if hasattr(type(node), "_hooks"):
        del node._hooks
    else:
        del VALUE_HOOKS[id(node)]
    del HOOKS[id(node)]


def has_hooks(node: Any) -> bool:
    """Whether `node` has a gradient hook registered (register_hook) and not removed: what viz asks before
    it computes gradients, which a hook would change (and which would run it again)."""
    return id(node) in HOOKS


def run_hooks(node: Any, g: Any, create_graph: bool) -> Any:
    """`node`'s gradient g after its hooks, each given what the one before returned (None: unchanged). Counted
    (USER_CODE): a hook may change in place what a rule still to run reads."""
    compile_record.eager_only(REPLAY)
    USER_CODE.ran = next(TICKS)
    for hook in list((_hooks_of(node) or {}).values()):
        result = hook(node._hook_argument(g))
        if result is not None:
            g = node._hook_result(result, create_graph, getattr(hook, "__name__", repr(hook)))
    return g
