"""chainrule's drawings: the computation graph, its gradients, and the backward pass.

Public API:
    draw(root, ...)              a graphviz.Digraph of the graph (inline in Jupyter)
    render(root, path, ...)      the same written as .svg, .png or .pdf
    backward_steps(root, ...)    one Frame (drawing, caption) per step of backward
    save_html(root, path, ...)   those frames as one self-contained HTML player
    GraphTooLarge                raised when a graph has more nodes than max_nodes
Command line: python -m viz demo --out graph.svg; python -m viz html --out backprop.html
"""

from . import _requires_chainrule  # noqa: F401 (first: the engine check)
from .dot import draw, render
from .graph import GraphTooLarge
from .html import save_html
from .steps import Frame, backward_steps

__all__ = ["Frame", "GraphTooLarge", "backward_steps", "draw", "render", "save_html"]
