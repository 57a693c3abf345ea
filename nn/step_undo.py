"""What a forward that must leave no trace changed, kept to be put back: a failed training step's, fit's look at a few
examples, a step that evaluates the loss itself. Buffers are kept whole (BatchNorm's running statistics: a step may
write into them or assign them anew), parameters whole where asked (`parameter_copies`), and the rows Embedding's
max_norm scales in place as it scales them, while `rows_noted` is open (copying a table of a million rows each step
for the few a batch looks up would double a step's memory)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor


class Buffer(NamedTuple):
    """A buffer: the module holding it, its attribute, the object it held and a copy of its values."""

    owner: Any
    attribute: str
    held: Any
    values: np.ndarray


class Entries(NamedTuple):
    """A copy of a parameter's entries `where` (rows max_norm scales in place)."""

    parameter: Tensor
    where: Any
    values: np.ndarray


class Weights(NamedTuple):
    """A parameter (a Tensor, or a Value), the object its data was and a copy of its numbers (a Value's float)."""

    parameter: Any
    held: Any
    values: Any


class Attributes(NamedTuple):
    """A module's attributes as they were (the objects, not copies): a flag a module notes itself set by."""

    owner: Any
    values: dict[str, Any]


Kept = list[Buffer | Entries | Weights | Attributes]
_NOTED: ContextVar[Kept | None] = ContextVar("rows_noted", default=None)


@contextmanager
def rows_noted(kept: Kept) -> Iterator[None]:
    """Within it, the rows max_norm scales in place (`note_rows`) are added to `kept`, for `put_back`."""
    token = _NOTED.set(kept)
    try:
        yield
    finally:
        _NOTED.reset(token)


@contextmanager
def undone_if_raises(kept: Kept) -> Iterator[None]:
    """Within it, the rows max_norm scales are noted in `kept` (`rows_noted`); if the block raises (a second
    Ctrl-C too), everything in `kept` is put back before the exception goes on: a failed step of fit's, eager or
    compiled, leaves the model the one of the step before."""
    try:
        with rows_noted(kept):
            yield
    except BaseException:
        put_back(kept)
        raise


def note_rows(weight: Tensor, rows: np.ndarray) -> None:
    """Keep the values of `weight`'s `rows`, about to be changed in place, where `rows_noted` is open."""
    kept = _NOTED.get()
    if kept is not None:
        kept.append(Entries(weight, rows, weight.data[rows]))  # indexing by an array copies them


def buffer_slots(model: Any) -> list[tuple[Any, str]]:
    """(owning module, attribute) of each of the model's buffers."""
    owners = dict(model.named_modules())
    return [(owners[path], attribute) for path, _, attribute in (n.rpartition(".") for n, _ in model.named_buffers())]


def buffer_copies(slots: list[tuple[Any, str]]) -> Kept:
    """Each buffer (owning module, attribute) with a copy of its values: per-channel vectors, small beside a step."""
    return [Buffer(owner, attribute, b := getattr(owner, attribute), np.array(b)) for owner, attribute in slots]


def parameter_copies(model: Any) -> Kept:
    """Each parameter, Tensor or Value, with its data object and a copy of its numbers: for fit's look at a few
    examples, and for a step that evaluates the loss itself (nn.train_closure), which may move the weights several
    times before it fails."""
    return [
        Weights(p, p.data, np.array(p.data) if isinstance(p.data, np.ndarray) else p.data) for p in model.parameters()
    ]


def attribute_copies(model: Any) -> Kept:
    """Each of the model's modules with its attributes as they are (a shallow copy of each one's): put back, a flag
    set (ActNorm's noted initialisation), an attribute assigned anew or added is as it was."""
    return [Attributes(m, dict(vars(m))) for m in model.modules()]


def put_back(kept: Kept) -> None:
    """Give each module its attributes, each buffer and parameter its object and values back, whether the step wrote
    into it or assigned it anew (a Value its number), and each parameter its rows kept, last kept first (rows scaled
    twice get the first values back), written without a comparison (np.array_equal's masks and copies would hold
    several times the parameters): not into read-only data (a buffer assigned np.broadcast_to's view too), which
    cannot have changed."""
    for entry in reversed(kept):
        if isinstance(entry, Attributes):
            vars(entry.owner).clear()
            vars(entry.owner).update(entry.values)
            continue
        target, where = (entry.parameter.data, entry.where) if isinstance(entry, Entries) else (entry.held, ...)
        if isinstance(target, np.ndarray) and target.flags.writeable:
            target[where] = entry.values
        if isinstance(entry, Buffer):
            setattr(entry.owner, entry.attribute, entry.held)
        elif isinstance(entry, Weights):
            entry.parameter.data = entry.held if isinstance(entry.held, np.ndarray) else entry.values
