"""`training_steps`: a few steps of training recorded for the player, each step forward, backward and
the optimizer's update, on copies of the model and the optimizer (the user's never change). Every
step keeps its own copy, so its graph keeps the numbers of that step after later steps have run; the
page draws the graph once, so every step's graph must have the structure of the first. And the
page's controls that pick a step (`training_bar`), beside a line of the loss."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Node, Tensor, has_hooks

from .arguments import require_count, require_max_nodes
from .graph import MAX_NODES, nodes_in_order, read_graph
from .kept import known_as
from .number_text import apart_figures, summary
from .update import refusal, refuse_closure_steps

MAX_STEPS = 100  # a page holds every step's numbers: its size grows with graph size times steps


@dataclass(frozen=True)
class Training:
    """Recorded training steps: per step, the loss (the root of that step's graph, which no later
    step changes), the copy of the model that computed it, and the copy of the optimizer before
    that step's update. `save_html(training, path)` and `player(training)` play them."""

    roots: list[Node]
    models: list[Any]
    optimizers: list[Any]

    def __repr__(self) -> str:
        """What was recorded, in a line: the default repr wrote out every step's model and optimizer."""
        steps, losses = len(self.roots), [summary(loss) for loss in self.losses]
        if not steps:  # built by hand: a repr that raised would hide it in a debugger's or an error's text
            return "Training(0 steps)"
        told = losses[0] if steps == 1 else f"{losses[0]} → {losses[-1]}"
        return (
            f"Training({steps} step{'s' if steps > 1 else ''}, loss {told}: viz.player(training) or "
            "viz.save_html(training, path) plays them)"
        )

    @property
    def losses(self) -> list[float]:
        """The loss at each step, before that step's update."""
        return [np.asarray(root.data).item() for root in self.roots]


def training_steps(
    model: Any,
    loss_fn: Callable[[Any, Any], Node],
    batch: Any,
    optimizer: Any,
    *,
    steps: int = 10,
    max_nodes: int | None = MAX_NODES,
) -> Training:
    """Train copies of `model` and `optimizer` for `steps` steps on the same `batch` each step: zero the
    gradients, `loss = loss_fn(model, batch)` (a Value or a one-element Tensor), backward, and the
    optimizer's step. The run is deterministic: the same model, batch and optimizer give the same
    steps. Refuses a step whose graph differs in structure from the first step's (a model that
    branches on its data), since the page draws one graph; `max_nodes` as for `draw`. A step whose
    gradient holds NaN or an infinity, which nn's optimizers refuse to step on, ends the run there,
    with a RuntimeWarning saying so: the last step drawn is the one whose backward went non-finite."""
    _check(model, loss_fn, optimizer, steps, max_nodes)
    current = copy.deepcopy((model, optimizer))  # together: the optimizer's parameters are the model's copies
    roots, models, optimizers, first = [], [], [], None
    for t in range(steps):
        step_model, step_optimizer = current
        step_optimizer.zero_grad()
        loss = loss_fn(step_model, batch)
        if not isinstance(loss, Node) or np.size(loss.data) != 1:
            raise TypeError(
                f"loss_fn(model, batch) must return the loss as a Value or a one-element Tensor, got {loss!r}"
            )
        shape = structure(nodes_in_order(loss, max_nodes))
        if first is None:  # before any backward
            _refuse_hooks(model, loss, step_model, max_nodes)
        first = first or shape
        if shape != first:
            raise ValueError(
                f"training step {t + 1} made a graph of another structure than step 1's ({_difference(first, shape)}). "
                "The page draws one graph and changes only its numbers from step to step: use a model and loss "
                "whose ops do not depend on the data (no branching on values), on the same batch each step."
            )
        loss.backward()
        roots.append(loss)
        models.append(step_model)
        optimizers.append(step_optimizer)
        current = copy.deepcopy(current)  # the next step updates a copy: this step's graph keeps its numbers
        try:
            current[1].step()
        except FloatingPointError as e:
            if t + 1 < steps:
                named = getattr(current[0], "named_parameters", lambda: [])()  # an nn.Module names them
                names = {id(p): name for name, p in named}
                told = refusal(e, names, current[1].params)
                warnings.warn(f"training step {t + 1} of {steps} ends the run: {told}", RuntimeWarning, stacklevel=2)
            break
    return Training(roots, models, optimizers)


def training_bar(losses: list[float]) -> str:
    """The training step's controls: a slider, its counter, and the loss at each step as a small line
    (an inline SVG; the script marks the step shown). A NaN loss is drawn at the top, an infinite one at its edge,
    each red ("nonfinite"): there alone it would look like the largest or smallest finite loss; the line breaks
    at a NaN, which it would show the loss rising to."""
    width, height, pad = 180, 30, 4
    finite = [x for x in losses if np.isfinite(x)] or [0.0]
    low, high = min(finite), max(finite)
    spread = high - low or 1.0
    points = [
        (
            pad + t * (width - 2 * pad) / max(len(losses) - 1, 1),
            pad + (high - min(max(x, low), high)) / spread * (height - 2 * pad),
        )
        for t, x in enumerate(np.nan_to_num(losses, nan=np.inf))
    ]
    # no line into or out of a NaN loss, which has no value to go up or down to: its dot stands alone, red
    runs = [[]]
    for (x, y), loss in zip(points, losses):
        if np.isnan(loss):
            runs.append([])
        else:
            runs[-1].append(f"{x:.1f},{y:.1f}")
    line = "".join(f'<polyline points="{" ".join(run)}"/>' for run in runs if run)
    red = {False: ' class="nonfinite"', True: ""}
    dots = "".join(
        f'<circle id="loss{t}"{red[bool(np.isfinite(loss))]} cx="{x:.1f}" cy="{y:.1f}" r="3">'
        f"<title>step {t + 1}: loss {summary(loss)}</title></circle>"
        for t, ((x, y), loss) in enumerate(zip(points, losses))
    )
    counted = f"{len(losses)} step" + ("s" if len(losses) > 1 else "")
    shown = apart_figures(losses[0], losses[-1])  # "loss 0.6931 → 0.6931" would say training moved nothing
    return f"""  <div id="training">
    <span class="label" title="forward, backward and the update; the next step starts from it">training step</span>
    <button id="round-prev" title="previous training step (page up)">&larr;</button>
    <input id="round" type="range" min="0" max="{len(losses) - 1}" value="0" aria-label="training step">
    <button id="round-next" title="next training step (page down)">&rarr;</button>
    <span id="round-counter"></span>
    <svg id="losses" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img"
      aria-label="the loss at each training step">{line}{dots}</svg>
    <span class="label">loss {summary(losses[0], n=shown)} → {summary(losses[-1], n=shown)} over {counted}</span>
  </div>
"""


def structure(order: list[Node]) -> list[tuple]:
    """What the drawing of a graph shows besides the numbers that change: per node (root first), its op,
    the positions of its inputs, its label and shape, and a constant's data (drawn once)."""
    position = {id(n): k for k, n in enumerate(order)}
    return [
        (
            n.op.name if n.op is not None else None,
            tuple(position[id(p)] for p in n.parents),
            n.label,
            n.shape if isinstance(n, Tensor) else None,
            np.asarray(n.data).tobytes() if n.is_constant else None,
        )
        for n in order
    ]


def _difference(first: list[tuple], other: list[tuple]) -> str:
    """The first place where two structures differ, in words."""
    count = f"{len(other)} nodes instead of {len(first)}; " if len(first) != len(other) else ""
    k = next((k for k, (a, b) in enumerate(zip(first, other)) if a != b), None)
    if k is None:
        return count + f"the first {min(len(first), len(other))} are the same"
    return count + f"node {k} from the root is {_node(other[k])} where step 1 had {_node(first[k])}"


def _node(entry: tuple) -> str:
    op, parents, label, shape, constant = entry
    what = f"the op {op!r} of inputs {list(parents)}" if op else "a constant" if constant is not None else "a leaf"
    return what + (f" ({label})" if label else "") + (f", shape {shape}" if shape is not None else "")


def _refuse_hooks(model: Any, loss: Node, copied: Any, max_nodes: int | None) -> None:
    """Refuses a gradient hook (register_hook): one on the user's parameters stays behind on them, so the
    copies would train without it (a hook zeroing a weight's gradient freezes it in the user's training, not
    on the page); one in the graph loss_fn makes changes the gradients backward gives, which the page
    computes by the rules and could not show."""
    hooked = next((name for name, p in model.named_parameters() if has_hooks(p)), None)
    if hooked is None:
        graph = read_graph(loss, copied, max_nodes)
        hooked = next((known_as(graph, n) for n in graph.order if has_hooks(n)), None)
    if hooked is not None:
        raise ValueError(
            f"training_steps trains copies of the model, and {hooked} has a gradient hook (register_hook): a copy "
            "carries no hook, and the page draws the gradients the rules give, not the hook's. Remove the hook "
            "(handle.remove()) before training_steps, or train without viz to keep it"
        )


def _check(model: Any, loss_fn: Any, optimizer: Any, steps: Any, max_nodes: Any) -> None:
    """One clear error for each argument that cannot be trained with."""
    if not callable(getattr(model, "parameters", None)):
        raise TypeError(f"model must be a module with parameters() (an nn.Module such as nn.MLP), got {model!r}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function loss_fn(model, batch) returning the loss, got {loss_fn!r}")
    if not (hasattr(optimizer, "params") and all(callable(getattr(optimizer, a, None)) for a in ("step", "zero_grad"))):
        raise TypeError(
            "optimizer must be an optimizer such as nn.optim.SGD or Adam (params, step(), zero_grad()), "
            f"got {optimizer!r}"
        )
    refuse_closure_steps(optimizer)
    own = {id(p) for p in model.parameters()}
    if not all(id(p) in own for p in optimizer.params):
        raise ValueError("the optimizer updates parameters that are not the model's: build it from model.parameters()")
    require_count(
        "training_steps",
        "steps",
        steps,
        f"an int from 1 to {MAX_STEPS} (each step's numbers go in the page)",
        1,
        MAX_STEPS,
    )
    require_max_nodes("training_steps", max_nodes)
