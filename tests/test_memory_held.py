"""Memory a transform or a functional gradient holds after it is done with it: none of a pass's sums
on the inputs, and no more than a bounded number of a grad's dead temporaries."""

import tracemalloc

import numpy as np

import autograd
from autograd import Tensor


def test_gradients_keeps_no_sum_on_its_inputs():
    w = Tensor(np.ones((50, 50)), requires_grad=True)
    h = Tensor(np.ones((2, 50)))
    for _ in range(3):
        h = (h @ w * 0.01).tanh()
    (g,) = autograd.gradients((h * h).sum(), [w], create_graph=True)
    assert g.shape == (50, 50) and w._grad_sum is None  # a create_graph sum there held its whole graph


def test_numbers_read_in_a_loop_inside_grad_hold_bounded_memory():
    w = Tensor(np.ones((100, 100)), requires_grad=True)

    def peak(n: int) -> int:
        def f(x):
            for _ in range(n):
                (w * 2.0).sum().item()  # a temporary, checked and found clean each time
            return (x * x).sum()

        tracemalloc.start()
        autograd.grad(f)(np.ones(3))
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top

    assert peak(3200) < 1.5 * peak(800)  # was linear in n: 32 MB for 400, 128 MB for 1600
