"""Function transforms at the edges a port of JAX and HIPS autograd snippets found: what a transform
hands back is the caller's own, and what it is given stays as it was."""

import numpy as np

from autograd import Tensor, grad, gradients


def _writable_and_distinct(arrays):
    return all(a.flags.writeable for a in arrays) and len({id(a) for a in arrays}) == len(arrays)


def test_gradients_of_inputs_given_one_sum_are_arrays_of_their_own():
    """An add passes its gradient unchanged to both inputs: the two used to be one array, so that
    scaling one in place scaled the other; a sum's gradient (a broadcast view) was read-only."""
    X, y = np.arange(6.0).reshape(3, 2), np.ones(3)
    g = grad(lambda p: np.sum((X @ (p["w"] + p["d"]) - y) ** 2) * 2.0)({"w": np.ones(2), "d": np.zeros(2)})
    assert _writable_and_distinct([g["w"], g["d"]])
    expected = g["d"].copy()
    g["w"] /= 4
    np.testing.assert_array_equal(g["d"], expected)
    assert _writable_and_distinct(grad(lambda a, b: np.sum(a + b), argnums=(0, 1))(np.ones(2), np.ones(2)))
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    assert _writable_and_distinct(gradients((a + b).sum(), [a, b]))
    assert _writable_and_distinct(gradients((a * 2).sum(), [a, a]))
