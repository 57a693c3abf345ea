"""chainrule's float16 elementwise ops against PyTorch's (CPU) in float16: forward and gradient on a grid of
edge points (tests/torch_half.py), with upstream gradients of 1 and 1e4. PyTorch computes half in float32
and rounds once; so does chainrule (autograd/half_precision.py). Before, softplus's, silu's and elu's
gradients at -17.5 with an upstream 1e4 were 3101 to 7230 ulps off: the slope underflowed in float16.

The bound, 1 ulp, is what rounding once allows: a result computed in float32 is within a few float32 ulps
of exact, a few 2^-13 of a float16 ulp, which can move its rounding to the neighbouring float16 number,
never two away. It is judged against torch's float16 result or the truth (torch in float64 on the same
inputs), whichever is nearer: torch's own rules read their rounded output and are thousands of ulps off the
truth in places (tanh's at -4.52, where its float16 output rounds to -1 and its gradient to 0)."""

import numpy as np
import pytest
from torch_half import UPSTREAM, grid, judged, ulps  # without torch: skipped

import autograd
from autograd.op_table import ELEMENTWISE

BOUND = 1  # ulps: one rounding of a float32 result (see the module's docstring)


@pytest.mark.parametrize("upstream", UPSTREAM)
@pytest.mark.parametrize("d", ELEMENTWISE, ids=lambda d: d.name)
def test_float16_forward_and_gradient_are_within_an_ulp_of_torch_or_the_truth(d, upstream):
    xs = grid(d.arity)
    for i, err in enumerate(judged(d, xs, upstream)):
        where = "forward" if i == 0 else f"gradient of input {i - 1}"
        worst = int(np.argmax(err))
        assert err[worst] <= BOUND, f"{d.name} {where}: {err[worst]} ulps at {[float(x[worst]) for x in xs]}"


def test_the_float16_gradient_of_softplus_at_a_far_negative_input_does_not_underflow():
    """The case of the change: σ(-17.5) = 2.5e-8 is below float16's smallest number, but times 1e4 it is not."""
    x = autograd.Tensor(np.array([-17.5], np.float16), dtype=np.float16, requires_grad=True)
    autograd.softplus(x).backward(np.array([1e4], np.float16))
    assert x.grad.dtype == np.float16
    assert ulps(x.grad, 1e4 / (1 + np.exp(17.5))).max() == 0  # 2.51e-4, rounded once; it was 0
