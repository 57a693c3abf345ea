"""What a user's op is given to read: read-only views of the arrays it gets (inputs, keyword arguments, and
for its rule g and out), so that a forward or rule that writes into one (`x *= 2`) is refused naming the op,
not left to change a leaf's data, what other rules read, or what a second backward reads, without a word.
The tensor engine's Record and user_forward use these, and so does a Value's op with array arguments.

numpy's ufunc.at (np.add.at) ignores the read-only flag and writes anyway. Such a write is found, at
no cost outside it, under `detect_anomaly()`: each array the op is given is fingerprinted (a CRC-32 of
its bytes, a copy for a view that is not contiguous) before the call and compared after, and the op is
refused as above. `gradcheck` finds it too (f changed its input). Outside both it goes unseen; so does a
write that leaves every byte as it was (changing nothing) or one whose CRC matches (1 in 2**32)."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

from . import modes
from .trees import flatten


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
    """The keyword arguments with each array a read-only view, also one held in a list, tuple or dict among them
    (`ws=[w1, w2]`: writes into those changed the caller's arrays unseen)."""
    return {name: _read_only_tree(value) for name, value in params.items()} if params else params


def _read_only_tree(value: Any) -> Any:
    """`value` with its arrays read-only views: a container holding any rebuilt in its own type; one holding
    none (an op's own list of what it saw) the caller's own."""
    if not isinstance(value, list | tuple | dict):
        return read_only(value)
    leaves, rebuild = flatten(value)
    if not any(isinstance(x, np.ndarray) for x in leaves):
        return value
    return rebuild([read_only(x) for x in leaves])


def _holds_array(value: Any) -> bool:
    return any(isinstance(x, np.ndarray) for x in flatten(value)[0])


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
    name: str, f: Callable[..., Any], wrote: Callable[[str, str], WroteIntoInput], bound: dict[str, Any] | None = None
) -> Any:
    """f, its writes into a read-only array refused naming op `name` (`wrote`: forward_wrote or rule_wrote);
    under detect_anomaly, also those of ufunc.at, which ignores the flag (see the module's docstring), into
    its arguments or the keyword arguments `bound` into it (Op.bind)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        anomaly = modes.entered and modes.current.anomaly
        watched = _fingerprints([*args, *kwargs.values(), bound or {}]) if anomaly else None
        try:
            result = f(*args, **kwargs)
        except ValueError as e:
            if "read-only" not in str(e):
                raise
            raise wrote(name, str(e)) from None
        if watched and any(_fingerprint(a) != before for a, before in watched):
            raise wrote(name, "an array it was given changed although read-only, as np.add.at (ufunc.at) writes")
        return result

    return call


def _fingerprints(given: list[Any]) -> list[tuple[np.ndarray, int]]:
    """Each array among `given` (or in lists, tuples or dicts among them, at any depth: a rule's inputs and keyword
    arguments; not those of Python objects, which have no bytes of their own) with its `_fingerprint`."""
    arrays = [a for a in flatten(given)[0] if isinstance(a, np.ndarray) and not a.dtype.hasobject]
    return [(a, _fingerprint(a)) for a in arrays]


def _fingerprint(a: np.ndarray) -> int:
    """CRC-32 of an array's bytes, read in place where it is contiguous."""
    return zlib.crc32(a if a.flags.c_contiguous else np.ascontiguousarray(a))


def value_op(op: Any, params: dict[str, Any], needs: tuple[bool, ...]) -> Any:
    """op bound to a Value node's keyword arguments and needs (Op.bind). Arrays among them are given as
    read-only views, and a forward or rule that writes into one is refused naming the op, as a tensor's
    user op is: it changed what the rule read, and every later backward, silently."""
    if not params or not any(_holds_array(v) for v in params.values()):
        return op.bind(params, needs=needs)
    viewed = read_only_values(params)
    bound = op.bind(viewed, needs=needs)
    bound.forward = refusing_writes(bound.name, bound.forward, forward_wrote, viewed)
    bound.vjp = refusing_writes(bound.name, bound.vjp, rule_wrote, viewed)
    return bound
