"""What a tape is (compile_tape reads one off a recorded call): its entries, one per node in the order
computed, each leaf's kind; the draws; the backward passes and optimizer calls; the outputs; and the
errors that say a call cannot be replayed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .compile_changes import Contents
from .op import Op
from .tensor_class import Tensor

INPUT, PARAM, CONSTANT, DRAWN, OP = "input", "parameter", "constant", "drawn", "op"


@dataclass
class Entry:
    """One node of the tape. `source` is the input's index (INPUT), the Tensor (PARAM), the data
    (CONSTANT) or the index of its draw (DRAWN); an OP has its op, keyword arguments, parents
    (entry indices), `fed`: the keyword arguments that are inputs of the call (labels), as
    (name, input index), and `computed`: those that ops made from the inputs (an attention mask reshaped,
    autograd.where's cond), as (name, entry index), which a replay takes from that entry's array."""

    kind: str
    shape: tuple[int, ...]
    dtype: np.dtype
    source: Any = None
    op: Op | None = None
    params: dict[str, Any] = field(default_factory=dict)
    parents: tuple[int, ...] = ()
    fed: tuple[tuple[str, int], ...] = ()
    computed: tuple[tuple[str, int], ...] = ()
    needs_grad: bool = False  # a parameter's gradient flows through it
    node: Tensor | None = None  # a leaf's Tensor
    live: bool = False  # a constant Tensor the step reads on every call: replays read its data as it is then
    contiguous: bool = True  # its array was C-contiguous when recorded (a buffer is; a transpose is not)
    read_in: str = ""  # a constant ops made (under no_grad) that is no op of the tape: the function that read it
    view: Any = None  # a constant that is a view of an input: its compile_views.View, made again by each replay
    # the keyword arguments holding such views (labels y[:2], an index (rows, y[:2])): (name, compile_views.Viewed)
    viewed: tuple[tuple[str, Any], ...] = ()
    overlapping: tuple[int, ...] = ()  # the inputs sharing memory that its data is a view of: no View proven

    def given_anew(self) -> set[str]:
        """The names of the keyword arguments a replay gives anew on each call (`fed`, `computed`, `viewed`)."""
        return {name for name, _ in (*self.fed, *self.computed, *self.viewed)}


@dataclass
class Draw:
    """One draw of `autograd.drawn`, in the order the step made them: `redraw()` draws again; `slot`
    is its entry (None: a draw the step made but did not use, which a replay makes too)."""

    redraw: Callable[[], np.ndarray]
    like: tuple[tuple[int, ...], np.dtype, bool]  # shape, dtype and C-contiguity of its data
    slot: int | None
    moves: tuple[Any, ...] = ()  # the generators it moved (compile_generators.Source), which a stopped replay puts back
    # its data, where it moved none of those found: a generator of its own seed (the same data on both recordings,
    # compile_compare.mark_live clears it), or one out of reach, which a stopped replay cannot put back
    untracked: np.ndarray | None = None


@dataclass
class Tape:
    entries: list[Entry]
    draws: list[Draw]
    # ("backward", root, order, seed) by entry index; ("call", owner, method, args, kwargs)
    events: list[tuple[Any, ...]]
    outputs: list[tuple[str, Any]]  # per output leaf: ("tensor", entry), ("read", entry) or ("value", value)
    rebuild: Callable[[Sequence[Any]], Any]
    guards: list[tuple[Any, str, Any]]  # (owner, name, value): what the graph depends on (compile_hooks.guard)
    seen: list[np.ndarray] = field(default_factory=list)  # a copy of the call's input data, for `derived`
    # the methods it ran, by class, and those an object shadowing would change: compile_methods.library_methods
    methods: list[tuple[Any, ...]] = field(default_factory=list)
    bound: tuple[Any, ...] = ()  # what the step's global names and closure cells held (compile._Names)
    read_numbers: bool = False  # Python read numbers of the step's tensors (compile_read_hooks.read_data)
    read_by: tuple[str, ...] = ()  # the functions of autograd's that read them (max_pool2d(return_indices=True))
    read_in_nn: str = ""  # Recording.read_in_nn
    numpy_reads: dict[int, str] = field(default_factory=dict)  # Recording.numpy_reads
    # the inputs (by index) that data made outside the graph came from (compile_record.constant_from_inputs)
    from_inputs: frozenset[int] = frozenset()
    # where the arrays of the inputs that the tape's views (compile_views) are made from started in memory, by index
    addresses: dict[int, int] = field(default_factory=dict)
    # Recording.held, and the caller's arrays that ops kept copies of (an index, labels): (the object, its
    # numbers when recorded), by id
    held: dict[int, tuple[Any, np.ndarray]] = field(default_factory=dict)
    # `validate`'s: (check, what it checked, the draws made before it, whether it was given a Tensor); what
    # it checked is ("input", k), ("entry", i) (data the step computed: a loss's predictions) or ("object",
    # x) (a constant: the caller's, if it is the same object on every call)
    checks: list[tuple[Callable[[Any], None], tuple[str, Any], int, bool]] = field(default_factory=list)
    # the entries that a derivative rule made, run on the graph by a gradient taken with create_graph=True:
    # the name of that rule's op, by entry index (Recording.made_in_rule)
    rules: dict[int, str] = field(default_factory=dict)
    advanced: str = ""  # the kinds of the iterators the step's names hold that moved outside its draws, or ""
    followed: bool = False  # helpers were found running it (compile_calls): its guards miss what they read

    def agrees(self, later: Tape) -> bool:
        """Whether `later`, the next recording, was made under the same settings: the same guards, or, where this
        one found helpers running (`followed`), the same values for the guards this one has (`later` guards what
        those helpers read too). Never where `later` found helpers itself: its guards are not complete either."""
        if later.followed:
            return False
        if not self.followed:
            return self.guarded() == later.guarded()
        mine = {(key, name): value for key, name, value in self.guarded()}
        theirs = {(key, name): value for key, name, value in later.guarded()}
        return all(k in theirs and theirs[k] == value for k, value in mine.items())

    def guarded(self) -> list[tuple[int | str, str, Any]]:
        """The guards as comparable values: two recordings made under other settings differ here. A container a
        name holds (compile_changes.Contents, made anew where the name holds a new one: `self.shape = x.shape` on
        each call) by where it is held; other owners by identity."""
        return [(_place(owner), name, value) for owner, name, value in self.guards]

    @property
    def params(self) -> list[Tensor]:
        return [e.source for e in self.entries if e.kind == PARAM]

    @property
    def owners(self) -> list[Any]:
        """The objects whose replayed methods the step calls (its optimizers)."""
        return [ev[1] for ev in self.events if ev[0] == "call"]


class Unreplayable(Exception):
    """The recorded call does something a replay would not do (the message says what)."""


class ChangedWhileRunning(Unreplayable):
    """The recorded call changed a setting its replay checks (a layer made on the first call, and kept):
    recorded again once, refused if it does so again."""


def like(data: np.ndarray) -> tuple[tuple[int, ...], np.dtype, bool]:
    """What a draw's data must be like on every call: its shape, dtype and C-contiguity."""
    return data.shape, data.dtype, bool(data.flags.c_contiguous)


def _place(owner: Any) -> int | str:
    """How two recordings' guards tell their owners apart: a Contents by where the step's names hold it (a path,
    `self.shape`, one place; items of a container share their name, `an item of TABLE`: by identity), others by
    identity."""
    if owner.__class__ is Contents and not owner.name.startswith("an item of "):
        return owner.name
    return id(owner)
