"""`gradcheck_params`: gradcheck of a loss in the parameters it uses, each moved in place and put
back as it was."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .check import gradcheck
from .check_analytic import analytic_gradients
from .check_blocks import block_size, blocks
from .check_entries import fix
from .check_inputs import laid_out_as
from .check_numeric import GradcheckError, Slopes, nominal, output, rounded_step, slopes
from .check_own_dtype import compare_own_dtype, narrow_float
from .check_refusals import check_finite, check_settings, check_steps, undefined
from .check_rounding import rounding_inside
from .check_scales import reaching_own_ops
from .check_shared import check_shared_arguments
from .check_verdict import failing, row, verdict
from .check_wider import failed_wider
from .graph import Node
from .graph_order import topological_order
from .modes import enable_grad, require_callable
from .ordered import check_ordered
from .shape_args import is_int
from .tensor_backward import held_grad, store_grad
from .tensor_class import Tensor
from .type_names import type_name
from .value import Value


def gradcheck_params(
    loss: Callable[[], Any],
    params: Sequence[Node] | Mapping[str, Node],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    max_per_param: int | None = 20,
    block: int | None = None,
    seed: int = 0,
) -> bool:
    """Check the gradient of `loss()` (a scalar node computed from `params`, such as a model's
    loss on a batch) in each parameter against central finite differences. `params` is a list,
    or a dict from names to parameters (the names label the table).

    Each parameter is moved by +-eps, one element at a time, and put back as it was (its data array, its version
    count: graphs built before still backward, and its .grad); loss() runs with the graph recorded at every step,
    as the user runs it (it may take gradients itself: a gradient penalty, a MAML step, or call backward: an
    optimizer's closure); Tensor parameters are checked in float64,
    and a float32 or float16 one's gradient also in its own dtype (loss() runs once more with it as given: a rule
    wrong only there fails, as in gradcheck: check_own_dtype); an op of one's own given a parameter through two of
    its arguments is checked alone too (check_shared). At most `max_per_param` elements of each parameter are
    checked one at a time (drawn with `seed`; None: all), as each costs three evaluations of `loss`; where that
    leaves some out, every element is checked in blocks of `block` (default 32, or n / 256 for a parameter of n
    elements where that is more), one row each (`W[7, :]·d`, numpy's index of its elements: check_blocks.span): the
    slope along a direction that moves those elements alone, weighed so that each counts as much as its own
    tolerance. The row allows the sum of its elements' tolerances (atol + rtol * |gradient| each, weighed), so it
    fails only where some element is off by more than its own tolerance, and it is sure to fail where one element's
    gradient is off by more than m * (atol + rtol * |that gradient|), m the block's size (n / 256 beyond 8,192
    elements: no 256 directions promise more, check_blocks says why), beyond the finite difference's own error;
    smaller errors in an element not drawn may pass, and errors in several elements of a block may cancel in its
    row, but for the same error in every one of them (its signs are + for three quarters of the block), which fails
    beyond twice the block's largest tolerance. The checks of `gradcheck` (the gradients' scaling, kinks, a step
    that rounds away: refused) apply; a block whose direction moves some element by less than its rounding cannot be
    judged; one f's rounding keeps from judging, taken again at a larger eps to fail (check_wider). Returns True, or
    raises GradcheckError with a table.
    """
    __tracebackhide__ = True  # pytest shows the table, not this function's source
    require_callable(loss, "gradcheck_params: loss")
    eps, atol, rtol = check_settings("gradcheck_params", eps, atol, rtol)
    given, named = params, _named_params(params)  # as given, for a check taken again (a list's labels may repeat)
    _check_sampling(max_per_param, block, seed)
    check_steps([(name, p.data) for name, p in named], eps, "gradcheck_params")  # every element: blocks vouch too
    params = [p for _, p in named]
    kept = [_kept(p) for p in params]
    try:
        for p in params:
            if isinstance(p, Tensor):
                p.data = laid_out_as(p.data, np.float64)  # as PyTorch's: a rule wrong for that layout fails
        start = [np.array(p.data) for p in params]
        with enable_grad():
            out = loss()
        _check_unchanged(named, start)
        if not isinstance(out, Node) or np.size(out.data) != 1:
            got = f"{type_name(out)} {out!r}"
            raise TypeError(f"gradcheck_params: loss() must return a scalar Value or Tensor, got {got}")
        _check_uses_params(out, named)
        base = output(out)
        check_finite(base, "gradcheck_params: loss()")
        analytic, rounds = analytic_gradients(out, params, None, [name for name, _ in named], lambda: None, atol, rtol)
        rng = np.random.default_rng(int(seed))  # a 0-d array's too
        rows = []
        own_ops = reaching_own_ops(out, params, eps)  # looked at PROBE eps out too (check_scales)
        for k, ((name, p), grad) in enumerate(zip(named, analytic)):
            indices = list(np.ndindex(np.shape(p.data)))
            tolerances = (eps, atol, rtol, rounds)
            if max_per_param is not None and len(indices) > max_per_param:
                indices = [indices[k] for k in sorted(rng.choice(len(indices), max_per_param, replace=False))]
                # the elements not drawn still count: each block of them is moved along a direction of its own
                m = block_size(np.size(p.data), block)
                for b in blocks(name, p.data, grad, eps, atol, rtol, m, rng):
                    s = _slopes_of_param(
                        loss, p, name, b.direction, base, *tolerances, analytic=b.analytic, own_ops=k in own_ops
                    )
                    rows.append(
                        row(b.label, b.value, (), b.analytic, s._replace(swallowed=s.swallowed or b.lost), b.tolerance)
                    )
            for index in indices:
                a = float(np.asarray(grad)[index])
                s = _slopes_of_param(loss, p, name, index, base, *tolerances, analytic=a, own_ops=k in own_ops)
                rows.append(row(name, p.data, index, a, s))
        unjudged = _check_own_dtype(loss, named, kept, (analytic, out), (atol, rtol))
    finally:
        for p, k in zip(params, kept):
            _put_back(p, k)
    try:
        verdict(rows, eps, atol, rtol)
    except GradcheckError as failed:
        same = {"atol": atol, "rtol": rtol, "max_per_param": max_per_param, "block": block, "seed": seed}
        failed_wider(lambda e: gradcheck_params(loss, given, eps=e, **same), rows, (eps, atol, rtol), failed)
        if failed.undecided:  # rows f's rounding kept from judging were taken again at a larger eps, to fail
            raise
        named_fix = fix(out, failing(rows, atol, rtol), "the loss", "parameter element and the loss")
        raise GradcheckError(f"{failed}\n{named_fix}") from None  # the op of one's own to look at, as gradcheck's
    settings = {"eps": eps, "atol": atol, "rtol": rtol}  # an op given a parameter twice: checked alone too
    check_shared_arguments(out, params, [name for name, _ in named], lambda op, at: gradcheck(op, at, **settings))
    if unjudged:  # the rows agree: only the gradients in a parameter's own dtype could not be judged
        raise GradcheckError(unjudged, undecided=True)
    return True


def _check_own_dtype(
    loss: Callable[[], Any], named: list[tuple[str, Node]], kept: list[tuple], wide: tuple, tolerances: tuple
) -> str | None:
    """Refuse a rule whose gradient in a float32 or float16 parameter's own dtype is not its float64 one (as
    gradcheck's inputs: check_own_dtype): loss() runs once more with those parameters as given (`kept`), its gradients
    beside the float64 ones (`wide`: those, and loss's float64 result). Returns why they cannot be judged, or None."""
    analytic, wide_out = wide
    narrow = [k for k, (_, p) in enumerate(named) if isinstance(p, Tensor) and narrow_float(kept[k][0])]
    if not narrow:
        return None
    for k in narrow:
        named[k][1].data = np.array(kept[k][0])
    with enable_grad(), np.errstate(all="ignore"):  # overflowing there alone: check_own_dtype says so
        out = loss()
    own = ([analytic[k] for k in narrow], None, wide_out)
    nodes, names = [named[k][1] for k in narrow], [named[k][0] for k in narrow]
    return compare_own_dtype(out, nodes, own, names, tolerances, "loss() runs with it")


def _named_params(params: Any) -> list[tuple[str, Node]]:
    """(name, parameter) pairs, each a Value or a Tensor that requires grad."""
    if isinstance(params, Node | np.ndarray) or not isinstance(params, Iterable):
        raise TypeError(f"gradcheck_params takes a list (or dict) of parameters, got {type_name(params)}")
    check_ordered("gradcheck_params", "params", params)  # their names and blocks follow the order
    named = (
        list(params.items())
        if isinstance(params, Mapping)
        else [(getattr(p, "label", "") or f"param {i}", p) for i, p in enumerate(params)]
    )
    for name, p in named:
        if not isinstance(p, Node):
            raise TypeError(
                f"gradcheck_params: {name} is {type_name(p)}, not a parameter: give Values or Tensors that require grad"
            )
        if isinstance(p, Tensor) and not p.requires_grad:
            why = "frozen (requires_grad=False)" if p.frozen else "a constant (requires_grad=False)"
            raise ValueError(
                f"gradcheck_params: {name} is {why}, so backward computes no gradient for it: leave it out"
            )
        if p.op is not None:
            raise ValueError(
                f"gradcheck_params: {name} is computed (by {p.op.name}), not a parameter: moving it would not move "
                "what it is computed from; give the leaves it is computed from (a model's weights)"
            )
    return named


def _check_unchanged(named: list[tuple[str, Node]], start: list[np.ndarray]) -> None:
    """Refuse a loss that wrote into a parameter: each row would be taken around another point."""
    for (name, p), data in zip(named, start):
        if not np.array_equal(p.data, data, equal_nan=True):
            raise GradcheckError(
                f"gradcheck_params: loss() changed {name} in place ({data!r} became {p.data!r}): a loss must "
                "leave its parameters as they are (no optimizer step or in-place update inside it)"
            )


def _check_uses_params(out: Node, named: list[tuple[str, Node]]) -> None:
    """Refuse a loss whose graph reaches none of the parameters: every row would compare 0 with 0 and
    pass, whatever the rules are (a loss built from another copy of the model, say)."""
    reached = {id(n) for n in topological_order(out)} if not out.is_constant else set()
    if named and not any(id(p) in reached for _, p in named):
        names = ", ".join(name for name, _ in named)
        raise GradcheckError(
            f"gradcheck_params: loss() uses none of the parameters given ({names}), so there is no derivative "
            "to check: give the parameters the loss is computed from (those of the model it calls)"
        )


def _check_sampling(max_per_param: Any, block: Any, seed: Any) -> None:
    for name, value, none_allowed in (
        ("max_per_param", max_per_param, True),
        ("block", block, True),
        ("seed", seed, False),
    ):
        if value is None and none_allowed:
            continue
        if not is_int(value):
            raise TypeError(f"gradcheck_params: {name} must be an int, got {type_name(value)} {value!r}")
        if value < (1 if none_allowed else 0):
            least = {"max_per_param": ">= 1 or None (all elements)", "block": ">= 1 or None (the default)"}
            least = least.get(name, ">= 0")
            raise ValueError(f"gradcheck_params: {name} must be an int {least}, got {value!r}")


def _kept(p: Node) -> tuple[Any, ...]:
    """What putting p back restores: its data, its gradient (a loss run with the graph recorded may call backward
    itself, an optimizer's closure: it left p.grad at a moved point's, or summed over every run) and for a Tensor
    its version count (list and value), and the numbers of its gradient's array, which backward may add into."""
    if isinstance(p, Tensor):
        grad = held_grad(p)
        return p._data, p._counter, p._counter[0], grad, np.array(grad) if isinstance(grad, np.ndarray) else None
    return p.data, p.grad


def _put_back(p: Node, kept: tuple[Any, ...]) -> None:
    """p as it was: the same data object, and for a Tensor the same version count, so that a graph built from p before
    the check (the data unchanged) still passes backward's check of versions; the same gradient object, its numbers."""
    if isinstance(p, Tensor):
        p._data, p._counter, version, grad, numbers = kept
        p._counter[0] = version
        if numbers is not None and grad.flags.writeable:
            np.copyto(grad, numbers)
        store_grad(p, grad)
    else:
        p.data, p.grad = kept


def _slopes_of_param(
    loss: Callable[[], Any],
    p: Node,
    name: str,
    index: tuple | np.ndarray,
    base: Any,
    *tolerances: float,
    analytic: float,
    own_ops: bool = False,
) -> Slopes:
    """The slopes of loss() in p's element at `index` (or along a direction, an array of p's shape, of
    length 1), moving it and putting it back (`tolerances`: eps, atol, rtol, loss's output's dtype; `own_ops`:
    whether p reaches an op of the user's own, check_scales)."""
    eps = tolerances[0]
    scalar = isinstance(p, Value)
    original = p.data if scalar else laid_out_as(p.data)

    def call(shift: float, inside: bool = False) -> Any:
        """loss()'s output with p moved by shift; with `inside`, the rounding inside loss() there."""
        if scalar:
            p.data = original + shift
        else:  # laid out as given (laid_out_as): a rule wrong only for a transposed parameter fails
            moved = laid_out_as(original)
            if isinstance(index, np.ndarray):
                moved += shift * index
            else:
                moved[index] += shift
            p.data = moved
        try:
            with enable_grad():  # as gradcheck runs f: under no_grad a loss taking gradients itself raised
                out = loss()
            return rounding_inside(out, None) if inside else output(out)
        except (ArithmeticError, ValueError) as e:
            if isinstance(index, np.ndarray):
                raise undefined("gradcheck_params: loss()", f"{name} moved along a direction", eps, e) from None
            where = f"{name}{list(index) if index else ''} = {np.asarray(p.data)[index]!r}"
            raise undefined("gradcheck_params: loss()", where, eps, e) from None

    # an element's row divides by its step as it rounds; a block's analytic slope is taken along it already
    step = nominal if isinstance(index, np.ndarray) else rounded_step(np.asarray(original, dtype=np.float64)[index])
    try:
        inside_at = lambda s: call(s, inside=True)  # noqa: E731
        x = None if isinstance(index, np.ndarray) else float(np.asarray(original, dtype=np.float64)[index])
        return slopes(
            functools.cache(call),  # the kink, jump, refinement and PROBE checks ask for some shifts alike
            base,
            None,
            *tolerances,
            analytic=analytic,
            inside_at=inside_at,
            step=step,
            point=x,
            own_ops=own_ops,
        )
    finally:
        p.data = original
