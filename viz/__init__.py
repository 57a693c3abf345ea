"""chainrule's drawings: the computation graph, its gradients, and the backward pass.

Public API:
    draw(root, ...)              a graphviz.Digraph of the graph (inline in Jupyter): gradients, the chain
                                 rule on each edge (backward=True), finite-difference checks (check=True)
    render(root, path, ...)      the same written as .svg, .png or .pdf
    explain(root, node)          d root / d node as the sum over paths of products of local derivatives:
                                 an Explanation (its paths, their Steps, the total); str() tells it
    backward_steps(root, ...)    one Frame (drawing, caption) per step of backward
    save_html(root, path, ...)   the forward pass and those frames as one self-contained HTML player
                                 (zoom, slider, chain-rule captions, click a value for its paths)
    training_steps(model, loss_fn, batch, optimizer, steps=10)
                                 a Training: that many steps (forward, backward, update) on copies of
                                 the model and optimizer; save_html(training, path) and player(training)
                                 play each step's numbers on one drawing, with the loss per step
    player(root, ...)            the same player inline in Jupyter (an iframe); .save(path) writes it
    evaluate(text, values)       an expression such as "tanh(x*w + b)" as a graph of Values, read with ast
                                 and never run; ExpressionError names what it cannot read
    GraphTooLarge                raised when a graph has more nodes than max_nodes
Command line: python -m viz demo --out graph.svg; python -m viz html --out backprop.html;
python -m viz expr "tanh(x*w + b)" --set x=2 w=-3 b=6.88 --out graph.svg
"""

from . import _requires_chainrule  # noqa: F401 (first: the engine check)
from .drawing import draw, render
from .explain import Explanation, Path, Step, explain
from .expr import ExpressionError, evaluate
from .graph import GraphTooLarge
from .html import save_html
from .player import Player, player
from .steps import Frame, backward_steps
from .training import Training, training_steps

__all__ = [
    "Explanation",
    "ExpressionError",
    "Frame",
    "GraphTooLarge",
    "Path",
    "Player",
    "Step",
    "Training",
    "backward_steps",
    "draw",
    "evaluate",
    "explain",
    "player",
    "render",
    "save_html",
    "training_steps",
]
