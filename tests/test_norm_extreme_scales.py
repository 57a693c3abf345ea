"""The normalisations right where the squares of their inputs underflow or overflow: with eps 0 they are the
same at x·2**k as at x (outputs and gradients·2**k), where var + eps gave inf (tiny) or was refused (huge)."""

import numpy as np
import pytest

import nn
from autograd import Tensor

F = nn.functional
X = np.array([[0.5, -1.25, 2.0, 0.75], [3.0, 1.0, -2.0, 0.25]])
NORMS = {
    "layer_norm": lambda x: F.layer_norm(x, 4, eps=0),
    "rms_norm": lambda x: F.rms_norm(x, 4, eps=0),
    "group_norm": lambda x: F.group_norm(x.reshape(2, 2, 2), 1, eps=0),
    "batch_norm": lambda x: F.batch_norm(x, None, None, training=True, eps=0),
    "instance_norm": lambda x: F.instance_norm(x.reshape(2, 2, 2), eps=0),
}


@pytest.mark.parametrize("name", NORMS)
@pytest.mark.parametrize("power", [-700, -1000, 700, 1000])
def test_scaled_by_a_power_of_two_the_outputs_are_the_same_and_the_gradients_scaled_back(name, power):
    norm, weights = NORMS[name], np.arange(1.0, 9.0).reshape(2, 4)
    plain, scaled = Tensor(X, requires_grad=True), Tensor(np.ldexp(X, power), requires_grad=True)
    (norm(plain).reshape(2, 4) * weights).sum().backward()
    out = norm(scaled).reshape(2, 4)
    (out * weights).sum().backward()
    np.testing.assert_allclose(out.data, norm(Tensor(X)).reshape(2, 4).data, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(np.ldexp(scaled.grad, power), plain.grad, rtol=1e-12, atol=1e-14)


def test_pytorchs_examples_of_tiny_and_huge_rows():
    np.testing.assert_allclose(
        F.layer_norm(Tensor(np.array([[1e-200, -1e-200]])), 2, eps=0).data, [[1, -1]], rtol=1e-15
    )  # was inf
    np.testing.assert_allclose(F.rms_norm(Tensor(np.array([[1e-200, 1e-200]])), 2, eps=0).data, [[1, 1]])  # was inf
    np.testing.assert_allclose(F.layer_norm(Tensor(np.array([[1e308, -1e308]])), 2).data, [[1, -1]])  # was refused
    np.testing.assert_allclose(F.rms_norm(Tensor(np.array([[1e200, -1e200]])), 2).data, [[1, -1]])  # was refused
    # eps still counts beside a tiny spread: 1e-200 / sqrt(1e-5)
    np.testing.assert_allclose(
        F.layer_norm(Tensor(np.array([[1e-200, -1e-200]])), 2).data,
        [[3.1622776601683794e-198, -3.1622776601683794e-198]],
        rtol=1e-15,
    )


def test_a_compiled_step_recorded_on_ordinary_rows_runs_extreme_ones_eagerly():
    """layer_norm and rms_norm take sqrt(var + eps) where it is right: a replay whose rows need the hypot root
    (squares past the range, or lost below it with eps 0) runs the step eagerly, right."""
    import autograd

    for norm in (lambda x: nn.functional.layer_norm(x, 2, eps=0.0), lambda x: nn.functional.rms_norm(x, 2, eps=0.0)):
        step = autograd.compile(norm)
        ordinary = np.array([[3.0, -3.0]])
        for _ in range(3):
            np.testing.assert_allclose(step(Tensor(ordinary)).data, [[1.0, -1.0]])
        for scale in (1e200, 1e-200):
            np.testing.assert_allclose(step(Tensor(ordinary * scale)).data, [[1.0, -1.0]], rtol=1e-15)


@pytest.mark.parametrize("name", ["layer_norm", "rms_norm", "group_norm", "batch_norm", "instance_norm"])
def test_an_eps_near_the_largest_float_is_added_where_the_sum_fits(name):
    """Deviations of ±9e153 (a variance of 8.1e307, under half the largest float) with eps 1e308: var + eps
    overflowed and the outputs were 0; the root is taken by hypot there, as it is for a variance past half."""
    x = np.array([[9e153, -9e153, 9e153, -9e153], [9e153, -9e153, 9e153, -9e153]])
    norms = {"layer_norm": lambda x: F.layer_norm(x, 4, eps=1e308), "rms_norm": lambda x: F.rms_norm(x, 4, eps=1e308)}
    norms |= {
        "group_norm": lambda x: F.group_norm(x.reshape(2, 2, 2), 1, eps=1e308),
        "batch_norm": lambda x: F.batch_norm(x.T, None, None, training=True, eps=1e308),
        "instance_norm": lambda x: F.instance_norm(x.reshape(2, 2, 2), eps=1e308),
    }
    exact = 9e153 / np.hypot(9e153, 1e154)  # each deviation over sqrt(d² + eps), d² + eps at 1.81e308
    np.testing.assert_allclose(np.abs(norms[name](Tensor(x)).data), exact, rtol=1e-14)


@pytest.mark.parametrize(
    "dtype, row, eps", [(np.float64, [1e-300, -2e-300, 3e-300], 1e-300), (np.float32, [1e-14, -2e-14, 3e-14], 1e-30)]
)
def test_rms_norm_s_gradient_where_the_slope_of_rsqrt_overflows_is_mpmath_s(dtype, row, eps):
    """x·rsqrt(mean(x²) + eps) at a mean square plus eps below 2e-206 (float32's 1.3e-26): rsqrt's own slope
    there, −v^(−3/2)/2, overflows, and the gradient was inf (PyTorch's too) where it is about 1/rms: 7e13 for
    float32 [1e-14, −2e-14, 3e-14] with eps 1e-30. Such rows take the hypot root."""
    mp = pytest.importorskip("mpmath")
    upstream = [1.0, -2.0, 0.5]
    x = Tensor(np.array([row], dtype), requires_grad=True)
    (F.rms_norm(x, 3, eps=eps) * Tensor(np.array([upstream], dtype))).sum().backward()
    with mp.workdps(50):
        v, c = [mp.mpf(float(dtype(a))) for a in row], [mp.mpf(a) for a in upstream]
        rms = mp.sqrt(mp.fsum(a * a for a in v) / 3 + eps)
        mean_cy = mp.fsum(a * b / rms for a, b in zip(c, v)) / 3
        exact = [float((ci - vi / rms * mean_cy) / rms) for ci, vi in zip(c, v)]
    np.testing.assert_allclose(x.grad[0], exact, rtol=1e-13 if dtype == np.float64 else 1e-5)
