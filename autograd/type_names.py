"""How a message names the type of what it was given: chainrule's own types (and their subclasses, a
user's nn.Module), Python's and numpy's by their short names, any other by its module and name
(`lecture_value.Value`, `torch.Tensor`), so that "takes a Value, got Value" cannot happen; another library's
Value or Tensor is named with the fix."""

from __future__ import annotations

from typing import Any

# chainrule's packages: their types are named short here, and their reads of `.grad` are the engine's own
# (tensor_grad_checks.warn_not_kept, gradcheck's notes)
OWN_PACKAGES = frozenset({"autograd", "nn", "viz"})
PLAIN = ("builtins", "numpy")  # the languages messages are written in

OTHER_VALUE = "another library's Value: chainrule's graphs are of its own, `from autograd import Value`"
TORCH_TENSOR = "PyTorch's: chainrule takes its numbers, t.detach().numpy() or t.item()"
OTHER_TENSOR = "another library's Tensor: chainrule takes its numbers, np.asarray(t)"


def type_name(x: Any) -> str:
    """The name of x's type as a message should print it: `Tensor`, `list`, `ndarray`, `MyNet` (a subclass
    of nn.Module), but `lecture_value.Value` or `torch.Tensor` for another library's, followed by the fix
    in parentheses where that is a look-alike of chainrule's Value or Tensor. A class given for an instance
    (nn.Linear(2, 1)(Tensor)) is `class Tensor`, not its metaclass's "type"."""
    if isinstance(x, type):
        return f"class {_named(x)}"  # no article: sites write "got a {type_name(x)}" and "got {...}"
    kind = type(x)
    fix = "" if _short(kind) else _fix(kind)
    return f"{_named(kind)} ({fix})" if fix else _named(kind)


def _short(kind: type) -> bool:
    """Whether `kind` is named by its name alone: chainrule's own (or a subclass of one), Python's or numpy's."""
    return any(_root(k) in OWN_PACKAGES for k in kind.__mro__[:-1]) or _root(kind) in PLAIN


def _named(kind: type) -> str:
    return kind.__qualname__ if _short(kind) else f"{kind.__module__}.{kind.__qualname__}"


def _root(kind: type) -> str:
    return str(getattr(kind, "__module__", "") or "").split(".")[0]


def _fix(kind: type) -> str:
    """What to do instead of giving chainrule a look-alike of its Value or Tensor, or "" for anything else."""
    names = {k.__name__ for k in kind.__mro__}
    if _root(kind) == "torch" and "Tensor" in names:  # torch.Tensor, torch.nn.Parameter
        return TORCH_TENSOR
    if "Tensor" in names or "Parameter" in names:
        return OTHER_TENSOR
    if "Value" in names:
        return OTHER_VALUE
    return ""


def repr_of(x: Any) -> str:
    """x's repr for a message, or, for what repr cannot print (a list nested deeper than Python's recursion
    limit: RecursionError in place of the message), its type and how deep it goes."""
    try:
        return repr(x)
    except RecursionError:
        depth, whole = _depth(x)
        return f"a {type_name(x)} nested {'' if whole else 'at least '}{depth} deep (too deep to show)"


def _depth(x: Any, most: int = 100_000) -> tuple[int, bool]:
    """How deep the lists, tuples, sets and dicts' values in x go (a loop, not repr's recursion), and whether
    all of x was walked (at most `most` items are): every item's depth, not its first's ([1, deep] is deep)."""
    deepest, seen, stack = 0, 0, [(x, 0)]
    while stack and seen < most:
        inner, depth = stack.pop()
        seen += 1
        deepest = max(deepest, depth)
        items = inner.values() if isinstance(inner, dict) else inner
        if isinstance(inner, list | tuple | set | frozenset | dict):
            stack.extend((item, depth + 1) for item in items)
    return deepest, not stack
