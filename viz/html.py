"""The step-by-step backward pass as one self-contained HTML page: the graph drawn once, as SVG,
and per step only what changes (the node processed, the gradients filled in, the edges that carry
them), applied by the page's script. Its size grows linearly with the graph."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from autograd import Node

from .dot import NOT_COMPUTED, build, write_atomically
from .graph import MAX_NODES, summary
from .steps import Pass, backward_pass

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }}
  #controls button {{ font-size: 1em; margin-right: 0.4em; }}
  #counter {{ margin-left: 0.8em; font-weight: bold; }}
  #caption {{ margin: 0.8em 0; min-height: 1.4em; }}
  .frame {{ overflow: auto; }}
  .frame svg {{ max-width: 100%; height: auto; }}
  .current > polygon, .current > ellipse {{ stroke: royalblue; stroke-width: 3px; }}
  .pending > path, .pending > polygon {{ stroke: #b3b3b3; }}
  .pending > polygon {{ fill: #b3b3b3; }}
  .pending > text {{ display: none; }}
  .bold > path {{ stroke-width: 2.5px; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div id="controls">
  <button id="prev" title="previous step (left arrow)">&larr; previous</button>
  <button id="play" title="play or pause (space)">play</button>
  <button id="next" title="next step (right arrow)">next &rarr;</button>
  <span id="counter"></span>
</div>
<p id="caption"></p>
<div class="frame shown" id="frame0">
{svg}</div>
<script>
(function () {{
  var frame = document.querySelector(".frame");
  var captions = {captions};
  // per step: [position of its node, [[position, grad text] for the gradients it changes], [inputs it sends to]]
  var steps = {steps};
  var values = {values};  // the positions of the values (constants have no gradient)
  var current = 0, timer = null;
  function element(id) {{ return document.getElementById(id); }}
  function setGrad(position, text) {{
    var texts = element("v" + position).getElementsByTagName("text");
    texts[texts.length - 1].textContent = text;  // the record's last field: its gradient
  }}
  function mark(step, cls, on) {{
    for (var j = 0; j < step[2].length; j++) {{
      var edge = element("e" + step[0] + "_" + step[2][j]);
      if (edge) edge.classList.toggle(cls, on);
    }}
  }}
  function show(i) {{
    current = Math.max(0, Math.min(steps.length - 1, i));
    frame.id = "frame" + current;  // the frame shows step `current`
    var k;
    for (k = 0; k < values.length; k++) setGrad(values[k], "grad {not_computed}");
    var marked = document.querySelectorAll(".current, .bold");
    for (k = 0; k < marked.length; k++) marked[k].classList.remove("current", "bold");
    for (k = 0; k < steps.length; k++) mark(steps[k], "pending", k > current);
    for (k = 0; k <= current; k++) {{
      for (var j = 0; j < steps[k][1].length; j++) setGrad(steps[k][1][j][0], steps[k][1][j][1]);
    }}
    var node = steps[current][0];
    element("v" + node).classList.add("current");
    if (element("o" + node)) element("o" + node).classList.add("current");
    mark(steps[current], "bold", true);
    element("counter").textContent = "step " + (current + 1) + " of " + steps.length;
    element("caption").textContent = captions[current];
  }}
  function stop() {{ clearInterval(timer); timer = null; element("play").textContent = "play"; }}
  function play() {{
    if (timer) {{ stop(); return; }}
    if (current === steps.length - 1) show(0);
    element("play").textContent = "pause";
    timer = setInterval(function () {{ if (current === steps.length - 1) stop(); else show(current + 1); }}, 1200);
  }}
  element("prev").addEventListener("click", function () {{ stop(); show(current - 1); }});
  element("next").addEventListener("click", function () {{ stop(); show(current + 1); }});
  element("play").addEventListener("click", play);
  document.addEventListener("keydown", function (e) {{
    if (e.key === "ArrowRight") {{ stop(); show(current + 1); }}
    else if (e.key === "ArrowLeft") {{ stop(); show(current - 1); }}
    else if (e.key === " ") {{ e.preventDefault(); play(); }}
  }});
  show(0);
}})();
</script>
</body>
</html>
"""


def save_html(
    root: Node,
    path: str | os.PathLike,
    title: str = "Backpropagation, step by step",
    *,
    modules: Any = None,
    max_nodes: int | None = MAX_NODES,
    rankdir: str = "LR",
    number: bool = False,
) -> Path:
    """Write one HTML page that plays backward step by step (the steps of `backward_steps`), with
    previous/next/play buttons and the arrow keys. It needs no network. The graph is drawn once
    (`modules`, `max_nodes`, `rankdir` and `number` as for `draw`), and each step sends only what
    it changes."""
    run = backward_pass(root, modules, max_nodes)
    widest = {  # each record drawn wide enough for both texts its gradient field takes
        id(n): max(summary(run.grads[id(n)]), NOT_COMPUTED, key=len) for n in run.graph.order
    }
    drawing = build(run.graph, widest, run.flows, None, rankdir=rankdir, number=number)
    svg = drawing.pipe(format="svg").decode()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: inline SVG needs neither
    page = _PAGE.format(
        title=html.escape(title),
        svg=svg,
        captions=_script_json(run.captions),
        steps=_script_json(_changes(run)),
        values=json.dumps(run.steps),  # the values (not constants) are the nodes backward steps through
        not_computed=NOT_COMPUTED,
    )
    path = Path(path)
    write_atomically(path, page.encode())
    return path


def _changes(run: Pass) -> list[list[Any]]:
    """Per step: its node's position, the gradient texts it changes, and the inputs it sends to."""
    position = {id(n): k for k, n in enumerate(run.graph.order)}
    return [
        [k, [[position[id(n)], "grad " + summary(running[id(n)])] for n in changed], [e.index for e in run.flows[k]]]
        for k, running, changed in run.filling()
    ]


def _script_json(value: Any) -> str:
    """JSON to embed in a <script>: with <, > and & as \\u escapes, no text in it (a label such as
    "</script>" or "<!--<script>") can end the script or switch the HTML parser's state."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
