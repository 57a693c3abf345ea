"""nn.Adafactor where its second moments near the ends of the dtype's range. Its step is unchanged by scaling the
gradients by a power of 2 (u = grad / sqrt(V), with V far above eps1 ** 2): a run on 2**k times the gradients must
move the weights as the run on the gradients does."""

import numpy as np
import pytest

import nn
from autograd import Tensor


def _run(dtype, scale, steps=12):
    rng = np.random.default_rng(0)
    w = Tensor(rng.normal(size=(4, 6)).astype(dtype), requires_grad=True)
    opt = nn.Adafactor([w], lr=0.05)
    for _ in range(steps):
        w.grad = (rng.normal(size=(4, 6)) * scale).astype(dtype)
        opt.step()
    return w.data, opt.state[0]


@pytest.mark.parametrize(("dtype", "power"), [(np.float32, 40), (np.float32, 55), (np.float64, 300), (np.float64, 450)])
def test_a_product_of_factors_beyond_the_dtype_does_not_stop_the_step(dtype, power):
    """float32 gradients of 2**40 (1.1e12: squared 1.2e24, the row and column factors' product 1.5e48 beyond
    float32's 3.4e38) made V inf and the step 0 (torch 2.13's does the same): the weights did not move at all."""
    reference, _ = _run(dtype, 1.0)
    scaled, state = _run(dtype, 2.0**power)
    assert np.isfinite(state["row_var"]).all() and np.isfinite(state["col_var"]).all()
    np.testing.assert_allclose(scaled, reference, rtol=0, atol=np.spacing(np.abs(reference).max()))
