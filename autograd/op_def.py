"""What an op of the table is (`OpDef`, with what its entry implies: the text of an input without a
derivative, the checked parameters of a call) and where finite differences are valid (`Domain`). The ops
as functions of any engine's input (`function("exp")`, `tensor_op("sum_to")`) are op_functions', read
from here too; rule_functions holds the rest of what rules are written with, so that one rule runs on
floats, arrays and nodes. `op_table` holds the entries.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .graph import raw
from .modes import is_real, too_large
from .op_functions import _ENGINES, engine_of, function, tensor_op  # noqa: F401 (the table's files read them here)
from .type_names import repr_of, type_name

BOTH = (True, True)


@dataclass(frozen=True)
class Domain:
    """Where an operand may be drawn for finite differences to be valid: within [lo, hi] and at
    least `margin` away from each point of `avoid` (a kink, a pole). The strategies and the
    tests' gradchecks draw from here; edge points are tested on their own."""

    lo: float = -3.0
    hi: float = 3.0
    avoid: tuple[float, ...] = ()
    margin: float = 0.05

    def __call__(self, x: Any) -> bool:
        a = np.asarray(raw(x))
        inside = bool(np.all((a >= self.lo) & (a <= self.hi)))
        return inside and all(bool(np.all(np.abs(a - p) >= self.margin)) for p in self.avoid)


ANYWHERE = Domain(lo=-np.inf, hi=np.inf)
POSITIVE = Domain(lo=0.1)  # log, sqrt, the base of a real power: inside the domain, with room
NONZERO = Domain(avoid=(0.0,), margin=0.1)  # a divisor: away from the pole
OFF_KINK = Domain(avoid=(0.0,))  # relu, abs: a finite difference across the kink gives 0.5
# the formula of an input without a derivative (OpDef.no_derivative), as viz and docs/ops.md show it
NO_DERIVATIVE_FORMULA = "none (not implemented, as PyTorch's)"


@dataclass(frozen=True)
class OpDef:
    """One op: elementwise on both engines, or (`scalar=None`) tensor-only."""

    name: str  # its function and method name ("exp"); for an operator, what it is called ("mul")
    vjp: Callable[..., tuple[Any, ...]]
    scalar: Callable[..., Any] | None  # the forward on floats; None: a tensor-only op
    tensor: Callable[..., Any]  # the forward on arrays (a tensor-only op's takes its keyword params too)
    safe: tuple[Domain, ...] = (ANYWHERE,)  # per input: where finite differences are valid
    domain: str = ""  # what an undefined forward says (a Value raises; a Tensor gives NaN or inf)
    symbol: str = ""  # an operator's symbol ("*"): its methods are `__mul__` and `__rmul__`
    skips: bool = False  # the rule takes `needs` and forms no gradient for an input that needs none
    # PyTorch's function (torch.<reference>) for the differential tests, where its name is not the op's
    # (pow for power); None: the op's name in torch, torch.special or torch.nn.functional (`torch_names`)
    reference: str | None = None
    # per input, the rule as a learner reads it ("∂(a·b)/∂b = a"): viz shows it. A rule that changes with the
    # op's options holds segments ⟨conditions: text⟩, kept where each condition holds for the call drawn:
    # name='value', name (given: not None, False or 0), !name (not given); docs show every segment. An entry
    # gives those of its inputs with a derivative only: each in no_derivative reads NO_DERIVATIVE_FORMULA
    formulas: tuple[str, ...] = ()
    api: str = ""  # a tensor-only op: how users call it ("Tensor.sum", "autograd.stack"); "" for the rules' own
    broadcasts: bool = False  # a tensor-only op that broadcasts its inputs, as elementwise ops do (where)
    params: dict[str, Any] = field(default_factory=dict, hash=False)  # keyword parameters and their defaults
    check: Callable[..., None] | None = None  # raises ValueError for parameters without meaning (hardtanh's bounds)
    joint: Callable[..., bool] | None = None  # where the inputs together keep finite differences valid (no ties)
    aliases: tuple[str, ...] = ()  # other names of its method and function (numpy's arctan2 for atan2)
    # its result adds up numbers of its inputs' size (a sum, a matmul, a shift by the max): it may cancel, and
    # then rounds at their size, not its own (gradcheck's estimate of the rounding inside f reads it)
    adds_up: bool = False
    # a tensor-only op's forward that also returns what its rule would compute again, which a recorded node
    # keeps and the rule takes as `saved=` on arrays (None where it was not kept: it computes it then)
    saving: Callable[..., tuple[Any, Any]] | None = None
    # a tensor-only op whose float16 forward and rule compute in float32, each result rounded once
    # (half_precision), as PyTorch's CPU kernels do; every elementwise op does so
    half_in_float32: bool = False
    # an elementwise forward with no arithmetic to round (nan_to_num's replacing): it runs on float16 as it is,
    # where computed in float32 its replacement of inf, float32's largest float, would round to inf again
    in_own_dtype: bool = False
    # a tensor-only op of one input whose rule is `index_add(g, index=index, shape=x.shape)` (getitem's): a plain
    # backward adds g at the index into the input's gradient instead, never forming those zeros (graph_sums),
    # so that a loop over x[t] costs x's size, not T times it
    scatters: bool = False
    # the forward on Python's Decimals, whose exponents reach 1e±999999999 (Decimal.exp), where one is plain
    # arithmetic of theirs: viz works out with it a value beyond even a long double's range (exp(-1e5) is
    # 3.56e-43430), never a guess; None: none is (DECIMAL_FORWARDS collects them)
    decimal: Callable[..., Any] | None = None
    # the inputs (by position) that have no derivative here (gammainc's a, zeta's x: PyTorch's have none either):
    # a node that needs a gradient there is refused when the op is applied (Op.refuse), never given a 0; the
    # derived tests check only the other inputs, and check the refusal (`differentiable`). The entry's rule
    # and formulas are the other inputs' only: OpDef adds these inputs' (a stand-in gradient, the words)
    no_derivative: tuple[int, ...] = ()
    # the inputs (by position) whose numbers its rule does not read, only their shape and dtype (add's, sum's x,
    # reshape's): a change in place to such an input after the forward changes no gradient, and backward lets it
    # pass, as PyTorch's, whose rules save no such input, with the op's output where it views the input (reshape's:
    # its numbers are the input's); () (the default): the rule may read every input's numbers.
    # An op of any number of inputs (concatenate's *xs) names its entry's two: a third is checked as one it reads
    shape_only: tuple[int, ...] = ()
    # a `skips` rule's reads per input gradient: for each input, the inputs whose numbers forming its gradient reads
    # (mul's ((1,), (0,)): a's is g·b). An input that no needed gradient reads is let pass as a shape_only one is
    # (`v * 2.0`, then `v.add_(1)`: the constant's gradient, g·v, is never formed), as PyTorch's; () : not known
    reads_for: tuple[tuple[int, ...], ...] = ()
    # the keyword parameters its rule reads again in backward as the caller holds them (a loss's class `weight`, a
    # Tensor or an array kept by identity, so that a compiled step's replays read each call's numbers): a node notes
    # what each held at the forward (Record.options) and backward refuses one changed since, as it does an input
    rereads: tuple[str, ...] = ()
    # flat in pieces: where its rule gives 0 at an input's place, the op is exactly flat there, on an open region
    # (relu below 0, clip past a bound, max's elements it does not pick, sign away from 0), so an output that a move
    # there leaves unchanged was stopped, not kept still by rounding, as a saturated tanh's is (viz check=True tells
    # the two apart by it: FLAT_PIECES). Its rule's entries are never negative, so g of ones cannot cancel them
    flat_pieces: bool = False
    # of an op flat in pieces: the inputs between which a piece that is not flat rises less than a sixth as fast as
    # its input (hardswish's middle piece from −2 to −1: its slope x/3 + 1/2 is 0 at −1.5), where a short move leaves
    # it as still as a flat piece; every other piece rises at least that fast (hardsigmoid's 1/6). viz check=True
    # tells a flat piece by such a move, and does not there (SLOW_PIECES)
    slow_between: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.no_derivative:  # the same for each such input of every entry, written here once
            formulas = list(self.formulas)
            for k in sorted(self.no_derivative):
                if formulas[k : k + 1] != [NO_DERIVATIVE_FORMULA]:  # once: a copy (dataclasses.replace) has it
                    formulas.insert(k, NO_DERIVATIVE_FORMULA)
            object.__setattr__(self, "formulas", tuple(formulas))
            if getattr(self.vjp, "stands_in_for", None) != self.no_derivative:  # once, as the formulas
                object.__setattr__(self, "vjp", _standing_in(self.vjp, self.no_derivative, self.arity))

    def differentiable(self, k: int) -> bool:
        """Whether input k has a derivative (a gradcheck, a PyTorch gradient and a strategy may ask for it)."""
        return k not in self.no_derivative

    def as_constants(self, xs: Sequence[Any]) -> list[Any]:
        """xs with each input that has no derivative given as its data (a constant): how random expressions
        and tests apply the op to nodes that all need gradients."""
        return [raw(x) if k in self.no_derivative else x for k, x in enumerate(xs)]

    def varied(self, xs: Sequence[Any]) -> tuple[Callable[..., list[Any]], list[Any]]:
        """What a gradcheck varies at xs: the inputs that have a derivative, and how to put them back among
        the others (held as they are), `full(*varied)` the op's whole list of inputs."""
        keep = [k for k in range(len(xs)) if self.differentiable(k)]

        def full(*varied: Any) -> list[Any]:
            inputs = list(xs)
            for k, v in zip(keep, varied):
                inputs[k] = v
            return inputs

        return full, [xs[k] for k in keep]

    @property
    def elementwise(self) -> bool:
        """On both engines, broadcasting; its gradients are summed back to the input shapes for it."""
        return self.scalar is not None

    @property
    def arity(self) -> int:
        return len(self.safe)

    @property
    def torch_names(self) -> tuple[str, ...]:
        """Where PyTorch's function for this op may be (torch.<each>), in the order to look: its `reference`, or
        its name in torch's namespaces (gelu is torch.nn.functional.gelu, gammainc torch.special.gammainc)."""
        if self.reference is not None:
            return (self.reference,)
        return (self.name, f"special.{self.name}", f"nn.functional.{self.name}")

    @property
    def apply(self) -> Callable[..., Any]:
        """The op as Python code spells it: its operator (`a * b`), or else `autograd.<name>`."""
        if self.symbol:
            return OPERATORS[self.symbol]
        return function(self.name, self.parameters) if self.params else function(self.name, arity=self.arity)

    def valid(self, *xs: Any) -> bool:
        """Whether finite differences are valid at these inputs: each in its domain, and together (`joint`)."""
        return all(safe(x) for safe, x in zip(self.safe, xs)) and (self.joint is None or self.joint(*xs))

    def with_defaults(self, f: Callable[..., Any]) -> Callable[..., Any]:
        """A forward or rule with the parameters' defaults filled in (a call's own parameters override them)."""
        return functools.partial(f, **self.params) if self.params else f

    def parameters(self, args: tuple[Any, ...], given: dict[str, Any]) -> dict[str, Any]:
        """The parameters a call passes (positional ones named, in the order of `params`), checked:
        an unknown name or a wrong type is a TypeError, a value without meaning a ValueError."""
        if len(args) > len(self.params):
            n = len(self.params)
            raise TypeError(
                f"{self.name} takes {n} parameter{'s' * (n != 1)} after its input ({', '.join(self.params)}), "
                f"got {len(args)}"
            )
        named = dict(zip(self.params, args))
        for name in given:
            if name not in self.params or name in named:
                why = "given twice" if name in named else f"not a parameter of {self.name} ({', '.join(self.params)})"
                raise TypeError(f"{self.name}: {name!r} is {why}")
        named |= given
        for name, value in named.items():
            named[name] = _parameter(self.name, name, value, self.params[name])
        if self.check is not None:
            self.check(**(self.params | named))
        return named


def _standing_in(vjp: Callable[..., tuple[Any, ...]], held: tuple[int, ...], arity: int) -> Callable[..., Any]:
    """A rule of the inputs with a derivative (`vjp`) as one of all `arity` inputs: each input in `held` gets
    g·NaN, a stand-in never read, since Op.refuse turned away every node that would read it (NaN, not 0,
    were it ever to be)."""

    @functools.wraps(vjp)  # the entry's rule still: its module (the op's family in docs/ops.md), its name
    def rule(g: Any, out: Any, *xs: Any, **params: Any) -> tuple[Any, ...]:
        given = iter(vjp(g, out, *xs, **params))
        return tuple(g * math.nan if k in held else next(given) for k in range(arity))

    rule.stands_in_for = held  # type: ignore[attr-defined]: what __post_init__ reads to wrap a rule once
    return rule


# each operator symbol as Python spells it; its method names follow (`mul`: `__mul__`, `__rmul__`)
OPERATORS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
    "%": operator.mod,
    "@": operator.matmul,
}


def _parameter(op: str, name: str, value: Any, default: Any) -> Any:
    """A parameter's value, of its default's kind: a real number (as a float) or a string; None where
    None is the default (softplus's threshold: none), as the signature shows it."""
    if value is None and default is None:
        return None
    if isinstance(default, str):
        if isinstance(value, str):
            return value
    elif is_real(value):
        try:
            return float(value)
        except OverflowError:
            raise too_large(value, f"{op}: {name}: ") from None
    kind = "a string" if isinstance(default, str) else "a real number"
    raise TypeError(f"{op}: {name} must be {kind}, got {type_name(value)} {repr_of(value)}")
