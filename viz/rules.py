"""How captions, edge labels and stories write an op and its operands: a name as a symbol, a number as a
factor, the op's parameters, and the op's rule for an input (the op table's, in the operands' own names)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

import autograd
from autograd import Node

from .graph import Edge, broadcast_summed
from .long_names import Names
from .number_text import kind, size, summary, typed
from .rule_values import bools_text, is_bools, told_values
from .text import ELISION, ISOLATE_MARKS, SPACE, quoted

# a one-letter name standing alone in a rule (beside no other Latin letter, digit or _): its operands
_LETTER = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z](?![A-Za-z0-9_])")
INPUTS = "①②③④⑤⑥⑦⑧⑨"  # an operand the picture names no other way: by its place, as "input 1 of *" says it


def local_rule(node: Node, index: int, names: Names) -> str:
    """The op's rule for its `index`-th input, written with the operands as the picture names them (`names`,
    drawn_names; a constant by its number or label): the op table's "∂(a·b)/∂b = a" on d * f reads "∂(d·f)/∂f =
    d", never a name beside a learner's own a or b of another value. An operand taken twice (x * x) or named no way
    is written by its place, "∂(①·②)/∂① = ②"; a parameter an operator applies (a tensor's ** 3) by its value.
    "" where the op gives no rule; a rule whose letters are not its operands' (cross_entropy's ∂CE/∂logits) as it is."""
    formulas = node.op.formulas
    # concatenate's and stack's one rule, written for two inputs, holds for each of any number
    alike = len(formulas) > 1 and len(set(formulas)) == 1
    rule = as_called(formulas[min(index, len(formulas) - 1)], node) if index < len(formulas) or alike else ""
    rule, values = told_values(rule, node, {**_defaults(node.op.name), **node.op_params})  # "; β = 2"
    letters = _operands(formulas)
    texts = [_operand(node, k, names) for k in range(len(node.parents))]
    texts += shown_params(node, names.text)[:1] if not node.op.name.isidentifier() else []  # the 3 of x ** 3
    if not rule or len(letters) != len(texts):
        return rule + values if rule else ""
    others = _other_words(rule, letters)  # softmax's s, cumsum's k, matmul's g: a name that is one of them is no name
    written = {letter: _place(k) if text in others else text for k, (letter, text) in enumerate(zip(letters, texts))}
    rule = _LETTER.sub(lambda m: _put(m, written), rule)
    return re.sub(r"= \((-[^()]*)\)$", r"= \1", rule) + values  # a negative number alone needs no brackets: "= -2"


def as_called(rule: str, node: Node) -> str:
    """The op table's rule for every call, told for this one: a bound not given (None) leaves its comparison,
    so clip(hi=0) reads "1 where x ≤ hi, else 0", not "where lo ≤ x ≤ hi", and clip() "1"; a note about a
    parameter not given goes (softplus's threshold), as does one about an option's other value (gelu's
    "(approximate='tanh': ...)" where it is not 'tanh'); a segment ⟨conditions: text⟩ (OpDef.formulas)
    keeps its text where every condition holds; a norm's rule keeps its own ord's clause."""
    defaults = _defaults(node.op.name)
    params = {**defaults, **node.op_params}
    held = lambda m: all(_holds(c, params, defaults) for c in m.group(1).split(", "))  # noqa: E731
    rule = _SEGMENT.sub(lambda m: m.group(2) if held(m) else "", rule)
    full = rule
    for name in [k for k, v in params.items() if v is None]:
        word = rf"(?<![\w']){re.escape(name)}(?![\w'(])"
        rule = re.sub(rf"{word} *[≤<] *| *[≤<] *{word}", "", rule)  # lo ≤ x ≤ hi without lo: x ≤ hi
        rule = re.sub(rf" ?\([^()]*{word}[^()]*\)", "", rule)  # a note about it: "(1 where βx > threshold)"
    if rule != full:  # no bound left: "1 where x, else 0" is 1 (where's "1 where cond holds, else 0" keeps its cond)
        rule = re.sub(r" where [^<>≤≥=,]+, else [^,;()]+$", "", rule)
    rule = re.sub(r" ?\((\w+)=('[^']*'): ([^()]*)\)", lambda m: _if_given(m, params), rule)
    if "ord" in params and "; " in rule:
        mark = "‖" + str(params["ord"]).translate(_SUBSCRIPTS) + "/"
        rule = next((clause for clause in rule.split("; ") if mark in clause), rule)
    return rule


# a segment of a rule that holds for some calls: ⟨weight, reduction='mean': text⟩ (autograd.op_def.OpDef.formulas)
_SEGMENT = re.compile(r"⟨([^:⟨⟩]+): ([^⟨⟩]*)⟩")


def _holds(condition: str, params: dict[str, Any], defaults: dict[str, Any]) -> bool:
    """A segment's condition for a call: `name='value'` (the option is that value), `name` (it was given: not
    None, nor its function's default, `defaults`: ignore_index=0 is given, label_smoothing=0.0 not) or `!name`
    (it was not)."""
    name, _, value = condition.partition("=")
    if value:
        return repr(params.get(name)) == value
    key = name.lstrip("!")
    given, default = params.get(key), defaults.get(key)
    number = isinstance(given, bool | int | float)
    given = given is not None and not (number and (given == default if key in defaults else not given))
    return given != name.startswith("!")


def _defaults(op: str) -> dict[str, Any]:
    """The parameters a call of autograd's function `op` takes by default, which a node does not keep
    (softplus's threshold None: no linear part); {} where autograd has no function of that name."""
    function = getattr(autograd, op, None)
    try:
        signature = inspect.signature(function) if callable(function) else None
    except (TypeError, ValueError):  # a builtin without a signature
        return {}
    return {k: p.default for k, p in signature.parameters.items() if p.default is not p.empty} if signature else {}


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉", "") | {ord("i"): "∞", ord("n"): None, ord("f"): None}


def _if_given(note: re.Match, params: dict) -> str:
    """A note that holds for one value of an option ("(approximate='tanh': of the tanh form)"): its words where
    the call gave that value, else nothing."""
    name, value, words = note.groups()
    return f" ({words})" if repr(params.get(name)) == value else ""


def _put(letter: re.Match, written: dict[str, str]) -> str:
    """The operand a rule's letter stands for, without its brackets where the rule's own enclose it:
    tanh(a) on x*w + b reads "tanh(x*w + b)", not "tanh((x*w + b))"."""
    text, rule, at, end = written.get(letter.group(), letter.group()), letter.string, letter.start(), letter.end()
    alone = rule[at - 1 : at] == "(" and rule[end : end + 1] == ")"
    return text[1:-1] if alone and text.startswith("(") and text.endswith(")") else text


def _operands(formulas: tuple[str, ...]) -> list[str]:
    """The letters an op's rules name its operands by, in order ("∂(a·b)/∂a = b": a, b; a function's letter, the
    J of J₀(x) or the P of P(a,x), is none), where each rule is for the input its letter names (the letter after
    "/∂"; an input with no derivative, whose words have no ∂, names none); [] where they are not
    (cross_entropy's "∂CE/∂logits")."""
    found = next((m for rule in formulas if (m := re.match(r"∂(.+?)/∂", rule))), None)
    letters = list(dict.fromkeys(_OPERAND.findall(found.group(1)))) if found else []
    for k, rule in enumerate(formulas):
        by = re.match(r".+?/∂([A-Za-z])(?![A-Za-z0-9_])", rule)
        if "∂" in rule and (by is None or k >= len(letters) or by.group(1) != letters[k]):
            return []
    return letters


# an operand's letter in a rule's head: not one naming a function, before its subscript or bracket (J₀(x), P(a,x)),
# nor Euler's e of a power (e^−|x|·I₀(x))
_OPERAND = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z](?![A-Za-z0-9_(^₀₁₂₃₄₅₆₇₈₉])")


def _operand(node: Node, k: int, names: Names) -> str:
    """The `k`-th input of `node` as its rule writes it: its name, a one-number constant's number, else its place."""
    p = node.parents[k]
    if sum(q is p for q in node.parents) == 1:
        if names.get(id(p)):
            return symbol(names[id(p)])
        if p.is_constant and getattr(p.data, "size", 1) == 1:
            return term(p.data)
        if label := names.label(p):
            return symbol(label)
    return _place(k)


def _place(k: int) -> str:
    """The `k`-th input by its place, as "input 1 of *" says it: ①."""
    return INPUTS[k] if k < len(INPUTS) else f"(input {k + 1})"


def _other_words(rule: str, letters: list[str]) -> set[str]:
    """The words and letters of `rule` other than its operands' `letters`: softmax's s and δ, cumsum's k and i,
    the Bessels' J, matmul's g, var's mean and n, not the article of sign's "(a jump at 0)". An input named as one
    of them is written by its place, "∂softmax(①)ᵢ/∂①ⱼ = sᵢ(δᵢⱼ − sⱼ), s = softmax(①)", not "s = softmax(s)"."""
    return set(_WORD.findall(re.sub(r"(?<![\w'])a (?=[a-z])", "", rule))) - set(letters)


# a word of a rule, Latin or Greek, beside no other letter of either, digit or _ (an index ᵢ may follow: sᵢ)
_WORD = re.compile(r"(?<![A-Za-z0-9_'α-ωΑ-Ω])[A-Za-zα-ωΑ-Ω][A-Za-zα-ωΑ-Ω0-9_]*(?![A-Za-z0-9_α-ωΑ-Ω])")


def shown_params(node: Node, write: Callable[[str], str]) -> list[str]:
    """The parameters of the call that made `node`, where they are numbers, words or bools (where's cond, which picks
    each entry: whole where short, else counted): what a learner needs to redo the forward. An op called by name
    shows them named (`negative_slope=0.2`, `axis=1`); an operator shows the number it applies, its second operand
    (the 3 of a tensor's `x ** 3`, kept as a parameter, not drawn as an input as a Value's constant is). `write`
    writes a user's text (a keyword, a word): a drawing's `Names.text`, shortened where long and numbered apart, or
    for a message whole (whole_named)."""
    plain = (int, float, str, np.integer, np.floating)
    params = [(k, v) for k, v in node.op_params.items() if isinstance(v, plain) and not isinstance(v, bool)]
    of = kind(node.data)  # a float32 tensor's negative_slope=0.2 is kept as the float 0.20000000298023224
    shown = [(k, _param_text(v, of, write)) for k, v in params]
    shown += [(k, bools_text(v)) for k, v in node.op_params.items() if is_bools(v)]  # where's cond=[True, False]
    if not node.op.name.isidentifier():
        return [text for _, text in shown]
    return [f"{write(k)}={text}" for k, text in shown]  # an own op's keyword may be named anything, as a label


def _param_text(v: Any, of: type, write: Callable[[str], str]) -> str:
    """A parameter as the user typed it: a number as the shortest text that reads back in the op's float type
    `of` (`typed`), an int as written, a word quoted and shown as labels are (`write`, Names.text in a drawing: an op
    of one's own may take any text, a long one shortened; "tw\u202eice" reversed the caption after it as a label
    did, a Hebrew word moved the numbers)."""
    if isinstance(v, float | np.floating):
        return typed(v, of)
    if isinstance(v, int | np.integer):
        return str(int(v))
    return write(quoted(v))


def applied(op: str, inputs: list[str], write: Callable[[str], str]) -> str:
    """An op on its inputs as a learner writes it: infix for operators ("x1 * w1"), else a call; its name as `write`
    writes it (`shown_params`)."""
    if len(inputs) == 2 and not op.isidentifier():
        return f"{inputs[0]} {write(op)} {inputs[1]}"
    return f"{write(op)}({', '.join(inputs)})"


def op_title(node: Node, names: Names) -> str:
    """The op's name with its parameters (`leaky_relu(negative_slope=0.2)`, `sum(axis=1)`, `** 3`), its texts as
    `names` (drawn_names) writes them: one's own op may be named anything, as a label."""
    shown, name = shown_params(node, names.text), names.text(node.op.name)
    if shown and not node.op.name.isidentifier():
        return f"{name} {' '.join(shown)}"
    return f"{name}({', '.join(shown)})" if shown else name


def op_name(node: Node, names: Names) -> str:
    """The op as captions and notes name it: by name, an operator with the number it applies ("** 3")."""
    return names.text(node.op.name) if node.op.name.isidentifier() else op_title(node, names)


def symbol(name: str) -> str:
    """A name as it stands in ∂a/∂b: in brackets when it is an expression ("(x1*w1 + x2*w2)"); a call, as viz
    expr names its steps, as it is, as the rules write ∂tanh(n)/∂n: "∂round(y)/∂y", "= sign(x)", not
    "∂(round(y))/∂y", "= (sign(x))", nor "∂((round(y))·(sign(x)))"."""
    # a right-to-left name stands between the marks that isolate it (text.visible): a name still, not an expression
    # still a name: a long name's … stands for more of it (text.shortened), ␣ for a space at an end (text.visible)
    core = name.strip(ISOLATE_MARKS)
    plain = core.replace("_", "").replace("#", "").replace(".", "").replace(ELISION, "").replace(SPACE, "").isalnum()
    return name if plain or _one_call(core) else f"({name})"


def _one_call(name: str) -> bool:
    """Whether `name` is one function's call, "threshold(x, 0.5, -1)": a name, then brackets closing at its end
    (not "tanh(a) * tanh(b)", whose first bracket closes before it)."""
    head = re.match(r"[A-Za-z_][A-Za-z0-9_.]*\(", name)
    if head is None or not name.endswith(")"):
        return False
    depth = 0
    for k, c in enumerate(name[head.end() - 1 :], start=head.end() - 1):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth == 0:
            return k == len(name) - 1
    return False


def term(x: Any, signed_zero: bool = False, n: int | None = None) -> str:
    """A number as a factor of a product or an operand (`n` figures, as `summary`): a negative one in brackets (-0
    too, with `signed_zero`), and an array's min, mean and max ("#4 - (min 0 mean 0.5 max 1)", not "#4 - min 0
    mean 0.5 max 1")."""
    if isinstance(x, float) and not signed_zero:
        return _float_term(x, n)
    text = summary(x, signed_zero, n)
    return f"({text})" if text.startswith("-") or size(x) > 1 else text


# a Value's number as a factor, kept: a deep graph's page writes each local derivative in every path through it
# (-0 and 0 alike: both "0" without signed_zero); bounded, as number_text's
_float_term = lru_cache(maxsize=1 << 16)(
    lambda x, n: f"({text})" if (text := summary(x, n=n)).startswith("-") else text
)


def summed_back(parent: Node, child: Node) -> str:
    """The words for backward summing `parent`'s gradient back to its shape (`broadcast_summed`), "summed back
    from (2, 3) to (3,)", or "": the drawn edge, the player's caption and `explain` say it alike."""
    summed = broadcast_summed(Edge(parent, child, 0, None, None))
    return f"summed back from {child.shape} to {parent.shape}" if summed else ""


def broadcast_words(parent: Node, child: Node, name: str, names: Names) -> str:
    """ " (summed back from (2, 3) to (3,): * broadcast w)" after what a caption says `parent` (`name`) gets."""
    summed = summed_back(parent, child)
    return f" ({summed}: {op_name(child, names)} broadcast {name})" if summed else ""
