"""What a forward that must leave no trace changed, kept to be put back: a failed training step's, fit's look at a few
examples, a step that evaluates the loss itself, a chain of schedulers' step that one refuses. Attributes are kept to
their contents (`kept_attributes`: a list appended to, a generator drawn from), buffers whole (BatchNorm's running
statistics: a step may write into them or assign them anew), parameters whole where asked (`parameter_copies`), and
the rows Embedding's max_norm scales in place as it scales them, while `rows_noted` is open (copying a table of a
million rows each step for the few a batch looks up would double a step's memory)."""

from __future__ import annotations

import array
import copy
import copyreg
import random
from collections import deque
from collections.abc import Iterable, Iterator
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
    """Objects' attributes as they were (the objects, not copies), and `copy.deepcopy`'s memo of what they held: each
    object copied and its copy (`kept_attributes`)."""

    owners: list[tuple[Any, dict[str, Any]]]
    memo: dict[int, Any]


Kept = list[Buffer | Entries | Weights | Attributes]
_NOTED: ContextVar[tuple[Kept, set[int]] | None] = ContextVar("rows_noted", default=None)


@contextmanager
def rows_noted(kept: Kept) -> Iterator[None]:
    """Within it, the rows max_norm scales in place (`note_rows`) are added to `kept`, for `put_back`: not those of a
    parameter `kept` holds whole (`parameter_copies`, a closure step's: they were copied at each evaluation too)."""
    token = _NOTED.set((kept, {id(entry.parameter) for entry in kept if isinstance(entry, Weights)}))
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
    """Keep the values of `weight`'s `rows`, about to be changed in place, where `rows_noted` is open and `weight` is
    not kept whole."""
    noted = _NOTED.get()
    if noted is not None and id(weight) not in noted[1]:
        noted[0].append(Entries(weight, rows, _kept_copy(weight.data, rows)))


def buffer_slots(model: Any) -> list[tuple[Any, str]]:
    """(owning module, attribute) of each of the model's buffers."""
    owners = dict(model.named_modules())
    return [(owners[path], attribute) for path, _, attribute in (n.rpartition(".") for n, _ in model.named_buffers())]


def buffer_copies(slots: list[tuple[Any, str]]) -> Kept:
    """Each buffer (owning module, attribute) with a copy of its values: per-channel vectors, small beside a step."""
    return [Buffer(owner, attribute, b := getattr(owner, attribute), _kept_copy(b)) for owner, attribute in slots]


def parameter_copies(model: Any) -> Kept:
    """Each parameter, Tensor or Value, with its data object and a copy of its numbers: for fit's look at a few
    examples, and for a step that evaluates the loss itself (nn.train_closure), which may move the weights several
    times before it fails."""
    return [
        Weights(p, p.data, _kept_copy(p.data) if isinstance(p.data, np.ndarray) else p.data) for p in model.parameters()
    ]


def attribute_copies(model: Any) -> Kept:
    """The model's modules with their attributes kept to their contents (`kept_attributes`): put back, a flag set
    (ActNorm's noted initialisation), an attribute assigned anew or added, a list appended to, a generator drawn from
    is as it was. Its modules, parameters and buffers are kept as they are (put back on their own)."""
    modules = list(model.modules())
    shared = {id(x): x for x in (*modules, *model.parameters(), *model.buffers())}
    return [kept_attributes(modules, shared)]


def kept_attributes(owners: Iterable[Any], shared: dict[int, Any]) -> Attributes:
    """The `owners`' attributes as they are, and a deep copy of what they hold, in one copy (two attributes, or two
    owners, holding one list hold one copy): put back, each object gets its copy's contents written into it
    (`put_back`), so that it stays the one its owners and the user hold. The objects of `shared` (by id) and functions
    are kept as they are, and an object that cannot be copied (a lock, an open file) too."""
    memo, attributes = dict(shared), []
    for owner in owners:
        attributes.append((owner, dict(vars(owner))))
        for held in attributes[-1][1].values():
            if not callable(held):
                _copied(held, memo)
    for held in memo.get(id(memo), []):  # an array's copy read-only as it is (`_numbers_back`)
        if isinstance(held, np.ndarray) and not held.flags.writeable:
            memo[id(held)].flags.writeable = False
    return Attributes(attributes, memo)


def arrays_kept(kept: Kept) -> dict[int, np.ndarray]:
    """By id, the writeable arrays of numbers (no objects in them) whose numbers `kept` holds a copy of and puts back
    in place: an attribute's, at any depth, and a buffer's. A copy of the model run beside them (fit's look) may share
    them instead of copying them a second time: what it writes into them is undone by `put_back`. Not a read-only one:
    the copy's write into it would raise where the model's own step will say why (a BatchNorm's running mean read-only
    was said to refuse a batch of one)."""
    arrays = [entry.held for entry in kept if isinstance(entry, Buffer)]
    for entry in kept:
        if isinstance(entry, Attributes):
            arrays += entry.memo.get(id(entry.memo), [])
    return {id(a): a for a in arrays if isinstance(a, np.ndarray) and not a.dtype.hasobject and a.flags.writeable}


def _kept_copy(values: Any, where: Any = ...) -> np.ndarray:
    """A copy of `values` (of its entries `where`, an array of rows), read-only where `values` is a read-only array:
    put back, the array is made so again (`_numbers_back`)."""
    kept = np.array(values) if where is ... else values[where]  # indexing by an array copies them
    if isinstance(values, np.ndarray) and not values.flags.writeable:
        kept.flags.writeable = False
    return kept


def _copied(held: Any, memo: dict[int, Any]) -> None:
    """`held` deep-copied into `memo`; where it cannot be, `memo` as it was: a half copy (a dict whose lock failed) put
    back would empty the object."""
    entries, alive = len(memo), len(memo.get(id(memo), ()))
    try:
        copy.deepcopy(held, memo)
    except Exception:  # noqa: BLE001 (whatever copying an attribute of the user's raises: kept as it is)
        for key in list(memo)[entries:]:
            del memo[key]
        del memo.get(id(memo), [])[alive:]


def put_back(kept: Kept) -> None:
    """Give each object its attributes back with their contents (`_written_back`), each buffer and parameter its object
    and values back, whether the step wrote into it or assigned it anew (a Value its number), and each parameter its
    rows kept, last kept first (rows scaled twice get the first values back), written without a comparison
    (np.array_equal's masks and copies would hold several times the parameters), each array writeable or read-only
    again as it was (`_numbers_back`)."""
    resized = []
    for entry in reversed(kept):
        if isinstance(entry, Attributes):
            resized += _written_back(entry.memo)
            for owner, attributes in entry.owners:
                vars(owner).clear()
                vars(owner).update(attributes)
            continue
        target, where = (entry.parameter.data, entry.where) if isinstance(entry, Entries) else (entry.held, ...)
        if isinstance(target, np.ndarray):
            resized += _numbers_back(target, where, entry.values)
        if isinstance(entry, Buffer):
            setattr(entry.owner, entry.attribute, entry.held)
        elif isinstance(entry, Weights):
            entry.parameter.data = entry.held if isinstance(entry.held, np.ndarray) else entry.values
    if resized:  # the rest is put back first: only these arrays differ
        raise ValueError(
            f"an array was resized in place (ndarray.resize) by the model's forward or the step, {resized[0]}: it "
            "cannot be put back as it was; assign the attribute a new array (np.resize(a, shape), np.pad) instead"
        )


def _written_back(memo: dict[int, Any]) -> list[str]:
    """Each object `copy.deepcopy` copied into `memo` given its copy's contents, in place (whoever holds it sees
    them), the copies they hold turned back into the objects they are copies of: a list's, dict's, set's, deque's
    items, an array's numbers or objects (an array.array's numbers), a generator's state, an object's attributes and
    slots (written as object does, past a __setattr__ of its class's: a frozen dataclass's). Anything else (a tuple:
    its items are put back themselves) is left as it is. Returns the shape changes of arrays resized in place."""
    originals, resized = memo.get(id(memo), []), []  # copy.deepcopy keeps each object it copied alive there
    back = {id(memo[id(x)]): x for x in originals}

    def own(v: Any) -> Any:
        return back.get(id(v), v)

    for held in originals:
        copied = memo[id(held)]
        if isinstance(held, dict):
            held.clear()
            held.update({own(k): own(v) for k, v in copied.items()})
        elif isinstance(held, (list, deque, bytearray)):
            held.clear()
            held.extend(map(own, copied))
        elif isinstance(held, array.array):
            held[:] = copied
        elif isinstance(held, set):
            held.clear()
            held.update(map(own, copied))
        elif isinstance(held, np.ndarray):
            resized += _numbers_back(held, ..., _owned(copied, own) if copied.dtype == object else copied)
        elif isinstance(held, np.random.BitGenerator):  # a Generator's
            held.state = copied.state
        elif isinstance(held, np.random.RandomState):
            held.set_state(copied.get_state())
        elif isinstance(held, random.Random):
            held.setstate(copied.getstate())
        elif not isinstance(held, type):  # a user's object: its attributes, its slots
            if isinstance(getattr(held, "__dict__", None), dict):
                vars(held).clear()
                vars(held).update({name: own(v) for name, v in vars(copied).items()})
            for name in copyreg._slotnames(type(held)):  # each slot's name as object's pickling gives it (mangled)
                if hasattr(copied, name):
                    object.__setattr__(held, name, own(getattr(copied, name)))
                elif hasattr(held, name):  # unset in the copy: set since
                    object.__delattr__(held, name)
    return resized


def _owned(copied: np.ndarray, own: Any) -> np.ndarray:
    """An object array of `copied`'s shape holding, for each of its elements, the object it is a copy of (read-only
    where `copied` is)."""
    elements = np.empty(copied.shape, dtype=object)
    for index in np.ndindex(copied.shape):
        elements[index] = own(copied[index])
    elements.flags.writeable = copied.flags.writeable
    return elements


def _numbers_back(held: np.ndarray, where: Any, kept: np.ndarray) -> list[str]:
    """`kept` (a copy, read-only where the array was) written into `held` at `where`, and `held` writeable or read-only
    again as it was: a step may make an array read-only after filling it (a table filled once, whose fill the step
    after would find read-only) or writeable to write into it. Not into an array read-only before and since (a
    buffer assigned np.broadcast_to's view), which cannot have changed, nor one whose base was made read-only. Its
    shape is put back first where a step (fit's look, sharing the model's arrays) set it in place (`arr.shape = ...`);
    an array resized in place (another size) cannot be: its shape change is returned ("shape (2, 3) -> (3, 3)")."""
    if where is ... and held.shape != kept.shape:
        try:
            held.shape = kept.shape  # another size, or a view no longer in that shape's order, raises
        except (AttributeError, ValueError):
            return [f"shape {kept.shape} -> {held.shape}"]
    if kept.flags.writeable and not held.flags.writeable:
        try:
            held.flags.writeable = True
        except ValueError:  # its base is read-only: not this array's to make writeable (put back through the base)
            return []
    if held.flags.writeable:
        held[where] = kept
        held.flags.writeable = kept.flags.writeable
    return []
