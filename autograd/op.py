"""`Op`: a differentiable operation, how built-in ops are made and how users add their own."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import compile_record, modes
from .dtype_fits import DoesNotFit
from .graph import Node, raw
from .modes import short
from .tensor_data import kept
from .user_rereads import holds_items
from .user_writes import WroteIntoInput

_ORDINALS = ("first", "second", "third", "fourth")  # an op's inputs, named in its refusals


def needs_gradient(x: Any) -> bool:
    """Whether `x` is a node a gradient would flow to: a Tensor that requires grad, a Value of one's own (not a
    number an operator lifted). Not a compiled step's input, nor what the step computed from its inputs alone:
    while recorded they require grad only as stand-ins, where eagerly none does (compile_record.from_inputs).
    Whether gradients are recorded at all (no_grad) is the caller's to ask."""
    wanted = isinstance(x, Node) and getattr(x, "requires_grad", not getattr(x, "is_constant", False))
    return wanted and not compile_record.from_inputs(x)


class Op:
    """A differentiable operation: a name, a forward on raw data and its derivative rule.

    `vjp(g, out, *inputs, **params)` returns one gradient per input (None where none flows): g
    is the gradient of the output, out the output, inputs the op's inputs, params the keyword
    arguments the op was called with (an axis, a shape). Write it with arithmetic, methods
    shared by arrays and Tensors (`reshape`, `sum`) and other Ops, so it works on raw data and
    on nodes alike. A rule made with `takes_needs=True` is also given `needs` (a tuple of bools,
    one per input: which gradients anyone will read) and may skip the rest (a matmul with a
    constant input). `formulas`, optional, says per input how a learner reads the rule
    ("∂(a·b)/∂b = a"); viz shows them beside the numbers. `broadcasts` says that the op broadcasts
    its inputs' shapes against each other (elementwise ops, where): detect_anomaly then shows the
    inputs at the place of a NaN it made. The rule itself still returns each gradient in its
    input's shape (sum a broadcast one back), or a ShapeError names the op. `rereads` names the
    keyword arguments whose arrays and Tensors, as the caller holds them, the rule reads again (the op
    table's `OpDef.rereads`): backward refuses one changed since the forward. None, the default, checks
    every keyword argument, as the engine cannot tell; () checks none (running statistics the caller
    updates after each forward, a log the forward appends to: what the rule keeps is what it declares).

    Calling an Op applies it: on nodes it records a graph node, on plain numbers or arrays it
    simply computes the forward. This is how built-in ops are made and how users define new ones.
    """

    __slots__ = (
        "name",
        "forward",
        "vjp",
        "domain",
        "takes_needs",
        "formulas",
        "broadcasts",
        "params",
        "saving",
        "scatters",
        "no_derivative",
        "shape_only",
        "reads_for",
        "rereads",
        "_must_give",
        "built_in",
    )

    def __init__(
        self,
        name: str,
        forward: Callable[..., Any],
        vjp: Callable[..., Sequence[Any]],
        domain: str = "",
        *,
        takes_needs: bool = False,
        formulas: tuple[str, ...] = (),
        broadcasts: bool = False,
        rereads: Sequence[str] | None = None,
    ) -> None:
        if not callable(forward) or not callable(vjp):
            raise TypeError(f"Op {name!r} needs a callable forward and a callable vjp")
        # the keyword arguments its rule reads again as the caller holds them (OpDef.rereads); None: any may be.
        # A user's op is given its arrays as copies, and a node notes its Tensors and its lists', tuples' and dicts'
        # items (user_rereads.noted, by tensor_record.Record and user_writes.value_op); the engine's are ()
        self.rereads, self._must_give = _declared(name, rereads, vjp)
        self.name = name
        self.forward = forward
        self.vjp = vjp
        self.domain = domain
        self.takes_needs = takes_needs
        self.formulas = formulas
        self.broadcasts = broadcasts
        self.params: dict[str, Any] = {}  # the keyword arguments a bound op was called with (`bind`)
        # the engine's own ops may have a forward that also gives what their rule reuses (OpDef.saving)
        self.saving: Callable[..., tuple[Any, Any]] | None = None
        self.scatters = False  # and a rule that is g added at an index (OpDef.scatters: getitem's)
        self.no_derivative: tuple[int, ...] = ()  # the inputs it has no derivative for (OpDef.no_derivative)
        self.shape_only: tuple[int, ...] = ()  # the inputs whose numbers its rule does not read (OpDef.shape_only)
        self.reads_for: tuple[tuple[int, ...], ...] = ()  # per input's gradient, the inputs it reads (OpDef.reads_for)
        self.built_in = False  # one of the engine's own (`engine_ops`), not a user's

    def __call__(self, *inputs: Any, **params: Any) -> Any:
        if self.no_derivative:
            self.refuse(inputs)
        for x in inputs:
            if isinstance(x, Node):  # an array among the params is copied: the rule reads it in backward
                missing = [k for k in self._must_give if k not in params]
                if missing:
                    raise TypeError(
                        f"op {self.name!r} declares rereads={self.rereads!r}, but this call gives no keyword argument "
                        f"{missing[0]!r} (it gives {', '.join(params) or 'none'}): pass it, or leave it out of rereads"
                    )
                return type(x)._apply(self, inputs, {k: kept(v, v) for k, v in params.items()})
        return self.run(inputs, params)

    def reread(self, params: dict[str, Any]) -> Sequence[str]:
        """The keyword arguments among a call's `params` whose arrays and Tensors a node notes, to refuse a backward
        after one changed: the declared ones (the engine's, from its table, or a user's `rereads`), else all of a
        user's op; of a user's op not an array of numbers given as the argument itself, which is the op's own copy."""
        if self.built_in:
            return self.rereads
        names = params if self.rereads is None else self.rereads
        return [k for k in names if holds_items(params.get(k)) or not isinstance(params.get(k), np.ndarray)]

    def refuse(self, inputs: Sequence[Any]) -> None:
        """NotImplementedError (PyTorch's type for it) where an input without a derivative needs a gradient: a
        Tensor that requires grad, a Value of one's own (not a number), while gradients are recorded."""
        if not modes.current.grad_enabled:
            return
        for k in self.no_derivative:
            x = inputs[k] if k < len(inputs) else None
            if needs_gradient(x):
                raise NotImplementedError(
                    f"{self.name}: the derivative with respect to its {_ORDINALS[k]} input ({short(raw(x))}) is not "
                    f"implemented: pass it as a number, an array or a Tensor without requires_grad (or detach it)"
                )

    def run(self, args: Sequence[Any], params: dict[str, Any] | None = None) -> Any:
        """The forward on raw data, with a domain error that names the op and its inputs."""
        try:
            return self.forward(*args, **params) if params else self.forward(*args)
        except (ArithmeticError, ValueError) as e:
            raise self.domain_error(args, e) from None

    def memory_error(self, args: Sequence[Any], cause: MemoryError) -> MemoryError:
        """numpy's refusal of an array no memory holds (asked for and refused before anything was
        written: "Unable to allocate 7.28 TiB ..."), with the op and its inputs' shapes named: an input
        made by expand or broadcast_to is a view of a few entries that the op copies in full."""
        if getattr(cause, "shape", None) is None:  # not numpy's own: raised by a check that already names the op
            return cause
        shapes = ", ".join(str(getattr(a, "shape", ())) for a in args)
        return MemoryError(
            f"{self.name}: {cause} (its inputs' shapes: {shapes}): use smaller inputs (an input made by expand or "
            "broadcast_to is copied in full: reduce before expanding, x.sum() * n rather than x.expand(n).sum())"
        )

    def domain_error(self, args: Sequence[Any], cause: Exception) -> Exception:
        if isinstance(cause, WroteIntoInput | DoesNotFit):  # already names the op and what it did, or the number
            return cause
        if isinstance(cause, OverflowError):  # Python's (34, ...) or an op's own: a result too large, never "undefined"
            return OverflowError(f"{self.show(args)} overflows: the result is too large for a float")
        if isinstance(cause, FloatingPointError) and "underflow" in str(cause):  # np.seterr(under="raise"): no domain's
            return FloatingPointError(
                f"{self.show(args)} underflows: the result is too small for a float (numpy's under='raise' is set)"
            )
        why = self.domain or str(cause)
        return type(cause)(f"{self.show(args)} is undefined: {why}")

    def show(self, args: Sequence[Any]) -> str:
        """The op applied to these arguments, as a reader would write it: `1.0 / 0.0`, `log(-1.0)`."""
        shown = [short(a) for a in args]
        if len(shown) == 2 and not self.name.isidentifier():
            if self.name == "**" and shown[0].startswith("-"):  # -1.0 ** 0.5 would read as -(1.0 ** 0.5)
                shown[0] = f"({shown[0]})"
            return f"{shown[0]} {self.name} {shown[1]}"
        return f"{self.name}({', '.join(shown)})"

    def bind(self, params: dict[str, Any], needs: tuple[bool, ...] | None = None) -> Op:
        """This op with its keyword arguments fixed: what a node records when called with some.
        `needs`, for a rule that takes them, are fixed too (a Value's node keeps no other record)."""
        given = needs is not None and self.takes_needs
        if not params and not given:
            return self
        bound = Op(
            self.name,
            functools.partial(self.forward, **params),
            functools.partial(self.vjp, **params, needs=needs) if given else functools.partial(self.vjp, **params),
            self.domain,
            takes_needs=self.takes_needs and not given,
            formulas=self.formulas,
            broadcasts=self.broadcasts,
        )
        bound.params, bound.built_in, bound.rereads = dict(params), self.built_in, self.rereads
        return bound

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


_ENGINE_FORWARDS: set[int] = set()  # the ids of the engine's ops' forwards, keyword arguments unbound


def engine_ops(*ops: Op) -> None:
    """Marks `ops` as the engine's own: the op table's in each engine and the ops its rules record (power's and
    atan2's partials), the one registry read wherever the engine's ops are told from a user's. A backward runs
    their rules without the per-call checks of a user's (each gradient's type and shape: tested once), their
    forwards get the inputs' arrays as they are (pure), and a compiled replay runs them directly. An op bound to
    its keyword arguments (`bind`) keeps the mark."""
    for op in ops:
        op.built_in = True
        op.rereads = op.rereads or ()  # the table's (OpDef.rereads), else none: its rules are tested
        _ENGINE_FORWARDS.add(id(_unbound(op.forward)))


def _declared(name: str, rereads: Any, vjp: Callable[..., Any]) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """`rereads` as an Op keeps it, checked (a tuple of names its rule takes by keyword: TypeError naming the op),
    and those of its names the rule's signature does not list (it takes **kwargs), which each call must give."""
    if rereads is None:
        return None, ()
    if not isinstance(rereads, tuple | list) or not all(isinstance(k, str) for k in rereads):
        raise TypeError(
            f"Op {name!r}: rereads is a tuple of keyword argument names (rereads=('weight',)), got {rereads!r}"
        )
    rereads = tuple(rereads)
    try:
        parameters = inspect.signature(vjp).parameters.values()
    except (TypeError, ValueError):  # a callable whose signature Python cannot read: each call checks the names
        return rereads, rereads
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return rereads, rereads
    keywords = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for k in rereads:
        if k not in keywords:
            raise TypeError(
                f"Op {name!r}: rereads names {k!r}, which is no keyword argument of its rule (it takes "
                f"{', '.join(keywords)}): name the keyword arguments the rule reads again"
            )
    return rereads, ()


def engine_forward(op: Op) -> bool:
    """Whether op computes with an engine's op's forward, whatever its rule (an op of one's own may pair the
    table's forward with a rule to check): gradcheck trusts such a forward's rounding (check_scales)."""
    return id(_unbound(op.forward)) in _ENGINE_FORWARDS


def _unbound(forward: Callable[..., Any]) -> Callable[..., Any]:
    """forward without the keyword arguments bound to it (functools.partial: its defaults, a call's own)."""
    while isinstance(forward, functools.partial):
        forward = forward.func
    return forward
