"""viz's one cache by node (node_cache.NodeCache), which keeps values on paper (widened.py) and its judgement of a
user's op (redo_calls.py): each kept for its node's data as it is, worked out again where that changed, gone with
its node."""

import numpy as np

from autograd import Tensor
from viz.node_cache import NodeCache, digest


def test_an_entry_is_kept_for_its_nodes_data_and_goes_with_the_node():
    cache, made = NodeCache(), []
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = w * 2.0

    def make():
        made.append(1)
        return len(made)

    assert cache.kept(y, digest(y), make) == 1
    assert cache.kept(y, digest(y), make) == 1  # kept: not worked out again
    w.data[0] = 5.0  # an optimizer's step, in place: its output's digest changes
    assert not cache.has(y, digest(y))
    assert cache.kept(y, digest(y), make) == 2
    del y  # freed at once (a graph holds no cycles), without the collector: a full collection in a long test
    assert cache._entries == {}  # worker took 9 s; gone with its node
