"""What the player page (html.py) holds of a backward pass: per training step, its captions, what each step
changes, the data and edge texts, the notes of sums of shares drawn that do not add up, its explanations and its
update (`step_numbers`); what every training step shares (`page_data`); and each field's widest text (`widest`)."""

from __future__ import annotations

from typing import Any

from autograd import Node

from .captions import forward_caption
from .labels import MISSING, data_text, grad_text, numbers_row
from .long_names import whole_names
from .lost_words import gradient_tags
from .number_text import apart_figures, summary
from .page_notes import explanations, first_nonfinite_shown
from .share_notes import sum_notes, unsummed_steps
from .steps import Pass
from .update import optimizer_update


def step_numbers(root: Node, run: Pass, optimizer: Any) -> dict[str, Any]:
    """What one training step shows (the only step without training): its captions, one per step of the
    slider (the forward pass, backward's steps, the update); per backward step what it changes; each
    value's data (by position, None for constants); the numbers on each edge; the loss; its first NaN or
    infinity, if any; the sums of shares drawn that do not add up as written, with the steps that draw them
    (share_notes); each value's explanation (in the order of the steps) and the edges of its paths; and the
    optimizer's update if any."""
    added, off = run.added
    found = {
        "captions": [forward_caption(run), *run.captions],
        "steps": _changes(run),
        "loss": summary(root.data, signed_zero=True),
        "data": [None if id(n) in run.graph.consts else data_text(n, added.get(id(n))) for n in run.graph.order],
        "sent": [numbers_row(e, run.shares.figures.get(id(e.parent))) for e in run.edges],
        "trail": first_nonfinite_shown(run),
        # a box sum the float rounded is drawn from the forward pass on, as under `draw` and each frame
        "sums": [*([0, None, note] for note in sum_notes(off, added, run.names)), *unsummed_steps(run)],
    }
    found["explained"], found["paths"] = explanations(root, run)
    if optimizer is not None:
        update = optimizer_update(run, optimizer)
        found["captions"].append(update.caption)
        # written apart from the data before ("data 0.5" at both steps would say the update left it)
        before = run.graph.order
        found["update"] = [
            [k, "data " + summary(x, signed_zero=True, n=apart_figures(before[k].data, x))]
            for k, x in update.data.items()
        ]
    return found


def widest(numbers: list[dict[str, Any]], values: list[int]) -> tuple[dict[int, str], dict[int, str]]:
    """Per value (by position): the longest text its data field shows at any step, and its gradient field's,
    so that each field is drawn wide enough for all of them (the whole width in the gradient's field let
    an update's "data 0.2153", drawn where "data 0" was, run over the record's border)."""
    data = {k: [step["data"][k] for step in numbers] for k in values}
    grads = {k: [grad_text(MISSING)] for k in values}
    for step in numbers:
        for k, text in step.get("update", []):
            data[k].append(text)
        for k, text in (change for _, changed, _ in step["steps"] for change in changed):
            grads[k].append(text)
    return {k: max(t, key=len) for k, t in data.items()}, {k: max(t, key=len)[len("grad ") :] for k, t in grads.items()}


def _changes(run: Pass) -> list[list[Any]]:
    """Per step: its node's position, the gradient texts it changes, and the inputs it sends to."""
    position = run.positions
    tags = gradient_tags(run.flows, run.grads)  # once complete, what the range did to it: " (underflowed)"
    told = lambda n, partial: "" if partial.get(id(n)) else tags.get(id(n), "")  # noqa: E731
    return [
        [
            k,
            [[position[id(n)], grad_text(running[id(n)], partial.get(id(n))) + told(n, partial)] for n in changed],
            [e.index for e in run.flows[k]],
        ]
        for k, running, changed, partial in run.filling()
    ]


def page_data(run: Pass) -> dict[str, Any]:
    """What every training step shares: the positions of the values (constants have no gradient), the
    edges gradients flow along (child's position, input index, input's position), each value's name, and the
    whole of each name drawn shortened (long_names), which the script gives on hover (the SVG's tooltips would
    wrap the parts its styles select)."""
    order, position = run.graph.order, run.positions
    return {
        "notComputed": grad_text(MISSING),
        "values": run.steps,
        "names": [run.names.get(id(n), "") for n in order],
        "whole": whole_names(run.graph, run.names),
        "edges": [[position[id(e.child)], e.index, position[id(e.parent)]] for e in run.edges],
    }
