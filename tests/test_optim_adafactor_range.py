"""nn.Adafactor where its second moments near the ends of the dtype's range. Its step is unchanged by scaling the
gradients by a power of 2 (u = grad / sqrt(V), with V far above eps1 ** 2): a run on 2**k times the gradients must
move the weights as the run on the gradients does; beyond that, refused. Then the settings that may be +inf (its d
among them), loaded holding NaN or -inf."""

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


@pytest.mark.parametrize(
    ("dtype", "shape", "huge"),
    [(np.float32, (2, 3), 2e19), (np.float32, (3,), 2e19), (np.float64, (2, 3), 1e155), (np.float32, (), 2e19)],
)
def test_a_gradient_whose_squares_pass_the_dtype_is_refused_before_anything_moves(dtype, shape, huge):
    """float32 gradients of 2e19: a sum of their squares (a row's, or one square) is beyond 3.4e38, the second
    moment inf and V inf / inf: the weights went NaN (torch 2.13's do), silently. Refused as a NaN gradient is, the
    first parameter (a good gradient) unmoved too; one of 5e17, whose sums fit, steps."""
    first, second = Tensor(np.ones(4, dtype), requires_grad=True), Tensor(np.ones(shape, dtype), requires_grad=True)
    opt = nn.Adafactor([first, second])
    first.grad, second.grad = np.full(4, 0.5, dtype), np.full(shape, 0.5, dtype)
    opt.step()
    before = [first.data.copy(), second.data.copy()], {k: np.array(a) for k, a in opt.state_dict().items()}
    first.grad, second.grad = np.full(4, 0.5, dtype), np.full(shape, huge, dtype)
    refused = r"Adafactor: the squares of the gradient of parameter 1, .* pass"
    with pytest.raises(FloatingPointError, match=refused) as e:
        opt.step()
    assert e.value.parameter is second  # nn.fit names the parameter by the model's name for it, and says `held`
    assert e.value.held == f"values whose squares pass {np.dtype(dtype)} (the largest {huge:.3g})"
    np.testing.assert_array_equal(first.data, before[0][0])
    np.testing.assert_array_equal(second.data, before[0][1])
    for key, array in opt.state_dict().items():
        np.testing.assert_array_equal(array, before[1][key])
    second.grad = np.full(shape, huge / 40, dtype)
    opt.step()
    assert np.isfinite(second.data).all() and not np.array_equal(second.data, before[0][1])


@pytest.mark.parametrize(
    ("make", "entry", "bad"),
    [
        (nn.Adafactor, "d", [-np.inf]),
        (lambda ps: nn.Rprop(ps, step_sizes=(1e-6, np.inf)), "step_sizes", [1e-6, np.nan]),
        (lambda ps: nn.ASGD(ps, t0=np.inf), "t0", [np.nan]),
    ],
)
def test_a_loaded_setting_that_may_be_inf_says_so_when_refused(make, entry, bad):
    """A setting taken up to +inf (Adafactor's d, Rprop's largest step size, ASGD's t0), loaded holding NaN or -inf:
    the refusal said 'the numbers must be finite', where the state saved may hold +inf."""
    w = Tensor(np.ones(2), requires_grad=True)
    state = make([w]).state_dict()
    state[entry] = np.array(bad if len(bad) > 1 else bad[0])
    with pytest.raises(ValueError, match=f"{entry} holds 1 NaN or -inf value.* must be finite or \\+inf"):
        make([w]).load_state_dict(state)
