"""The values a drawn rule's named constants had in the call: "∂softplus(x)/∂x = σ(βx)" says nothing a learner can
check without β, nor cross_entropy's "(1 − ε)·one hot − ε/classes) / rows kept" without ε, the classes and the rows
kept. Each name the rule writes of the call's parameters (defaults too: leaky_relu's negative_slope 0.01) or of what
the call divides by is told with its number: "; β = 2, threshold = 5", "; ε = 0.1, classes = 3, rows kept = 3"; and
the g of matmul's "g @ Bᵀ" (and conv's, fold's), the gradient arriving, in words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import FUNCTIONS, Node

from .number_text import kind, summary, typed

# the parameters a rule writes by a symbol, not by their name
SYMBOLS = {"label_smoothing": "ε", "beta": "β", "alpha": "α"}
# the parameters a rule writes raised, as an order: polygamma's ∂ψ⁽ⁿ⁾(x)/∂x = ψ⁽ⁿ⁺¹⁾(x)
RAISED = {"n": "ⁿ"}
WEIGHTS_LISTED = 8  # a weight of this many classes or fewer is listed whole, a longer one summarised


def is_bools(value: Any) -> bool:
    """Whether a parameter is an array of bools (where's cond), which a learner needs to see to follow the op."""
    return isinstance(value, np.ndarray) and value.dtype == bool


def bools_text(value: np.ndarray) -> str:
    """An array of bools as a learner reads it: whole, nested as its shape, where it has WEIGHTS_LISTED entries or
    fewer ("[True, False, True]"), else counted ("2,048 of 4,096 True")."""
    if value.size > WEIGHTS_LISTED:
        return f"{int(value.sum()):,} of {value.size:,} True"
    return str(value.tolist()) if value.ndim else str(bool(value))


def told_values(rule: str, node: Node, params: dict[str, Any]) -> tuple[str, str]:
    """`rule` without a note that names a parameter's symbol by its name ("(ε = label_smoothing)"), and what to put
    after it: "; ε = 0.1, classes = 3", or "" where it names no constant. `params`: the call's, defaults included."""
    told = []
    for name, value in params.items():
        if is_bools(value) and _names(rule, name):  # where's cond: which way each entry's gradient goes
            told.append(f"{name} = {bools_text(value)}")
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        shown = SYMBOLS.get(name, name)
        rule = re.sub(rf" ?\({re.escape(shown)} = {re.escape(name)}\)", "", rule)
        if _names(rule, shown) or (name in RAISED and RAISED[name] in rule):
            told.append(f"{shown} = {typed(value, kind(node.data)) if isinstance(value, float) else value}")
    for phrase, name, derive in _DERIVED:
        if phrase in rule and (value := derive(node, params)) is not None:
            told.append(f"{name} = {value}")
    if _names(rule, "g") and "g" not in params:  # the table's g (matmul's g @ Bᵀ, conv's): no operand, no number
        told.append(ARRIVING)
    return rule, ("; " + ", ".join(told) if told else "")


ARRIVING = "g = the gradient arriving at the op's output"  # what the op table's rules call g


def _names(rule: str, word: str) -> bool:
    """Whether `rule` writes `word` as a name of its own (not a call of it, as threshold's ∂threshold(x)); a Greek
    symbol stands beside what it multiplies ("σ(βx)")."""
    if not word.isascii():
        return word in rule
    return re.search(rf"(?<![\w']){re.escape(word)}(?![\w'(])", rule) is not None


def _classes(node: Node, params: dict[str, Any]) -> int:
    """The classes of a loss on logits: their axis 1 ((N, C, d1, ...) or (N, C)), or their only one."""
    shape = node.parents[0].shape
    return shape[1] if len(shape) > 1 else shape[0]


def _kept(params: dict[str, Any]) -> np.ndarray | None:
    """The labels a loss counts: all, or those not its ignore_index; None without labels."""
    labels = params.get("labels")
    if labels is None:
        return None
    labels = np.asarray(labels)
    ignored = params.get("ignore_index")
    return labels[labels != ignored] if ignored is not None else labels.reshape(-1)


def _rows_kept(node: Node, params: dict[str, Any]) -> str | None:
    """The rows a mean divides by, where no weight does (then Σ w_y of the rows kept)."""
    kept = _kept(params)
    return None if kept is None or params.get("weight") is not None else f"{kept.size:,}"


def _weight_of_kept(node: Node, params: dict[str, Any]) -> str | None:
    kept, weight = _kept(params), params.get("weight")
    if kept is None or weight is None:
        return None
    return summary(float(np.asarray(weight, dtype=float)[kept].sum()))


def _weights(node: Node, params: dict[str, Any]) -> str | None:
    weight = params.get("weight")
    if weight is None:
        return None
    w = np.asarray(weight, dtype=float).reshape(-1)
    return "[" + ", ".join(summary(float(v)) for v in w) + "]" if w.size <= WEIGHTS_LISTED else summary(w)


def _reduced(node: Node, params: dict[str, Any]) -> str | None:
    """How many numbers a mean (var, std) takes each of its results over: its input's size over its output's; none
    for an average pool, whose windows overlap and differ in count (16 // 9 said n = 1 for 2 x 2 windows)."""
    if node.op.name.startswith("avg_pool"):
        return None
    return f"{max(node.parents[0].data.size, 1) // max(np.size(node.data), 1):,}"


def _selu(constant: str) -> Callable[[Node, dict[str, Any]], str]:
    """selu's own constants, read from autograd's selu: its slope above 0 (scale), and the limit of its value far
    below 0 over minus that scale (α: exp(-800) is 0)."""

    def derive(node: Node, params: dict[str, Any]) -> str | None:
        if node.op.name != "selu":
            return None
        scale = float(FUNCTIONS["selu"](1.0))
        return summary(scale if constant == "scale" else -float(FUNCTIONS["selu"](-800.0)) / scale, n=6)

    return derive


# what a rule divides or weighs by that no parameter names: its phrase in the rule, the name it is told by, and how
# to find it from the call
_DERIVED: tuple[tuple[str, str, Callable[[Node, dict[str, Any]], str | None]], ...] = (
    ("Σ w_y of the rows kept", "Σ w_y of the rows kept", _weight_of_kept),
    (
        "rows kept",
        "rows kept",
        lambda node, params: None if params.get("weight") is not None else _rows_kept(node, params),
    ),
    ("ε/classes", "classes", lambda node, params: str(_classes(node, params))),
    ("/ C", "C", lambda node, params: str(node.parents[0].shape[-1])),
    ("w_y", "w", _weights),
    ("1/n", "n", _reduced),
    ("(n − ddof)", "n", _reduced),
    ("scale", "scale", _selu("scale")),
    ("α·exp", "α", _selu("α")),
)
