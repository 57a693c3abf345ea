"""Backpropagation through one neuron, by hand and by chainrule.

micrograd's classic example: o = tanh(x1*w1 + x2*w2 + b). Prints every node's value and
gradient, then checks the gradients against finite differences.

    python examples/neuron.py
"""

from autograd import Value, gradcheck, topological_order


def neuron(x1: Value, x2: Value, w1: Value, w2: Value, b: Value) -> Value:
    return (x1 * w1 + x2 * w2 + b).tanh()


def main() -> None:
    inputs = [Value(2.0, "x1"), Value(0.0, "x2"), Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.881373587019543, "b")]
    o = neuron(*inputs)
    o.label = "o"
    o.backward()
    print("node               data      grad")
    for node in topological_order(o):
        name = node.label or f"({node.op.name})"
        print(f"{name:14}{node.data:10.4f}{node.grad:10.4f}")
    by_hand = 1 - o.data**2  # do/dn for tanh
    print(f"\ndo/dw1 by hand: x1 * (1 - o^2) = {inputs[0].data * by_hand:.4f}; chainrule: {inputs[2].grad:.4f}")
    print("gradcheck against finite differences:", gradcheck(neuron, inputs))


if __name__ == "__main__":
    main()
