"""`gradgradcheck`: f's second derivatives, as PyTorch's torch.autograd.gradgradcheck checks them: gradcheck of
the gradients of sum(grad_outputs * f(inputs)), a vector-Jacobian product taken with create_graph=True, in the
inputs and in grad_outputs. No checking of its own: gradcheck's rows, options, verdict and error."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .check import gradcheck
from .check_entries import your_rule
from .check_inputs import _copy, _leaf, read_inputs
from .check_numeric import GradcheckError
from .check_refusals import check_output, check_settings, is_refusal
from .check_shared import check_op_alone, identity, reruns
from .graph import Node, raw
from .graph_functions import gradients
from .graph_order import topological_order
from .modes import enable_grad, require_callable
from .tensor_class import Tensor
from .type_names import type_name
from .value import Value


def gradgradcheck(
    f: Callable[..., Any],
    inputs: Sequence[Any],
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check the second derivatives of `f` at `inputs` (as gradcheck takes them) by gradcheck, PyTorch's
    gradgradcheck way: for each input x checked, the gradient of sum(grad_outputs * f(inputs)) in x, taken with
    create_graph=True, is checked by gradcheck in every input and in grad_outputs (`grad_outputs`: of f's output's
    shape, an array, a number or a list of one, finite and not all 0, which would check no second derivative; None:
    fixed random numbers of size 0.5 to 1.5, either sign). Its derivatives in the inputs are f's second derivatives
    (the Hessian's rows weighed by grad_outputs), in grad_outputs f's first (a rule reading its g as data fails
    there). A rule of one's own that reads raw data (raw(x), x.data, .item()) gives create_graph a constant, and the
    Hessian through it 0 without a word: it fails here, the error naming the ops with rules of one's own f reaches
    and that likely cause (PyTorch's once_differentiable marks such a rule). Returns True, or raises gradcheck's
    GradcheckError, its message saying it is the second derivative that fails (or cannot be judged: `undecided`, as
    gradcheck's); gradcheck's refusals (the gradient not finite at the point) say they are of that gradient."""
    __tracebackhide__ = True  # pytest shows the table, not this function's source
    require_callable(f, "gradgradcheck: f")
    eps, atol, rtol = check_settings("gradgradcheck", eps, atol, rtol)
    inputs, names, points, checked = read_inputs("gradgradcheck", inputs, eps, note=False)  # gradcheck notes
    leaves = [_leaf(_copy(p), name) for p, name in zip(points, names)]
    with enable_grad():
        out = f(*leaves)
    check_output(out, "gradgradcheck: f")
    if not isinstance(out, Node) or out.is_constant:
        raise TypeError(
            f"gradgradcheck: f's result ({type_name(out)}) is a constant, with no graph to take its gradient "
            "through: does f use its inputs, and compute with their operations (x.sin(), not np.sin(x.data))?"
        )
    g = _grad_outputs(grad_outputs, out)
    g = Tensor(g, requires_grad=True, label=_G) if isinstance(out, Tensor) else Value(float(g), _G)
    for k in checked:
        try:
            gradcheck(_gradient_in(f, k), [*inputs, g], eps=eps, atol=atol, rtol=rtol)
        except GradcheckError as e:
            settings = {"eps": eps, "atol": atol, "rtol": rtol}
            inner = None if e.undecided else _failing_inner_op(f, k, (points, names, g), settings)
            raise GradcheckError(_failed(names[k], out, e, inner), e.undecided) from None
        except (ValueError, TypeError) as e:  # gradcheck's refusal ("f's output is nan") is of f's gradient
            if not is_refusal(e):
                raise  # f's own error, as it is
            raise type(e)(f"gradgradcheck: {_checked(names[k])} refuses: {e}") from None
    return True


def _checked(name: str) -> str:
    """What gradgradcheck gives gradcheck, the gradient in input `name`, said in its errors."""
    return f"gradcheck of the gradient in {name} of sum(grad_outputs * f(...)), taken with create_graph=True"


_G = "grad_outputs"  # their name in gradcheck's table


def _gradient_in(f: Callable[..., Any], k: int) -> Callable[..., Any]:
    """The function gradcheck is given: (inputs..., grad_outputs) to the gradient of sum(grad_outputs * f(inputs))
    in input k, on the graph (create_graph=True), so that backward through it gives f's second derivatives."""

    def gradient(*args: Any) -> Any:
        *xs, g = args
        root = f(*xs) * g
        return gradients(root.sum() if isinstance(root, Tensor) else root, [xs[k]], create_graph=True)[0]

    return gradient


def _grad_outputs(given: Any, out: Node) -> np.ndarray:
    """The weights of f's output in the vector-Jacobian product, float64 of out's shape: those given (a list or
    tuple of one, PyTorch's, is its one entry, unless it is of f's output's shape: f's numbers, [1.5, -0.5]), or
    fixed random ones, 0.5 to 1.5 in size and of either sign (none near 0, which would hide a row of the Hessian)."""
    shape = np.shape(raw(out))
    if given is None:
        rng = np.random.default_rng(0)
        return rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    if isinstance(given, list | tuple) and _shape(given) != shape:  # PyTorch's one per output (not f's numbers)
        if len(given) != 1:
            raise ValueError(
                f"gradgradcheck: f has one output, and grad_outputs gives {len(given)}: give one, an array of f's "
                f"output's shape {shape}"
            )
        given = given[0]
    data = np.asarray(raw(given))
    if data.dtype.kind not in "fiu" or data.shape != shape:
        raise ValueError(
            f"gradgradcheck: grad_outputs must be real numbers of the shape of f's output, {shape}; got "
            f"{data.dtype} of shape {data.shape}"
        )
    if not np.isfinite(data).all():
        raise ValueError(f"gradgradcheck: grad_outputs must be finite numbers, got {data}")
    if not data.any():  # the Hessian's rows weighed by 0: nothing of f's second derivatives is checked
        raise ValueError(
            "gradgradcheck: grad_outputs are all 0: f's second derivatives would be weighed by 0, and none checked "
            "whatever the rules are; give numbers other than 0 (or None: random ones of size 0.5 to 1.5)"
        )
    return data.astype(np.float64)


def _shape(given: Any) -> tuple[int, ...] | None:
    """given's shape read as numbers (a list of them, nested), or None where it holds no such thing."""
    try:
        return np.shape(raw(given))
    except (TypeError, ValueError, RuntimeError):  # a list holding Tensors that require grad, or ragged
        return None


def _failing_inner_op(
    f: Callable[..., Any], k: int, given: tuple[list[Any], list[str], Node], settings: dict[str, float]
) -> tuple[str, GradcheckError] | None:
    """The first op of one's own whose rule the second derivative in input k runs (a node of the gradient's graph,
    taken again at the point: `given` holds gradgradcheck's points, their names and grad_outputs) and that fails
    gradcheck alone (`settings`: gradgradcheck's) at the numbers it was given there, with that failure: an op a
    rule of one's own computes with (softplus's g * sig(x), sig's rule of the wrong sign), whose rule is what the
    second derivative differentiates. None where every such op passes alone, or cannot be judged alone."""
    points, names, g = given
    leaves = [_leaf(_copy(p), name) for p, name in zip(points, names)]
    again = Tensor(np.array(g.data), requires_grad=True) if isinstance(g, Tensor) else Value(g.data)
    try:
        with enable_grad():
            gradient = _gradient_in(f, k)(*leaves, again)
    except Exception:  # noqa: BLE001 (f failed to run again: nothing more to tell than gradcheck's table)
        return None
    if not isinstance(gradient, Node) or gradient.is_constant:
        return None
    checked: set[tuple[int, str]] = set()
    for node in topological_order(gradient):
        if not your_rule(node) or identity(node) in checked or not reruns(node):
            continue
        checked.add(identity(node))
        failed = check_op_alone(node, lambda op, at: gradcheck(op, at, **settings))
        if failed is not None and not failed.undecided:
            return node.op.name, failed
    return None


def _failed(name: str, out: Node, e: GradcheckError, inner: tuple[str, GradcheckError] | None = None) -> str:
    """gradcheck's error, said to be of the second derivative, with its likely cause where f reaches ops of one's
    own and a row fails (not where it cannot be judged: a kink of f's gradient is no rule's fault): an op of one's
    own that a rule computes with and that fails alone (`inner`: its name and failure), else a rule reading raw
    data."""
    head = (
        f"gradgradcheck: the second derivative of f {'cannot be judged' if e.undecided else 'fails'}: "
        f"{_checked(name)}, in each input and in grad_outputs (the table's f is that gradient; its derivative in "
        "grad_outputs is f's first)"
    )
    own = sorted({node.op.name for node in topological_order(out) if your_rule(node)})
    if inner is not None:
        op, failed = inner
        rules = [repr(o) for o in own if o != op]
        who = f"The rule of {', '.join(rules)}" if rules else "A rule of yours"
        head += (
            f". {who} computes with {op!r}, an op of your own whose own rule fails gradcheck alone, at the numbers it "
            f"was given there (the second derivative runs that rule): fix the rule of {op!r}. Its check alone:\n"
            f"{failed}\nThe second derivative's check:"
        )
    elif own and not e.undecided:
        which = f"an op of your own {own[0]!r}" if len(own) == 1 else f"ops of your own {', '.join(map(repr, own))}"
        head += (
            f". f reaches {which}: the likely cause is a rule that reads raw data (raw(x), x.data, .item(), raw(g), "
            "numpy on its arrays), which create_graph takes for a constant, the second derivative through it losing "
            "those terms (PyTorch's once_differentiable marks such a rule): write the rule with autograd's operations "
            "on g, out and the inputs (g * 2 * x, autograd.exp(x)), which take numbers, Values, arrays and Tensors"
        )
    return f"{head}\n{e}"
