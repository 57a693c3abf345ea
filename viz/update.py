"""The step after backward on the player's page: what the optimizer's update would do to each parameter,
computed on copies, with a caption saying which way each moves beside its gradient."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import Node, Tensor

from .number_text import NUMBER_FIGURES, apart_figures, finite, kind, size, summary, typed
from .on_paper import EXACT, alike, as_written, halfway
from .rules import term

if TYPE_CHECKING:
    from .steps import Pass

UPDATE_LINES = 24  # the update's caption lists this many parameters, then counts the rest
# the drawing shows the parameters' new data beside values computed from the old (#3 = a * x reading 1 beside
# a = 0.316 and x = 1.979): the caption says why
BEFORE_UPDATE = (
    "The values computed from the parameters, and every gradient, are still those of the forward and backward "
    "passes before this update: the next forward pass computes them from the new data."
)


@dataclass
class Update:
    """The step after backward: the optimizer's update of each parameter the graph uses (by position
    in order: its new data), and a caption with the arithmetic."""

    data: dict[int, Any]
    caption: str


def refuse_closure_steps(optimizer: Any) -> None:
    """TypeError for an optimizer whose step needs a closure (nn.LBFGS: `needs_closure`), which evaluates the
    loss many times a step: viz draws one forward and backward a step, and its caller could not give the
    closure the optimizer's own error asks for."""
    if getattr(optimizer, "needs_closure", False):
        kind = type(optimizer).__name__
        raise TypeError(
            f"viz draws one backward a step and updates with optimizer.step() on its gradients; {kind}'s step needs "
            "a closure that evaluates the loss as many times as it needs, which one drawing cannot show: draw "
            f"with SGD or Adam, and train with {kind} outside viz"
        )


def refuse_differing_groups(optimizer: Any) -> None:
    """ValueError for an optimizer whose param groups hold different settings: viz writes one rule with one set
    of settings (w ← w − lr·grad), which would be true of one group only. Only the settings a step reads are
    compared (the keys of `optimizer.defaults`, PyTorch's), not a group's own keys ("name") or a scheduler's
    initial_lr."""
    groups = list(getattr(optimizer, "param_groups", ()))
    if len(groups) < 2:
        return
    read = getattr(optimizer, "defaults", None) or {k: None for k in groups[0] if k not in ("params", "param_names")}
    differ = [k for k in read if any(g.get(k) != groups[0].get(k) for g in groups[1:])]
    if differ:
        kind = type(optimizer).__name__
        raise ValueError(
            f"viz writes one update rule with one set of settings, and this {kind}'s {len(groups)} param groups "
            f"hold different ones ({', '.join(differ)}): draw with an optimizer of one group "
            f"(nn.{kind}(model.parameters(), ...)), and train with the groups outside viz"
        )


def optimizer_update(run: Pass, optimizer: Any) -> Update:
    """What `optimizer.step()` would do with the gradients of `run`, computed on a copy of the
    optimizer and its parameters: neither they nor the optimizer's state change."""
    refuse_differing_groups(optimizer)  # before `lr` is asked for: several groups' differ
    if not all(hasattr(optimizer, a) for a in ("params", "lr", "step")):
        raise TypeError(
            f"optimizer must be an optimizer such as nn.optim.SGD or Adam (params, lr, step()), got {optimizer!r}"
        )
    refuse_closure_steps(optimizer)
    position = run.positions
    trial = copy.deepcopy(optimizer)  # its params are copies, in the same order
    used = [(p, twin) for p, twin in zip(optimizer.params, trial.params) if id(p) in position]
    for p, twin in zip(optimizer.params, trial.params):
        unused = None if isinstance(twin, Tensor) else 0.0  # a Tensor no backward reached is left alone
        twin.grad = run.grads[id(p)] if id(p) in position else unused
    name, lr = type(optimizer).__name__, optimizer.lr
    of = _float_type(optimizer.params)
    try:
        trial.step()
    except FloatingPointError as e:  # nn's optimizers refuse a gradient holding NaN or an infinity: nothing moves
        names = {id(twin): run.names[id(p)] for p, twin in zip(optimizer.params, trial.params) if id(p) in position}
        return Update({}, f"step {len(run.steps) + 1}, the update: none. {refusal(e, names, trial.params)}")
    plain = all(np.allclose(twin.data, p.data - lr * np.asarray(run.grads[id(p)])) for p, twin in used)
    rule = "w ← w − lr·grad" if plain else f"each by {name}'s own rule from its gradient, not plainly lr·grad"
    senses = [_senses(np.asarray(twin.data) - p.data, run.grads[id(p)]) for p, twin in used]
    head = f"step {len(run.steps) + 1}, the update: {name} ({_settings(optimizer, of)})"
    lines = [f"{head} {_direction(used, senses, run.names)}: {rule}"]
    for (p, twin), sense in zip(used[:UPDATE_LINES], senses):
        old, new, grad = p.data, twin.data, run.grads[id(p)]
        shown = apart_figures(old, new)  # "0.5 → 0.5, a change of -1e-05" would say it moved and did not
        shown = _unhalved(old, new, grad if plain else None, typed(lr, of), shown)
        n = _figures(old, new, grad if plain else None, typed(lr, of), shown)
        change = f"{summary(old, n=n)} → {summary(new, n=shown)}, a change of {summary(np.asarray(new) - old, n=n)}"
        w = run.names[id(p)]
        if plain:
            lines.append(f"{w} ← {w} − {typed(lr, of)} × {term(grad, n=n)}: {change}")
        else:  # momentum, weight decay, Adam: the optimizer's own rule, which may move w either way
            told = _sense_text(sense, np.size(grad))
            lines.append(f"{w} ← {w} + ({name}'s step from the gradient {summary(grad)}): {change}, {told}")
    if len(used) > UPDATE_LINES:
        lines.append(f"… and {len(used) - UPDATE_LINES:,} more parameters")
    if len(used) < len(optimizer.params):
        lines.append(f"({len(optimizer.params) - len(used)} parameters of the optimizer are not in this graph)")
    lines.append(BEFORE_UPDATE)
    return Update({position[id(p)]: twin.data for p, twin in used}, "\n".join(lines))


def _float_type(params: list[Any]) -> type:
    """The float type the parameters share, whose numbers the settings were typed as (float64 where they differ)."""
    kinds = {kind(p.data) for p in params}
    return kinds.pop() if len(kinds) == 1 else np.float64


def refusal(error: FloatingPointError, names: dict[int, str], params: list[Any]) -> str:
    """An optimizer's refusal to step, naming its parameter as the page does (`names`, by id), where nn's message
    counts it by its place among `params`: "The gradient of layers.0.W (the optimizer's parameter 0) is not finite.
    SGD: the gradient of parameter 0 ... holds 1 NaN ...". As it is where the parameter has no name here, or where
    nn's message names it already (an optimizer given named parameters)."""
    parameter = getattr(error, "parameter", None)  # nn's refusal carries the parameter it refused
    if getattr(error, "parameter_name", None) is not None:
        return str(error.args[0])
    name = names.get(id(parameter)) if parameter is not None else None
    place = next((k for k, p in enumerate(params) if p is parameter), None)
    if name is None or place is None:
        return str(error.args[0])
    return f"The gradient of {name} (the optimizer's parameter {place}) is not finite. {error.args[0]}"


def _settings(optimizer: Any, of: type) -> str:
    """The optimizer's settings in effect, as its rule uses them and as typed (`typed`, in the parameters' float
    type `of`): "lr 0.1, momentum 0.9, weight_decay 0.01" (nn's optimizers name theirs in `setting_names`; a
    setting off, 0 or False, is left out), else its lr alone."""
    told = [f"lr {typed(optimizer.lr, of)}"]
    for name in getattr(optimizer, "setting_names", ()):
        value = getattr(optimizer, name, None)
        if name != "lr" and value is not None and value is not False and not (_number(value) and value == 0):
            told.append(name if value is True else f"{name} {_typed_setting(value, of)}")
    return ", ".join(told)


def _typed_setting(value: Any, of: type) -> str:
    """A setting as typed: a number in the parameters' float type `of` (`typed`), each of a tuple's ("betas (0.9,
    0.999)"), anything else as Python writes it."""
    if isinstance(value, tuple):
        return "(" + ", ".join(_typed_setting(v, of) for v in value) + ")"
    return typed(value, of) if isinstance(value, float) else repr(value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _figures(old: Any, new: Any, grad: Any, lr: str, shown: int | None) -> int | None:
    """The figures (`alike`) to write a one-number parameter's old data and change with, and its gradient (None:
    not plainly lr·grad; `lr` as written), so that old + change and old − lr × grad, worked out as written, give its
    new data as written (with `shown` figures, apart from the old: `apart_figures`): "-0.72 − 1 × (-0.7189)" is
    -0.0011 on paper, beside -0.00108 (the gradient is -0.71892). The old data takes `shown` at least, to read
    apart from the new. None for tensors' sums (as alike), `shown` for their old data."""
    moved = alike([old, np.asarray(new) - old], new, sum, shown)
    rate = Decimal(lr)  # as written
    step = alike([old, grad], new, lambda t: t[0] - rate * t[1], shown) if grad is not None else None
    return max(moved or 0, step or 0, shown or 0) or None


def _unhalved(old: Any, new: Any, grad: Any, lr: str, shown: int | None) -> int | None:
    """`shown`, or the fewest more figures for a one-number parameter's new data where with those old + change or
    old − lr × grad, as written (`_figures`), lands halfway in its last figure (`halfway`): "0.2725 − 0.1 ×
    (-0.1385): 0.2725 → 0.2863" is 0.28635 on paper, which a learner rounds to 0.2864; "→ 0.28635" reads right."""
    numbers = [old, new] if grad is None else [old, new, grad]
    if not all(size(x) == 1 and finite(x) for x in numbers):
        return shown
    for m in (shown, *range((shown or NUMBER_FIGURES) + 1, 18)):
        n = _figures(old, new, grad, lr, m)
        with localcontext(EXACT):
            before = Decimal(summary(old, n=n))
            landed = [before + Decimal(summary(np.asarray(new) - old, n=n))]
            if grad is not None:
                landed.append(before - Decimal(lr) * Decimal(summary(grad, n=n)))
        if not any(halfway(x, as_written(new, m)) for x in landed):
            return m
    return shown


def _senses(change: Any, grad: Any) -> tuple[int, int, int]:
    """How many of a parameter's numbers the update moves against their gradient, how many with it, and
    how many it moves where their gradient is 0 (momentum, weight decay)."""
    change, grad = np.asarray(change, dtype=float), np.asarray(grad, dtype=float)
    product = change * grad
    return int(np.sum(product < 0)), int(np.sum(product > 0)), int(np.sum((change != 0) & (grad == 0)))


def _direction(used: list[tuple[Node, Node]], senses: list[tuple[int, int, int]], names: dict[int, str]) -> str:
    """Which way the update moves the parameters, as measured (`_senses`): against the gradient is the way
    the root falls fastest near here; momentum or weight decay can move a parameter with it, up the slope,
    or where its gradient is 0, and then the step promises no descent."""

    def listed(which: list[str]) -> str:
        return ", ".join(which[:6]) + (f" and {len(which) - 6} more" if len(which) > 6 else "")

    named = [(names[id(p)], sense) for (p, _), sense in zip(used, senses)]
    rising = [name for name, (_, up, _) in named if up]
    flat = [name for name, (_, up, still) in named if still and not up]
    falling = [name for name, (down, up, still) in named if down and not (up or still)]
    unmoved = [name for name, sense in named if not any(sense)]
    if rising or flat:
        ways = [f"{listed(rising)} with the gradient, up the slope"] if rising else []
        ways += [f"{listed(flat)} where the gradient is 0"] if flat else []
        others = f"; it moves {listed(falling)} against the gradient" if falling else ""
        return f"moves {' and '.join(ways)}, so this step need not lower the root{others}"
    if not falling:
        return "moves no parameter"
    if unmoved:
        downhill = f"moves {listed(falling)} against the gradient, downhill for the root near here"
        return f"{downhill}, and leaves {listed(unmoved)} where it is"
    return "moves each parameter against its gradient, downhill for the root near here"


def _sense_text(sense: tuple[int, int, int], size: int) -> str:
    """A parameter's move beside its gradient: "against its gradient", "with its gradient" (up the slope),
    or where it is 0; a tensor's by how many of its numbers go each way."""
    down, up, flat = sense
    if size > 1:
        where_flat = f", {flat} where it is 0" if flat else ""
        return f"of its {size} numbers {down} moved against its gradient, {up} with it{where_flat}"
    if flat:
        return "moved though its gradient is 0"
    return "against its gradient" if down else "with its gradient, up the slope" if up else "not moved"
