"""The step-by-step backward pass as one self-contained HTML page: SVG frames and a player."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from autograd import Node

from .dot import write_atomically
from .steps import backward_steps

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
  .frame {{ display: none; overflow: auto; }}
  .frame.shown {{ display: block; }}
  .frame svg {{ max-width: 100%; height: auto; }}
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
{frames}
<script>
(function () {{
  var frames = document.querySelectorAll(".frame");
  var captions = {captions};
  var current = 0, timer = null;
  function show(i) {{
    current = Math.max(0, Math.min(frames.length - 1, i));
    for (var k = 0; k < frames.length; k++) frames[k].classList.toggle("shown", k === current);
    document.getElementById("counter").textContent = "step " + (current + 1) + " of " + frames.length;
    document.getElementById("caption").textContent = captions[current];
  }}
  function stop() {{ clearInterval(timer); timer = null; document.getElementById("play").textContent = "play"; }}
  function play() {{
    if (timer) {{ stop(); return; }}
    if (current === frames.length - 1) show(0);
    document.getElementById("play").textContent = "pause";
    timer = setInterval(function () {{ if (current === frames.length - 1) stop(); else show(current + 1); }}, 1200);
  }}
  document.getElementById("prev").addEventListener("click", function () {{ stop(); show(current - 1); }});
  document.getElementById("next").addEventListener("click", function () {{ stop(); show(current + 1); }});
  document.getElementById("play").addEventListener("click", play);
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
    root: Node, path: str | os.PathLike, title: str = "Backpropagation, step by step", **options: Any
) -> Path:
    """Write one HTML page that plays backward step by step: every frame of `backward_steps`
    as inline SVG, with previous/next/play buttons and the arrow keys. It needs no network."""
    frames, captions = [], []
    for i, frame in enumerate(backward_steps(root, **options)):
        svg = frame.drawing.pipe(format="svg").decode()
        svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: inline SVG needs neither
        frames.append(f'<div class="frame" id="frame{i}">\n{svg}</div>')
        captions.append(frame.caption)
    page = _PAGE.format(title=html.escape(title), frames="\n".join(frames), captions=_script_json(captions))
    path = Path(path)
    write_atomically(path, page.encode())
    return path


def _script_json(value: Any) -> str:
    """JSON to embed in a <script>: with <, > and & as \\u escapes, no text in it (a label such as
    "</script>" or "<!--<script>") can end the script or switch the HTML parser's state."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
