"""Backpropagation through one neuron, by hand and by chainrule.

micrograd's classic example: o = tanh(x1*w1 + x2*w2 + b). Prints every node's value and
gradient, then checks the gradients against finite differences.

    python examples/neuron.py
"""

from flags import parser_for

from autograd import Value, gradcheck, topological_order


def neuron(x1: Value, x2: Value, w1: Value, w2: Value, b: Value) -> Value:
    return (x1 * w1 + x2 * w2 + b).tanh()


def main(argv: list[str] | None = None) -> dict[str, float | bool]:
    """Backward through the neuron, printed node by node; o, do/dw1 both ways, and gradcheck's verdict."""
    parser_for(__doc__, __file__).parse_args(argv)
    inputs = [Value(2.0, "x1"), Value(0.0, "x2"), Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.881373587019543, "b")]
    o = neuron(*inputs)
    o.label = "o"
    o.backward()
    print("node               data      grad")
    for node in topological_order(o):
        name = node.label or f"({node.op.name})"
        print(f"{name:14}{node.data:10.4f}{node.grad:10.4f}")
    by_hand = inputs[0].data * (1 - o.data**2)  # do/dw1 = x1 * do/dn, and tanh' = 1 - tanh^2
    print(f"\ndo/dw1 by hand: x1 * (1 - o^2) = {by_hand:.4f}; chainrule: {inputs[2].grad:.4f}")
    passed = gradcheck(neuron, inputs)
    print("gradcheck against finite differences:", passed)
    return {"o": o.data, "dw1_by_hand": by_hand, "dw1": inputs[2].grad, "gradcheck": passed}


if __name__ == "__main__":
    main()
