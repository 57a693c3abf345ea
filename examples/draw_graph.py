"""micrograd's classic neuron, o = tanh(x1*w1 + x2*w2 + b), drawn forward and backward.

Writes neuron_forward.svg (the graph, gradients not yet computed), neuron_grads.svg (after
backward, shaded by |grad|), neuron_backward.svg (the gradient flow: each edge with its local
derivative and the gradient it passes) and neuron_backprop.html (backward, step by step).

    python examples/draw_graph.py [--out-dir .]
"""

import argparse
from pathlib import Path

import viz
from viz.demo import neuron


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=".")
    out = Path(parser.parse_args().out_dir)
    o = neuron()
    print("wrote", viz.render(o, out / "neuron_forward.svg"))
    o.backward()
    print("wrote", viz.render(o, out / "neuron_grads.svg", color_by_grad=True))
    print("wrote", viz.render(o, out / "neuron_backward.svg", backward=True))
    print("wrote", viz.save_html(o, out / "neuron_backprop.html"))
    for frame in viz.backward_steps(o):
        print(" ", frame.caption)


if __name__ == "__main__":
    main()
