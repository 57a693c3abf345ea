"""Which uses of a value a drawing draws from a copy of it beside the op that uses it: an RNN's weight w used
at each of 16 unrolled steps, drawn once, sends an edge across the whole drawing to every step, and graphviz
lays such long edges out in time that grows about as the fourth power of the depth (16 steps took 25 s, 24 over
140 s). A copy at each far use ("drawn again") keeps every edge short, as a textbook draws an unrolled RNN."""

from __future__ import annotations

from autograd import Node

# the longest edge drawn from a leaf's own box, in graphviz ranks (a value, then an op, take one rank each;
# the use beside the box spans 1). micrograd's 4-sample loss uses each weight at spans 1, 3, 5 and 7 (its sum
# adds a sample per op) and keeps one box; an unrolled RNN's next step uses its weights at span 9 (tanh, two
# additions and a product later): drawn again there
MAX_SPAN = 8
# where leaves are drawn again, how much harder than a leaf's edge each edge between computed values and their
# ops pulls its ends into line: a 32-step RNN drawn with equal weights climbed at each step, 52 inches tall
# for a chain one box high; now 18
CHAIN_WEIGHT = "10"
# the longest edge drawn from a computed value's own box: an MLP's hidden value feeds the next layer's sums,
# which add one input per op, up to 2 * width - 1 ranks apart (31 in micrograd's 2-16-16-1), and its fan-out is
# the picture of a layer; a value computed once and used at every level of a deep chain is drawn again
MAX_COMPUTED_SPAN = 32


def far_uses(order: list[Node]) -> dict[tuple[int, int, int], int]:
    """The far uses of values, drawn from a copy: by (id of the value, id of the op's output, input index) the
    copy's number, 1, 2, ... for each value, one per op (s * s far from s's box: one copy with both edges).
    `order` is a graph's nodes, root first and each before its inputs (Graph.order). Ranks are counted from the
    root as graphviz counts them where it can: each node one rank past the furthest of its uses, so a value's own
    box sits beside its furthest use, its first in the forward pass, and the uses more than MAX_SPAN ranks away
    (a leaf) or MAX_COMPUTED_SPAN (a computed value) get copies."""
    rank: dict[int, int] = {}
    copies: dict[tuple[int, int, int], int] = {}
    made: dict[int, int] = {}
    beside: dict[tuple[int, int], int] = {}  # by (value, op's output): its copy there
    for node in order:  # a node's uses come before it in order: its rank is final when it is reached
        here = rank.setdefault(id(node), 0)
        for parent in node.parents:
            rank[id(parent)] = max(rank.get(id(parent), 0), here + 2)  # past the op's oval
    for node in order:
        for index, parent in enumerate(node.parents):
            if rank[id(parent)] - (rank[id(node)] + 1) > (MAX_SPAN if parent.op is None else MAX_COMPUTED_SPAN):
                if (id(parent), id(node)) not in beside:
                    made[id(parent)] = beside[(id(parent), id(node))] = made.get(id(parent), 0) + 1
                copies[(id(parent), id(node), index)] = beside[(id(parent), id(node))]
    return copies


def copies_drawn(order: list[Node]) -> int:
    """How many copies a drawing of `order` adds (`far_uses`: one per value and op that uses it far away), which
    the node limit counts as the boxes they are."""
    return len({(parent, op) for parent, op, _ in far_uses(order)})
