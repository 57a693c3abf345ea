"""Every view viz draws, written into one folder: micrograd's neuron o = tanh(x1*w1 + x2*w2 + b)
forward, with gradients, with the chain rule on each edge, checked by finite differences; a rule of
one's own that is wrong, caught by the check; a small MLP grouped by module; a tensor graph with
shapes, broadcasting and histograms; and the step-by-step backward page. Prints the chain rule
behind x1's gradient.

    python examples/draw_graph.py [--out-dir drawings]
"""

from pathlib import Path

import numpy as np
from flags import parser_for

import nn
import viz
from autograd import Op, Tensor, Value, topological_order
from viz.demo import neuron


def wrong_rule() -> Value:
    """y = tanh(cube(x) * w) with cube's derivative written as 2x² instead of 3x²: check=True shows x red."""
    cube = Op("cube", lambda x: x**3, lambda g, out, x: (g * 2 * x**2,))
    # w = 0.2, not 0.5: there x³ = 3x²·w, and x's true gradient would read as w's, as if the check measured w
    x, w = Value(1.5, label="x"), Value(0.2, label="w")
    y = (cube(x) * w).tanh()
    y.label = "y"
    return y


def tensor_graph() -> Tensor:
    """A linear layer on a batch of two with a squared-error loss: b is broadcast over the batch."""
    x = Tensor(np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 2.0]], np.float32), label="X")
    w = Tensor(np.array([[0.5], [-1.0], [0.25]], np.float32), requires_grad=True, label="W")
    b = Tensor(np.array([0.1], np.float32), requires_grad=True, label="b")
    loss = ((x @ w + b - 1.0) ** 2).mean()
    loss.label = "loss"
    return loss


def main(argv: list[str] | None = None) -> dict[str, Path]:
    """Write every view into --out-dir; the files written, by name."""
    parser = parser_for(__doc__, __file__)
    parser.add_argument("--out-dir", default="drawings", help="the folder to write into (made if missing)")
    out = Path(parser.parse_args(argv).out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # a file in the way: one line, as the other examples say it
        parser.error(f"argument --out-dir: cannot make the folder {out}: {e.strerror}")
    written: dict[str, Path] = {}

    def write(name: str, path: Path) -> None:
        written[name] = path
        print("wrote", path)

    o = neuron()
    write("neuron_forward", viz.render(o, out / "neuron_forward.svg"))
    o.backward()
    write("neuron_grads", viz.render(o, out / "neuron_grads.svg", color_by_grad=True))
    write("neuron_backward", viz.render(o, out / "neuron_backward.svg", backward=True))
    write("neuron_check", viz.render(o, out / "neuron_check.svg", check=True))
    write("wrong_rule_check", viz.render(wrong_rule(), out / "wrong_rule_check.svg", check=True))
    model = nn.MLP(2, [3, 1], seed=0)
    loss = (model([Value(0.5, label="x1"), Value(-1.0, label="x2")]) - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    write("mlp_modules", viz.render(loss, out / "mlp_modules.svg", modules=model))
    t = tensor_graph()
    t.backward()
    write("tensor_backward", viz.render(t, out / "tensor_backward.svg", backward=True, tensor_detail=True))
    write("neuron_backprop", viz.save_html(o, out / "neuron_backprop.html"))
    x1 = next(n for n in topological_order(o) if n.label == "x1")
    print(viz.explain(o, x1))
    return written


if __name__ == "__main__":
    main()
