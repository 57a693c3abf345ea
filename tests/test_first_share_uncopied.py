"""A backward pass takes the first gradient to reach a node as it is, uncopied (graph_rules._propagate), and adds later
ones in place only into buffers of its own (graph_sums). So an array the caller holds (a seed, what a hook returns)
can become a node's sum: none may end up as a `.grad` that an in-place step (`p.grad *= 0`, `+=`) would write
through, nor may one `.grad` share memory with another's."""

import numpy as np

from autograd import Tensor


def _leaf():
    return Tensor(np.ones((2, 3)), requires_grad=True)


def test_the_callers_seed_is_never_a_grad():
    seed = np.full((2, 3), 3.0)
    x, y, u, z = _leaf(), _leaf(), _leaf(), _leaf()
    x.backward(seed)  # the seed is the leaf's whole sum
    (y + y * 1).backward(seed)  # add hands the seed on as it is: y's first share or its second
    (u * 1 + u).backward(seed)
    mid = z + 0
    mid.retain_grad()
    (mid + 0).backward(seed)
    for held in (x.grad, y.grad, u.grad, z.grad, mid.grad):
        held *= 0
    assert np.all(seed == 3.0)
    assert not np.shares_memory(mid.grad, z.grad)
    assert np.array_equal(y.grad, np.zeros((2, 3))) and np.array_equal(u.grad, np.zeros((2, 3)))


def test_an_array_a_hook_returns_is_never_a_grad():
    kept = np.full((2, 3), 7.0)
    x, w = _leaf(), _leaf()
    x.register_hook(lambda g: kept)
    (x * 2 + x).sum().backward()  # x reached twice, its sum then replaced by the hook's array
    h = w * 2
    h.register_hook(lambda g: kept)
    (h + h).sum().backward()
    x.grad += 1
    w.grad += 1
    assert np.all(kept == 7.0)
    assert np.array_equal(w.grad, np.full((2, 3), 15.0))


def test_an_in_place_step_on_grad_then_a_second_backward_adds_to_it():
    x, b = _leaf(), _leaf()
    seed = np.full((2, 3), 2.0)
    (x + b).backward(seed)  # one array for both inputs: each .grad its own
    x.grad *= 0.5  # an SGD-like write into the held .grad
    (x + b).backward(seed)
    assert np.array_equal(x.grad, np.full((2, 3), 3.0))
    assert np.array_equal(b.grad, np.full((2, 3), 4.0))
    assert np.all(seed == 2.0)


def test_an_array_a_rule_hands_to_two_inputs_is_never_added_into():
    """add hands one array to p and w; p's second share must not be added into it, or w's sum changes."""
    x, w = _leaf(), _leaf()
    p = x * 1
    ((p + w) + p * 3).backward(np.ones((2, 3)))
    assert np.array_equal(w.grad, np.ones((2, 3)))
    assert np.array_equal(x.grad, np.full((2, 3), 4.0))
