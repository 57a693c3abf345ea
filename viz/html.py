"""The forward and backward passes as one self-contained HTML page: the graph drawn once, as SVG, and per step
only what changes (the node processed, the gradients filled in, the edges that carry them), applied by the page's
script (player.js, and player_view.js for zoom, pan and follow; player.css). Clicking a value explains its gradient
as a sum over paths (`explain`). With recorded training steps (`training_steps`) the page holds every step's
numbers for the one drawing, and a second slider picks the step. Its size grows linearly with the graph (times the
training steps), but for the listed paths, which are capped per value (their length grows with the depth)."""

from __future__ import annotations

import html
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from autograd import Node

from .arguments import (
    page_path,
    require_flags,
    require_known,
    require_max_nodes,
    require_modules,
    require_rankdir,
    require_root,
    require_text,
)
from .dot import NOT_COMPUTED, build
from .graph import MAX_NODES
from .number_text import ARRAY_FIGURES, NUMBER_FIGURES, WHOLE_IN_FULL
from .page_steps import page_data, step_numbers, widest
from .page_text import by_lines, by_numbers, script_json
from .rules import symbol
from .steps import backward_pass
from .text import NAME_COLUMNS, visible
from .training import Training, training_bar
from .writing import require_folder, write_atomically

PAGE_OPTIONS = ("title", "modules", "max_nodes", "rankdir", "number", "optimizer")

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
{css}</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <div id="controls">
    <button id="prev" title="previous step (left arrow)">&larr;</button>
    <button id="play" title="play or pause (space)">play</button>
    <button id="next" title="next step (right arrow)">&rarr;</button>
    <input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
    <span id="counter"></span>
    <span class="zoom">
      <button id="zoom-out" title="zoom out (or the mouse wheel)">&minus;</button>
      <button id="zoom-in" title="zoom in (or the mouse wheel)">+</button>
      <button id="fit" title="fit the graph to the window">fit</button>
      <label title="move the view to the node being processed">
        <input id="follow" type="checkbox" checked> follow</label>
    </span>
  </div>
{training}</header>
<main>
<div id="viewport" class="frame" title="wheel: zoom; drag: pan; click a value: why its gradient is what it is">
{svg}</div>
<aside>
  <div id="nonfinite" hidden></div>
  <div id="sums" hidden></div>
  <h2>This step</h2>
  <div id="caption"></div>
  <h2>Clicked value</h2>
  <div id="ahead" hidden></div>
  <div id="explanation">Click a value (a box) to see its gradient as a sum over the paths up to the root.</div>
  <details id="legend" open>
    <summary>Legend</summary>
    <ul>
      <li><span class="swatch value"></span> a value: its name (or #k, its step of backward), its data
        (from the forward pass) and its grad, ∂{root}/∂value ("{not_computed}" until backward reaches it; "so far"
        while some of its shares have not arrived)</li>
      <li><span class="swatch constant"></span> a constant (a number in the expression, a tensor without requires_grad):
        no gradient</li>
      <li><span class="swatch again"></span> a value used far from its box (a weight at each step of an unrolled loop),
        drawn again beside that use: its data and grad, the sum of every use's share, are on its own box</li>
      <li><span class="swatch op"></span> an op, with its step of backward</li>
      <li><span class="swatch start"></span> the root, outlined at step 0 (the forward pass): backward starts
        there at step 1</li>
      <li><span class="swatch current"></span> the value backward is processing at this step</li>
      <li><span class="swatch sent"></span> a gradient sent to an input, labelled
        ∂{root}/∂w = ∂{root}/∂n · ∂n/∂w = arriving × local = sent, and the op's rule for that input;
        a value used more than once (x * x, or x in two ops) gets a share along each of its edges, and
        its grad is the sum of its shares</li>
      <li><span class="swatch pending"></span> nothing sent yet</li>
      <li><span class="swatch path"></span> the paths from the clicked value up to the root</li>
      <li><span class="swatch nonfinite"></span> the first NaN or infinity (of the forward pass, else of backward,
        from the step that makes it) and the path that carried it up to the root</li>
      <li><span class="swatch updated"></span> a parameter the optimizer updates (the last step, with an optimizer)</li>
      <li>A name longer than {columns} characters is drawn as its start and its end with … between: hover a box, an
        edge's label or a text beside the drawing for the whole.</li>
      <li>Numbers: {figures} significant figures, more where {figures} would show a whole number the value is
        not (tanh(10) = 0.999999996), yet never more than tell it apart from the other numbers of its float type
        (a float32 0.1 reads 0.1), whole numbers below {whole} in full (12345), beyond with an exponent and,
        rounded, its zeros (1000001 as 1.000e+06, which reads as rounded), and the numbers of a product or a sum
        with the figures that give its result as written (0.41997 × 2 = 0.8399), and a value's shares with the
        figures that add up to its grad as drawn (1.8276e-07 twice beside 3.655e-07), and to each sum so far; where
        the floats rounded along the way, the note beside the drawing says so; a tensor: min, mean and max, to
        {array_figures} figures (more where they differ by less), each with an exponent where one takes it; orange
        on a tensor edge: broadcasting, summed back.</li>
    </ul>
  </details>
</aside>
</main>
<script>
var page = {page};
var runs = {runs};
{js}</script>
</body>
</html>
"""


PAGE = "the player page (save_html, player)"  # the functions page_html serves, named in its refusals


def page_html(
    root: Node | Training,
    title: str = "Backpropagation, step by step",
    *,
    modules: Any = None,
    max_nodes: int | None = MAX_NODES,
    rankdir: str = "LR",
    number: bool = False,
    optimizer: Any = None,
    collapse: bool = False,
    **others: Any,
) -> str:
    """The player page of `save_html`, as text. Every argument is checked before anything is computed."""
    require_root(root, PAGE, (Node, Training), " or a Training (training_steps)")
    require_known(
        PAGE,
        others,
        PAGE_OPTIONS,
        "viz.draw(root, ...) takes the others, in one drawing",
    )
    require_text(PAGE, "title", title)
    require_rankdir(PAGE, rankdir)
    require_flags(PAGE, number=number)
    require_modules(PAGE, modules)
    require_max_nodes(PAGE, max_nodes)
    if collapse:  # draw's option, which GraphTooLarge suggests: say what the player does instead
        raise TypeError(
            "the player steps through every value of the graph, so it cannot collapse modules into boxes: "
            "drop collapse=True and raise max_nodes, or play a smaller graph (fewer samples, a smaller model); "
            "viz.draw(root, modules=model, collapse=True) draws the modules as boxes, without the steps"
        )
    if isinstance(root, Training):
        if modules is not None or optimizer is not None:
            raise TypeError(
                "a training's page names values by its copy of the model and updates them with the optimizer given "
                "to training_steps: drop modules= and optimizer="
            )
        runs = [(r, backward_pass(r, m, max_nodes), o) for r, m, o in zip(root.roots, root.models, root.optimizers)]
    else:
        runs = [(root, backward_pass(root, modules, max_nodes), optimizer)]
    numbers = [step_numbers(*run) for run in runs]
    templates, line_words = by_numbers(numbers, "captions"), by_lines(numbers)
    first_root, first = runs[0][0], runs[0][1]
    data, grads = ({id(first.graph.order[k]): t for k, t in w.items()} for w in widest(numbers, first.steps))
    # the shares' figures as the captions and edge texts have them; the steps' notes of sums beside it (#sums)
    drawing = build(first.graph, grads, first.flows, None, rankdir=rankdir, number=number, data=data, tooltips=False,
                    shares=first.shares, unsummed=False)  # fmt: skip
    svg = drawing.pipe(format="svg").decode()
    svg = _named_by_position(svg[svg.index("<svg") :], first.graph.order)  # inline SVG needs no prolog or doctype
    return _PAGE.format(
        title=html.escape(visible(title)),
        css=_resource("player.css"),
        last=len(numbers[0]["captions"]) - 1,
        training=training_bar(root.losses) if isinstance(root, Training) else "",
        svg=svg,
        root=html.escape(symbol(first.names[id(first_root)])),  # in brackets where an expression, as on edges
        not_computed=NOT_COMPUTED,
        figures=NUMBER_FIGURES,
        array_figures=ARRAY_FIGURES,
        whole=f"{WHOLE_IN_FULL:,.0f}",
        columns=NAME_COLUMNS,
        page=script_json({**page_data(first), "templates": templates, "lineWords": line_words}),
        runs=script_json(numbers),
        js=_resource("player_view.js") + _resource("player.js"),
    )


def save_html(
    root: Node | Training, path: str | os.PathLike, title: str = "Backpropagation, step by step", **options: Any
) -> Path:
    """Write one HTML page that plays the forward pass (step 0) and then backward step by step (the
    steps of `backward_steps`), with a slider, previous/next/play buttons, the arrow keys and space;
    the mouse wheel zooms, dragging pans, "fit" fits the graph to the window, and clicking a value
    explains its gradient as a sum over paths; the first NaN or infinity is drawn red with the path
    that carried it, as `draw` does. With `optimizer` (nn.optim's SGD, Adam), a last step shows the
    update it would make to each parameter by its own rule (plain SGD: w ← w − lr·grad), without
    making it. Given a `Training` (`training_steps`) instead of a root, a second slider picks the
    training step, whose values, backward and update (made, this time) the page shows, beside a line
    of the loss at each step. It needs no network. The graph is drawn once (`modules`, `max_nodes`,
    `rankdir` and `number` as for `draw`; not `collapse`: the player steps through every value), and
    each step sends only what it changes."""
    path = page_path(path, "save_html")
    require_folder(path)  # before drawing, which may take long
    write_atomically(path, page_html(root, title, **options).encode())
    return path


def _named_by_position(svg: str, order: list[Node]) -> str:
    """The SVG with graphviz's node names, each node's id() (dot.build), renamed by position in the graph
    ("v3", "v3op", as the elements' ids), so that the same graph with the same numbers gives the same page."""
    name = {str(id(n)): f"v{k}" for k, n in enumerate(order)}
    return re.sub(r"\d{6,}", lambda m: name.get(m.group(0), m.group(0)), svg)


def _resource(name: str) -> str:
    return resources.files("viz").joinpath(name).read_text(encoding="utf-8")
