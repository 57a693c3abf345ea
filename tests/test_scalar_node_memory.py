"""What a scalar node costs in memory (issue 16: at most 100 bytes a node, 118 in the benchmark's graph before the
backward pass stopped keeping a count of consumers on each node), and that the pass that keeps none still walks
every shape of graph: nodes of many parents, long chains, a node used twice."""

import copyreg
import gc
import pickle
import tracemalloc

from autograd import Tensor, Value, gradients
from autograd.graph import Node


def _bytes_a_node(n: int) -> float:
    """Bytes tracemalloc sees allocated while building n multiply-adds of Values (3n op nodes, each holding a new
    float), as the benchmark measures its graph."""
    w, x = Value(0.5), Value(1.5)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    y = w
    for _ in range(n):
        y = (y * w + x).relu()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert y.data > 0  # the graph is alive while measured
    return used / (3 * n)


def test_a_scalar_node_takes_no_slot_for_the_pass_order() -> None:
    """An op's node and its float: 96 + 24 bytes with a slot for the pass's count of consumers (`_visit`), 88 + 24
    without; relu's output here reuses its input's float (3 nodes, 2 floats): 112 bytes a node before, 104 now."""
    assert "_visit" not in Value.__slots__ + Node.__slots__
    assert _bytes_a_node(3000) <= 105


def test_a_node_of_many_parents_is_walked_once_for_each() -> None:
    """A node built by hand over 200,000 parents, each used twice: every parent's gradient, in time linear in them."""
    xs = [Value(float(i)) for i in range(200_000)]
    y = Value(0.0, (*xs, *xs), "+")
    y._backward = lambda: None  # a rule of the user's sending nothing
    z = y * 2.0 + sum(xs[:3], Value(0.0))
    assert gradients(z, xs[:4]) == [1.0, 1.0, 1.0, 0.0]


def test_a_chain_of_200_000_nodes_and_a_node_used_twice_get_their_sums() -> None:
    """No recursion: the sweep's stack holds the chain (d/dx of y = (y * 1 + x) 100,000 times from x is 100,001; a
    recursive walk would go 100 times past Python's limit of 1,000 frames)."""
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + x
    (g,) = gradients(y * y, [x])
    assert g == 2.0 * 100_001 * 100_001


class _WrittenBefore:
    """What a pickle written while nodes had the slot `_visit` holds: the class, then every slot set."""

    def __init__(self, kind: type, slots: dict) -> None:
        self.kind, self.slots = kind, slots

    def __reduce__(self) -> tuple:
        return copyreg._reconstructor, (self.kind, object, None), (None, self.slots)  # protocol 0 and 1 form


def test_a_pickle_written_while_nodes_had_the_slot_visit_loads() -> None:
    """A Value's pickle after a backward, and every Tensor's, held `_visit`: loading one raised AttributeError."""
    old = {"data": 2.0, "grad": 4.0, "_made_by": None, "_a": None, "_b": None, "_visit": 1, "_grad_sum": 4.0}
    v = pickle.loads(pickle.dumps(_WrittenBefore(Value, old)))
    assert (v.data, v.grad, v.label) == (2.0, 4.0, "")
    (v * 3.0).backward()
    assert v.grad == 7.0
    t = Tensor([1.0, 2.0], requires_grad=True)
    state = {**t.__getstate__()[1], "_visit": None}
    loaded = pickle.loads(pickle.dumps(_WrittenBefore(Tensor, state)))
    assert loaded.requires_grad and loaded.data.tolist() == [1.0, 2.0]
