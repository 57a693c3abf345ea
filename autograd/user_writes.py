"""What a user's op is given to read: read-only views of the arrays it gets (inputs, keyword arguments, and
for its rule g and out), so that a forward or rule that writes into one (`x *= 2`) is refused naming the op,
not left to change a leaf's data, what other rules read, or what a second backward reads, without a word.
Arrays held in a list, tuple or dict argument (`ws=[w1, w2]`) are the caller's own, made read-only for the
length of each call and writeable again after it: the containers stay the caller's (a forward's stash for its
rule, a log). A write into such an array, or an item of such a container replaced, between the forward and the
backward is refused by the backward (user_rereads: a Tensor's Record and a Value's rule, `value_op`), as it would
give the gradient of what it holds then, unless the op names the keyword arguments its rule reads again and that
one is not among them (`Op.rereads`). Arrays held as an object's attributes (a dataclass's) are not reached and
stay writeable.
The tensor engine's Record and user_forward use these, and so does a Value's op with array arguments.

numpy's ufunc.at (np.add.at) ignores the read-only flag and writes anyway. Such a write is found, at
no cost outside it, under `detect_anomaly()`: each array the op is given is fingerprinted (a CRC-32 of
its bytes, a copy for a view that is not contiguous) before the call and compared after, and the op is
refused as above. `gradcheck` finds it too (f changed its input). Outside both it goes unseen (but for an array a
rule still to run reads again, which backward reads again: user_rereads.PassReads); so does a write that leaves
every byte as it was (changing nothing) or one whose CRC matches (1 in 2**32)."""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import modes
from .trees import flatten
from .user_rereads import held_changed, held_now, holds_items, noted, unchanged


class WroteIntoInput(ValueError):
    """A user's op whose forward or rule wrote into an array the graph reads (numpy refused the write)."""


def read_only(x: Any) -> Any:
    """An array as a view that cannot be written (a subclass's too: a compiled step's input, which compile's
    recording gives the step as a watched view); anything else (a Tensor under create_graph) as it is."""
    if not isinstance(x, np.ndarray):
        return x
    view = x.view()
    view.flags.writeable = False
    return view


def read_only_values(params: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments with each array a read-only view. A list, tuple or dict among them is the caller's
    own (a forward may keep what its rule reads in one, or log into one; a subclass may not be rebuilt from its
    items): `refusing_writes` makes the arrays it holds, at any depth, read-only for the length of each call."""
    return {name: _given(value) for name, value in params.items()} if params else params


def _given(value: Any) -> Any:
    """A keyword argument as its op is given it: an array as a read-only view, a container as it is, but for one
    holding an array of a subclass (compile's watched input, `ws=[y]`, whose reads the recording would take for
    the step's own), rebuilt around read-only views, which are plain arrays there."""
    if not isinstance(value, list | tuple | dict):
        return read_only(value)
    if set(map(type, _arrays(value))) <= {np.ndarray}:
        return value
    try:
        leaves, rebuild = flatten(value)
        return rebuild([read_only(x) for x in leaves])
    except Exception:  # a subclass not built from its items (MyList(name, items)), a list holding itself: as it
        return value  # is, its arrays locked


def arrays_in(values: Iterable[Any]) -> list[np.ndarray]:
    """The arrays among `values` and those held in their lists, tuples and dicts, at any depth: all an op is given."""
    return _arrays(list(values))


def _held(given: list[Any]) -> list[np.ndarray]:
    """The writeable arrays held in lists, tuples or dicts among `given`, at any depth, each once, those holding
    their memory first (a view's flag can be set back only after its base's)."""
    found = {id(a): a for value in given if isinstance(value, list | tuple | dict) for a in _arrays(value)}
    held = [a for a in found.values() if a.flags.writeable and _restorable(a)]
    return [a for a in held if a.base is None] + sorted((a for a in held if a.base is not None), key=_depth)


def _arrays(tree: Any, seen: set[int] | None = None) -> list[np.ndarray]:
    """The arrays in `tree` (lists, tuples and dicts, as trees.flatten reads them), at any depth, each container
    read once (one that holds itself too): one Python call per container, not per array (an op given 1000 arrays
    in a list is called once a step or more)."""
    if isinstance(tree, np.ndarray):
        return [tree]
    seen = set() if seen is None else seen
    if not isinstance(tree, list | tuple | dict) or id(tree) in seen:
        return []
    seen.add(id(tree))
    found = []
    for x in tree.values() if isinstance(tree, dict) else tree:
        if isinstance(x, np.ndarray):
            found.append(x)
        elif isinstance(x, list | tuple | dict):
            found += _arrays(x, seen)
    return found


def _restorable(a: np.ndarray) -> bool:
    """Whether a locked `a` can be made writeable again: numpy refuses that to a view of an array that is read-only
    (the caller's `B.flags.writeable = False` after taking `V = B[:2]`, or an outer op's lock of B while an op it
    calls is given V). Such a view is left as it is: locked, it would stay read-only for good."""
    while isinstance(a.base, np.ndarray):
        a = a.base
        if not a.flags.writeable:
            return False
    return True


def _depth(a: np.ndarray) -> int:
    depth = 0
    while isinstance(a.base, np.ndarray):
        a, depth = a.base, depth + 1
    return depth


def _lock(held: list[np.ndarray]) -> None:
    if held:
        with warnings.catch_warnings():  # a broadcast_arrays result warns that it will not be writeable
            warnings.simplefilter("ignore", FutureWarning)
            for a in held:
                a.flags.writeable = False


def forward_wrote(name: str, how: str) -> WroteIntoInput:
    """The refusal of op `name`'s forward, which wrote into an array it was given (`how`: numpy's words)."""
    return WroteIntoInput(
        f"the forward of op {name!r} wrote into an input or a keyword argument ({how}), data the graph and your "
        "other ops read: compute a new array instead (x * 2, not x *= 2; y = x.copy() before writing into y)"
    )


def rule_wrote(name: str, how: str) -> WroteIntoInput:
    """The refusal of op `name`'s rule, which wrote into an array it was given (`how`: numpy's words)."""
    return WroteIntoInput(
        f"the derivative rule of op {name!r} wrote into its g, its out, an input or a keyword argument ({how}), "
        "which other rules and the graph read too: compute a new array instead (g * 2, not g *= 2)"
    )


def refusing_writes(
    name: str,
    f: Callable[..., Any],
    wrote: Callable[[str, str], WroteIntoInput],
    bound: dict[str, Any] | None = None,
) -> Any:
    """f, its writes into a read-only array refused naming op `name` (`wrote`: forward_wrote or rule_wrote);
    under detect_anomaly, also those of ufunc.at, which ignores the flag (see the module's docstring), into
    its arguments or the keyword arguments `bound` into it (Op.bind)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        given = [*args, *kwargs.values(), bound or {}]
        anomaly = modes.entered and modes.current.anomaly
        watched = _fingerprints(given) if anomaly else None
        held = _held(given)
        _lock(held)
        try:
            result = f(*args, **kwargs)
        except ValueError as e:
            if "read-only" not in str(e):
                raise
            raise wrote(name, str(e)) from None
        finally:
            for a in held:
                a.flags.writeable = True
        if watched and any(_fingerprint(a) != before for a, before in watched):
            raise wrote(name, "an array it was given changed although read-only, as np.add.at (ufunc.at) writes")
        return result

    return call


def _fingerprints(given: list[Any]) -> list[tuple[np.ndarray, int]]:
    """Each array among `given` (or in lists, tuples or dicts among them, at any depth: a rule's inputs and keyword
    arguments; not those of Python objects, which have no bytes of their own) with its `_fingerprint`."""
    arrays = [a for a in _arrays(given) if not a.dtype.hasobject]
    return [(a, _fingerprint(a)) for a in arrays]


def _fingerprint(a: np.ndarray) -> int:
    """CRC-32 of an array's bytes, read in place where it is contiguous."""
    return zlib.crc32(a if a.flags.c_contiguous else np.ascontiguousarray(a))


def value_op(op: Any, params: dict[str, Any], needs: tuple[bool, ...]) -> Any:
    """op bound to a Value node's keyword arguments and needs (Op.bind). Arrays among them are given as
    read-only views, and a forward or rule that writes into one is refused naming the op, as a tensor's
    user op is: it changed what the rule read, and every later backward, silently. Its rule refuses a list's
    or dict's item changed since the forward (`ks[0] = 10.0`), whether or not they hold arrays."""
    if not params:
        return op.bind(params, needs=needs)
    if _arrays(params):
        viewed = read_only_values(params)
        bound = op.bind(viewed, needs=needs)
        bound.forward = refusing_writes(bound.name, bound.forward, forward_wrote, viewed)
        bound.vjp = refusing_writes(bound.name, bound.vjp, rule_wrote, viewed)
    else:
        bound = op.bind(params, needs=needs)
    names = [k for k in op.reread(params) if holds_items(params.get(k))]
    if names:  # the caller's own containers: a Value has no Record (Tensor's) to note them
        bound.forward, bound.vjp = _refusing_changes(op, bound.forward, bound.vjp, params, names)
    return bound


def _refusing_changes(
    op: Any, forward: Callable[..., Any], vjp: Callable[..., Any], params: dict[str, Any], names: list[str]
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """forward noting what the keyword arguments `names` hold after its first call, the node's (a forward may stash
    into them for its rule; a drawing runs it again), and vjp refusing to run where that changed since."""
    held: list[tuple[str, Any, Any]] = []
    ran: list[bool] = []

    def noting(*args: Any, **kwargs: Any) -> Any:
        out = forward(*args, **kwargs)
        if not ran:
            ran.append(True)
            held.extend(noted(params, names))
        return out

    def rule(*args: Any, **kwargs: Any) -> Any:
        for name, value, seen in held:
            if not unchanged(held_now(value), seen):
                raise held_changed(name, value, params[name], op)
        return vjp(*args, **kwargs)

    return noting, rule
