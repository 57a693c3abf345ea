"""What a node notes of the keyword arguments a rule reads again as the caller holds them (a loss's class weight, a
user's op's `ws=[w]` or stash `cache={}`), and backward's refusal of one changed since the forward, which would give
the gradient of what it holds then: a Tensor changed in place, an array written into, a list's or dict's item
replaced or removed (and, in the same words, of a tensor input changed in place: tensor_changed). An engine's op
names them (OpDef.rereads), a user's op may (Op.rereads), else all of its keyword arguments are noted. The tensor
engine's Record and backward use these, and so does a Value's op (user_writes.value_op)."""

from __future__ import annotations

import hashlib
import operator
from typing import Any

import numpy as np


def noted(params: dict[str, Any], names: Any) -> list[tuple[str, Any, Any]]:
    """(name, value, what it holds now: `held_now`) of each Tensor or array among the keyword arguments `names` of
    `params`, and of each list or dict among them and each Tensor, array, list and dict those, tuples and arrays of
    objects hold, at any depth (a user's op's `ws=[w]`, kept as the caller's: its rule reads what they hold at
    backward)."""
    found = []
    for name in names:
        value = params.get(name)
        for held in _held_in(value) if holds_items(value) else (value,):
            now = held_now(held)
            if now is not None:
                found.append((name, held, now))
    return found


def holds_items(value: Any) -> bool:
    """Whether `value` holds objects of the caller's, which it may replace or write into after the forward: a list,
    a tuple, a dict, or a numpy array of objects (ragged rows: a copy of it holds the same rows)."""
    return isinstance(value, list | tuple | dict) or (isinstance(value, np.ndarray) and value.dtype.hasobject)


def _held_in(container: Any) -> list[Any]:
    """A container (`holds_items`) and what it holds, at any depth, each once (a list that holds itself too)."""
    found: dict[int, Any] = {}

    def walk(x: Any) -> None:
        if id(x) in found:
            return
        found[id(x)] = x
        if holds_items(x):
            for item in dict.values(x) if isinstance(x, dict) else x.flat if isinstance(x, np.ndarray) else x:
                walk(item)

    walk(container)
    return list(found.values())


class PassReads:
    """What the keyword arguments a backward pass's rules read again (arrays, lists, dicts) held at its start, by id
    (`held`: each read once, a log every node holds hashed once). Where user code ran in the pass (a hook, a user's
    rule: USER_CODE's tick moved), an array is read again before the next rule that runs and reads it (`still`),
    once a tick: a write undone before a later reader (a hook writes, a rule reads it, a user's rule writes it back)
    is seen where it was read, and one after every rule reading it that runs (a reader no gradient reaches runs
    none) changes no gradient and is let pass. Hashed again the first time (SHA-256: 4.4 ms for 1000 x 1000), then
    compared with a copy taken then (0.23 ms, less than the rule's own product with it), kept to the pass's end: an
    array given to 100 user's ops with another user's op between each is read 100 times. A list's or dict's items
    are compared again before each reader (no hash): a stash grown a call at a time holds fewer in the notes of its
    first call's node (a hook replacing item 1: x.grad 800 for 24)."""

    __slots__ = ("held", "read_at", "copies")

    def __init__(self) -> None:
        self.held: dict[int, Any] = {}
        self.read_at: dict[int, int] = {}  # the tick of user code each array was last read again after
        self.copies: dict[int, Any] = {}  # each array's bytes, once hashed again equal (and its words' view)

    def noted(self, option: Any) -> Any:
        """What `option` holds, read once a pass (at its start)."""
        key = id(option)
        held = self.held
        return held[key] if key in held else held.setdefault(key, held_now(option))

    def still(self, array: np.ndarray, tick: int) -> bool:
        """Whether `array` holds what it held at the pass's start, read again where user code ran since (at `tick`,
        USER_CODE's) it was last read: hashed the first time, then compared bitwise with a copy taken then."""
        key = id(array)
        if self.read_at.get(key) == tick:
            return True
        copy = self.copies.get(key)
        if copy is None:
            words = _words(array)
            if _array_held(array, words) != self.held[key]:
                return False
            # a C-contiguous array's words are a view of it, kept to read it again (1.5 us less a compare); an array
            # of objects' are a copy of their addresses, read anew each time
            live = array.flags.c_contiguous and not array.dtype.hasobject
            self.copies[key] = (array.dtype, array.shape, words if live else None, words.tobytes())
        else:
            dtype, shape, words, then = copy
            if not (
                array.dtype == dtype
                and array.shape == shape
                and _same_words(_words(array) if words is None else words, then)
            ):
                return False  # not noted as read: each later reader finds it changed too
        self.read_at[key] = tick
        return True


def _words(a: np.ndarray) -> np.ndarray:
    """a's bytes (`_bytes_of`) as 8-byte words where they fill them: a compare of those is 3 times faster."""
    data = _bytes_of(a)
    if isinstance(data, bytes):  # an array of objects: their addresses
        return np.frombuffer(data, np.uint64)
    return data.view(np.uint64) if data.size % 8 == 0 else data


def _same_words(now: np.ndarray, then: bytes) -> bool:
    """Whether `now` (`_words`) holds the bytes `then` (its copy): as bytes where short (numpy's compare costs 2 us a
    call, and a log's arrays are many), as words where long (bytes would copy 8 MB to compare them)."""
    if len(then) <= _SHORT:
        return now.tobytes() == then
    return now.nbytes == len(then) and not (now != np.frombuffer(then, now.dtype)).any()


_SHORT = 1 << 16  # the bytes `_same_words` compares as bytes


class Items:
    """The items a list or dict a rule reads again held at the forward, the objects themselves (a dict's by key).
    It may gain more after (a log the forward appends to, a stash given new keys); an item replaced or removed
    (`ws[0] = w2`, a stash the op's next call overwrote) is what the rule would read instead: `kept_in`."""

    __slots__ = ("items",)

    def __init__(self, container: list[Any] | dict[Any, Any]) -> None:
        self.items = dict(dict.items(container)) if isinstance(container, dict) else list(container)

    def kept_in(self, now: Items) -> bool:
        """Whether the container's items `now` (at backward) hold each of these at its place."""
        then, held = self.items, now.items
        if isinstance(then, dict):
            return all(k in held and _same(held[k], v) for k, v in then.items())
        return len(held) >= len(then) and (all(map(operator.is_, held, then)) or all(map(_same, held, then)))


def _same(now: Any, then: Any, depth: int = 0) -> bool:
    """The same object, the same numbers (`_same_numbers`), the same string, or a tuple, list or dict of such items:
    written back, or a stash a drawing's rerun of the forward made again (viz), the rule reads the same. Nested deeper
    than _DEPTH (a list holding itself, made again): not the same."""
    if now is then:
        return True
    if type(now) is type(then) is int:  # one past int64's range too
        return now == then
    if isinstance(now, _NUMBERS) and isinstance(then, _NUMBERS):
        return _same_numbers(np.asarray(now), np.asarray(then))
    if type(now) is not type(then):
        return False
    if isinstance(now, tuple | list) and depth < _DEPTH:
        return len(now) == len(then) and all(_same(a, b, depth + 1) for a, b in zip(now, then, strict=True))
    if isinstance(now, dict) and depth < _DEPTH:
        return now.keys() == then.keys() and all(_same(now[k], then[k], depth + 1) for k in then)
    return type(now) in (str, bytes) and now == then


_DEPTH = 16  # the nesting `_same` compares
_NUMBERS = (int, float, complex, np.generic, np.ndarray)  # bool is an int


def _same_numbers(now: np.ndarray, then: np.ndarray) -> bool:
    """Whether `now` holds `then`'s numbers, bitwise (NaN is NaN, -0.0 is not +0.0; an array of objects: the same
    objects), in its shape and kind (2 is not 2.0). Of wider floats, as a drawing's rerun in long doubles stashes
    them: cast to `then`'s dtype bitwise `then`, and equal to `then` widened (no digit more)."""
    if now.shape != then.shape or now.dtype.kind != then.dtype.kind:
        return False
    if now.dtype == then.dtype:
        return bytes(_bytes_of(now)) == bytes(_bytes_of(then))
    if now.dtype.kind not in "fc" or now.dtype.itemsize < then.dtype.itemsize:
        return False
    with np.errstate(all="ignore"):
        narrowed = now.astype(then.dtype)
        return bytes(_bytes_of(narrowed)) == bytes(_bytes_of(then)) and np.array_equal(
            now, then.astype(now.dtype), equal_nan=True
        )


def held_now(value: Any) -> Any:
    """What a keyword argument a rule reads again holds now, to compare at backward with what it held at the forward
    (`unchanged`): a Tensor's version count (every change in place counts), an array's numbers as a SHA-256 of its
    bytes (it has no count: bitwise, so NaN equals NaN and -0.0 differs from +0; with its dtype and shape, which can
    be set in place too; a digest, not the bytes: a node keeps no copy of each array, of a log a forward appends to,
    say), a list's or dict's `Items`; None for anything else (a number, a string, a tuple: nothing a caller writes
    into)."""
    if hasattr(value, "_counter"):
        return value._counter[0]
    if isinstance(value, np.ndarray):
        return _array_held(value, _bytes_of(value))
    if isinstance(value, list | dict):
        return Items(value)
    return None


def _array_held(a: np.ndarray, data: Any) -> tuple[Any, ...]:
    """What array `a` holds, as `held_now` notes it, of its bytes `data` (`_bytes_of`, or `_words` of them)."""
    return a.dtype, a.shape, hashlib.sha256(data).digest()


def unchanged(now: Any, seen: Any) -> bool:
    """Whether what a keyword argument a rule reads again holds now is what it held at the forward (both `held_now`)."""
    return seen.kept_in(now) if isinstance(seen, Items) else now == seen


def _bytes_of(a: np.ndarray) -> Any:
    """a's bytes in C order, read in place where it is C-contiguous (an array of objects: their addresses)."""
    if a.dtype.hasobject:
        return a.tobytes()
    return np.ascontiguousarray(a).reshape(-1).view(np.uint8)


def array_changed(name: str, array: np.ndarray, op: Any, during: bool = False) -> RuntimeError:
    """The refusal of a backward through Op `op` whose rule reads again `array`, given in its keyword argument `name`
    (a loss's class weight, a user's op's `ws=[w]`), which was written into after the forward (`during` backward, by
    a hook or a user's rule). A user's op that declared none (Op.rereads None) may not read it (running statistics the
    caller updates): `undeclared` says so."""
    given = f"the array of shape {array.shape} given as {op.name}'s {name} was changed"
    if during:
        return RuntimeError(f"{given} {during_backward(f'{op.name} used it', 'a copy of it')}{undeclared(name, op)}")
    return RuntimeError(
        f"{given} after {op.name} used it (a write into it or into memory it shares: w[...] = ..., load_state_dict of "
        "a buffer it is), so backward would give wrong gradients: run the forward again after changing it"
        f"{undeclared(name, op)}"
    )


def held_changed(name: str, held: Any, given: Any, op: Any, during: bool = False) -> RuntimeError:
    """The refusal of a backward through Op `op` whose keyword argument `name` (`given`) is or holds `held`, an array
    or a list or dict (`held_now`) changed since the forward (`during` backward, by a hook or a user's rule)."""
    if isinstance(held, np.ndarray):
        return array_changed(name, held, op, during)
    where = f"given as {op.name}'s" if held is given else f"held in {op.name}'s"
    if during:
        return RuntimeError(
            f"the {type(held).__name__} {where} {name} had an item replaced or removed "
            f"{during_backward(f'{op.name} used it', 'a copy of it')}{undeclared(name, op)}"
        )
    return RuntimeError(
        f"the {type(held).__name__} {where} {name} no longer holds what it held when {op.name} used it (an item "
        "replaced or removed after the forward: ws[0] = w2, or a stash the op's next call overwrote), so backward "
        "would give wrong gradients: give each call a container of its own (cache={}), or run the forward again "
        f"after changing it{undeclared(name, op)}"
    )


def tensor_changed(t: Any, when: str, during: bool = False, what: str = "") -> RuntimeError:
    """The error of a backward through tensor t, changed in place after `when` (an op used it, made it); `during`
    backward, by a hook or a user's rule, which may change a clone instead, or t once backward has returned. `what`:
    its shape's or dtype's change, where known (tensor_versions.kind_changed), named."""
    name = repr(t.label) if t.label else f"of shape {t.shape}"
    when = f"{when} ({what}: .data replaced or resized)" if what else when
    if during:  # a hook's change: its fix is the hook's, what changed named too
        return RuntimeError(f"tensor {name} was changed in place {during_backward(when, 'a clone of it (t.clone())')}")
    if what:
        return RuntimeError(
            f"tensor {name} was changed in place after {when}, "
            "so backward's gradients would not fit the forward's: keep its shape and dtype (write into it: "
            "t.data[...] = new), or run the forward again after changing it"
        )
    return RuntimeError(
        f"tensor {name} was changed in place after {when} (through itself or a tensor sharing its memory: "
        "a slice, .T, a reshape, detach()), so backward would give wrong gradients: run the forward again "
        "after changing it"
    )


def option_changed(name: str, option: Any, made_by: Any, during: bool) -> RuntimeError:
    """The error of a backward through the op that made a node (`made_by`, its Record) whose keyword argument `name`,
    which its rule reads again, is or holds `option`, changed after the forward: a Tensor's as any tensor's
    (`tensor_changed`); an array's (no version count), a list's or a dict's named so (held_changed)."""
    op = made_by.op
    if hasattr(option, "_counter"):
        return RuntimeError(f"{tensor_changed(option, f'{op.name} used it', during)}{undeclared(name, op)}")
    return held_changed(name, option, made_by.params.get(name), op, during)


def during_backward(when: str, instead: str) -> str:
    """How a refusal names a change made during backward by user code (graph.USER_CODE) after `when` (an op used
    it), and its fix: change `instead` (a copy of it) in the hook, or change it once backward has returned."""
    return (
        f"during backward (by a gradient hook or the rule of an op of yours, an optimizer's step in one) after {when}, "
        f"and a rule still to run reads it, so backward would give wrong gradients: change {instead} in the hook, or "
        "change it after backward returns"
    )


def undeclared(name: str, op: Any) -> str:
    """The way out of a refusal for keyword argument `name` of Op `op`, changed after the forward, where the op
    declared none it reads again (Op.rereads None: a user's): the rule may not read it; "" where it declared."""
    if op.rereads is not None:
        return ""
    return (
        f"; if its rule does not read {name} (running statistics the caller updates), name the keyword arguments it "
        f"does read again: Op({op.name!r}, forward, vjp, rereads=(...)), () for none"
    )
