"""`Record`: what a tensor node keeps of the op that made it, and how its rule is called."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np

from . import modes
from .compile_record import RECORDING, rule_running
from .dtypes import REAL_KINDS
from .graph import TICKS, USER_CODE, Node, raw
from .graph_errors import keeps_g
from .half_precision import HALF, UNWIDENED
from .modes import short
from .op import Op
from .shape_args import broadcasts_to
from .tensor_ops import ShapeError
from .type_names import type_name
from .user_rereads import noted
from .user_writes import arrays_in, forward_wrote, read_only, read_only_values, refusing_writes, rule_wrote


class Record:
    """What a tensor node records of the op that made it: the op, its keyword arguments, which
    inputs want a gradient, and what its forward saved for the rule (an op with `saving`; None once the
    rule has taken it, or else).
    Its `vjp` runs the op's rule, checks the gradients' shapes (a user's op, or any under
    detect_anomaly) and gives each its input's dtype."""

    # `inputs`: of an op whose rule reads only the shape and dtype of some inputs (Op.shape_only), the inputs' data
    # at the forward, whose shape and dtype a change in place to one must keep (tensor_versions.numbers_unread); the
    # arrays themselves, not their shapes: a reference costs the forward nothing (the shapes, 8% of an add's); one
    # replaced since (`w.data = new`) lives as long as the node
    __slots__ = ("op", "params", "needs", "saved", "options", "inputs")

    def __init__(self, op: Op, params: dict[str, Any], needs: list[bool], saved: Any = None) -> None:
        self.op, self.params, self.needs, self.saved = op, params, needs, saved
        # the keyword arguments its rule reads again as the caller holds them, each with what it held (`held_now`):
        # backward refuses one changed since (Op.reread: the declared ones, else all of a user's op)
        if not params:
            self.options = ()
            return
        names = op.reread(params)
        self.options = noted(params, names) if names else ()

    scatters = property(attrgetter("op.scatters"), doc="Whether the op's rule is g added at an index (OpDef.scatters).")

    @property
    def name(self) -> str:
        return self.op.name

    def show(self, args: Sequence[Any]) -> str:
        return self.op.show(args)

    def vjp(self, g: Any, out: Any, *inputs: Any) -> Sequence[Any]:
        if RECORDING and isinstance(out, Node):  # on the nodes (create_graph) in a step being compiled
            with rule_running(self.op.name):
                return self.checked(self.rule(g, out, *inputs), inputs)
        op = self.op
        if op.built_in and not (modes.entered and modes.current.anomaly):  # `rule` and `checked`, inline
            if self.saved is None:  # and `_call`'s steps, inline where nothing is saved: three calls a node fewer
                rule = rule_for(op, out)
                if op.takes_needs:
                    return in_dtypes(rule(g, out, *inputs, **self.params, needs=self.needs), inputs)
                if len(inputs) == 1:  # one input: it needs the gradient (else no node), nothing to drop
                    return in_dtypes(rule(g, out, *inputs, **self.params), inputs)
            return in_dtypes(self._call(g, out, inputs, self.params), inputs)
        return self.checked(self.rule(g, out, *inputs), inputs)

    def checked(self, grads: Sequence[Any], inputs: Sequence[Any]) -> Sequence[Any]:
        """What a backward makes of the rule's gradients: each in its input's dtype; a user's op's (or
        any under detect_anomaly) also checked and copied (`conform`). A built-in rule's are kept as
        they are, views included: their layout decides the order of later sums."""
        if self.op.built_in and not (modes.entered and modes.current.anomaly):
            return in_dtypes(grads, inputs)
        return self.conform(grads, inputs)

    def rule(self, g: Any, out: Any, *inputs: Any) -> Sequence[Any]:
        """The op's rule with its keyword arguments, None for each input that needs no gradient. A user's
        rule is given read-only views of g, out, the inputs' arrays and its keyword arguments': one that wrote
        into them (`g *= 2`) would change what other rules read (add hands one g to both its inputs), the
        graph's data, and what a second backward reads."""
        if self.op.built_in:
            return self._call(g, out, inputs, self.params)
        USER_CODE.ran = next(TICKS)  # it may change in place what a rule still to run reads (graph_rules._propagate)
        call = refusing_writes(self.op.name, self._call, rule_wrote)  # numpy's refusal named as the op's
        return call(read_only(g), read_only(out), [*map(read_only, inputs)], read_only_values(self.params))

    def _call(self, g: Any, out: Any, inputs: Sequence[Any], params: dict[str, Any]) -> Sequence[Any]:
        op, needs = self.op, self.needs
        if self.saved is not None:  # taken once: after it the graph holds what it held without it, and a
            params, self.saved = {**params, "saved": self.saved}, None  # second pass computes it again
        rule = rule_for(op, out)
        if op.takes_needs:
            return rule(g, out, *inputs, **params, needs=needs)
        grads = rule(g, out, *inputs, **params)
        if False in needs and isinstance(grads, tuple | list) and len(grads) == len(needs):
            grads = [gx if wanted else None for gx, wanted in zip(grads, needs)]
        return grads

    def conform(self, grads: Sequence[Any], inputs: Sequence[Any]) -> Sequence[Any]:
        """`grads` checked against the inputs' shapes, cast to their dtypes (`in_dtypes`), and each an
        array of its own: a user's rule may return a constant it keeps, or an input's data, which a
        leaf's `.grad` changed in place would change. In a plain backward (inputs are arrays) a
        constant Tensor a rule returns counts as its data."""
        if not isinstance(grads, tuple | list) or len(grads) != len(inputs):  # the core names what is wrong
            return grads
        grads = list(grads)
        for i, gx in enumerate(grads):
            if gx is None:
                continue
            keeps_g(self.op, i, isinstance(inputs[i], Node), gx)
            if isinstance(gx, Node) and not isinstance(inputs[i], Node):
                gx = grads[i] = gx.data
            # first: text or an object has shape () too, which a shape error would name instead
            dtype = np.asarray(raw(gx)).dtype
            if dtype.kind not in REAL_KINDS:  # complex: casting would drop a part; bools are no gradient (as on Values)
                shown = "" if hasattr(gx, "shape") else f" ({type_name(gx)} {short(gx)})"
                raise TypeError(
                    f"the derivative rule of op {self.op.name!r} gave a gradient of dtype {dtype} for input {i}"
                    f"{shown}; a gradient holds real numbers"
                )
            if np.shape(gx) != np.shape(inputs[i]):
                raise ShapeError(
                    f"the derivative rule of op {self.op.name!r} gave a gradient of shape {np.shape(gx)} "
                    f"for input {i} of shape {np.shape(inputs[i])}; it must have the input's shape"
                    + _summed_back(np.shape(gx), np.shape(inputs[i]))
                )
            if isinstance(gx, np.ndarray):
                grads[i] = gx.copy(order="K")  # the layout kept: it decides the order of later sums
        return in_dtypes(grads, inputs)


def _summed_back(got: tuple[int, ...], shape: tuple[int, ...]) -> str:
    """The fix of a gradient of the shape the input was broadcast to, for the ShapeError to say."""
    fix = " (if the op broadcast it, sum its gradient back: autograd.unbroadcast(gx, np.shape(x)))"
    return fix if broadcasts_to(shape, got) else ""


def rule_for(op: Op, out: Any) -> Callable[..., Any]:
    """The rule a backward calls for `op`'s node of output `out`: op.vjp, but where out is not float16 the rule a
    float16 wrapper of the engine's (half_precision.rule_in_float32) passes everything to unchanged, called
    directly (UNWIDENED's entry for it: a call a node fewer). A user's op's rule is never looked up: it may be a
    callable that cannot be hashed (a dataclass's instance), which a dict lookup refused (TypeError)."""
    vjp = op.vjp
    if out.dtype is HALF or not op.built_in:
        return vjp
    try:
        return UNWIDENED.get(vjp, vjp)
    except TypeError:  # a built-in op's rule replaced by such a callable of the user's: never a wrapper
        return vjp


def user_forward(op: Op, datas: Sequence[Any], params: dict[str, Any]) -> Any:
    """A user's op's forward, given read-only views of its inputs' arrays (and of its keyword arguments', which
    its rule reads): one that wrote into them (`x *= 2`) would change a leaf's data, and every gradient
    computed from it, without a word. An output that shares memory with an array it was given (the input itself,
    `x.T`, an array held in a keyword argument's list) is copied: a write into one would be one into the other."""
    out = refusing_writes(op.name, op.forward, forward_wrote)(*map(read_only, datas), **read_only_values(params))
    if out.__class__ is np.ndarray and any(np.may_share_memory(out, d) for d in arrays_in((*datas, *params.values()))):
        return out.copy()
    return out


def in_dtypes(grads: Sequence[Any], inputs: Sequence[Any]) -> Sequence[Any]:
    """Each gradient in its input's dtype (as PyTorch), whatever a rule's constants promoted it to:
    `grads` itself when all are, else a list with the others cast. A gradient may be an array, a
    Tensor (create_graph), a numpy scalar (0-d arithmetic gives one) or a Python number."""
    if len(grads) != len(inputs):  # a wrong count is the core's to name
        return grads
    cast = None
    for i, gx in enumerate(grads):
        if gx is None:
            continue
        want = inputs[i].dtype  # an input is an array, or a Tensor under create_graph: never a bare number
        try:
            if gx.dtype == want:
                continue
        except AttributeError:  # a Python number
            gx = np.asarray(gx)
        if cast is None:
            cast = list(grads)
        cast[i] = gx.astype(want)
    return grads if cast is None else cast


class ReplayedRule:
    """An op's rule as a compiled replay calls it: checked and cast as a plain backward does (Record.checked:
    a built-in rule's gradients are kept as they are, so their layouts, and the order of the sums
    after them, are eager's) on the first replay, then called bare if that changed nothing (shapes
    and dtypes are the same on every replay)."""

    __slots__ = ("record", "call")

    def __init__(self, record: Record) -> None:
        self.record = record
        self.call = self._first

    def backward(self, g: Any, out: Any, *inputs: Any) -> Any:
        return self.call(g, out, *inputs)

    def _first(self, g: Any, out: Any, *inputs: Any) -> Any:
        grads = self.record.rule(g, out, *inputs)
        checked = self.record.checked(grads, inputs)
        if checked is grads:
            self.call = self.record.rule
        return checked
