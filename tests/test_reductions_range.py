"""std and the 2-norm over the whole range of a dtype: right (value, gradient, second derivative)
wherever the result fits, where squaring the entries would overflow or underflow; and the
inf-norm of nothing, which has no answer."""

import warnings

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

from autograd import Tensor


@pytest.mark.parametrize("ddof", [0, 1])
@pytest.mark.parametrize("entries", [[3e20, 4e20], [3e-25, 4e-25]])
def test_float32_std_beyond_the_range_of_its_square(entries, ddof):
    """The variance (about 1e40 or 1e-50) does not fit float32; the std does, as PyTorch's."""
    t = Tensor(np.array(entries, np.float32), requires_grad=True)
    s = t.std(ddof=ddof)
    s.backward()
    leaf = torch.tensor(entries, dtype=torch.float32, requires_grad=True)
    expected = torch.std(leaf, correction=ddof)
    expected.backward()
    assert s.item() == pytest.approx(expected.item(), rel=1e-6)
    np.testing.assert_allclose(t.grad, leaf.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "entries, dtype",
    [
        ([3e200, 4e200], np.float64),
        ([3e-170, 4e-170], np.float64),
        ([3e19, 4e19], np.float32),
        ([3e-30, 4e-30], np.float32),
    ],
)
def test_2_norm_beyond_the_range_of_its_square(entries, dtype):
    """x/‖x‖ = [0.6, 0.8] and ‖x‖ = 5·10^k, where PyTorch's overflows to inf or underflows to 0."""
    t = Tensor(np.array(entries, dtype), requires_grad=True)
    n = t.norm()
    n.backward()
    assert n.dtype == dtype
    assert n.item() == pytest.approx(entries[0] / 0.6, rel=1e-6)
    np.testing.assert_allclose(t.grad, [0.6, 0.8], rtol=1e-6)


def test_2_norm_of_a_zero_row_beside_a_tiny_one():
    """The zero vector keeps its gradient 0 (PyTorch's choice) where another row needs scaling."""
    t = Tensor(np.array([[0.0, 0.0], [3e-30, 4e-30]], np.float32), requires_grad=True)
    n = t.norm(axis=1)
    n.sum().backward()
    np.testing.assert_allclose(n.data, [0.0, 5e-30], rtol=1e-6)
    np.testing.assert_allclose(t.grad, [[0.0, 0.0], [0.6, 0.8]], rtol=1e-6)


REDUCTIONS = {
    "std": (
        lambda t, a, k: t.std(axis=a, keepdims=k, ddof=0),
        lambda t, a, k: torch.std(t, a, correction=0, keepdim=k),
    ),
    "std ddof=1": (
        lambda t, a, k: t.std(axis=a, keepdims=k, ddof=1),
        lambda t, a, k: torch.std(t, a, correction=1, keepdim=k),
    ),
    "norm": (lambda t, a, k: t.norm(axis=a, keepdims=k), lambda t, a, k: torch.linalg.vector_norm(t, dim=a, keepdim=k)),
}
# 2**±70 in float32 and 2**±600 in float64: the squares of the entries overflow or underflow
POWERS = {np.float32: [70, -70], np.float64: [600, -600]}


@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, True), (-1, False), ((0, 2), True)])
@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_scaled_entries_against_torch(dtype, name, axis, keepdims):
    """f(x·2**p)/2**p is f(x) exactly (f is positively homogeneous): forward, gradient and second
    derivative (create_graph) compared with PyTorch's f(x), on entries whose squares do not fit."""
    ours, theirs = REDUCTIONS[name]
    x = np.random.default_rng(0).standard_normal((3, 4, 5))
    for p in POWERS[dtype]:  # Python floats: they keep float32 float32

        def scaled(t, up=2.0**p, down=2.0**-p):
            return ours(t * up, axis, keepdims) * down

        check(scaled, lambda t: theirs(t, axis, keepdims), [x], dtype)


def test_float16_std_and_norm_do_not_overflow_their_sums():
    """float16 sums overflow at 65504: std and norm are computed in float32 and rounded back."""
    x = (np.random.default_rng(0).standard_normal(5000) * 300).astype(np.float16)
    t = Tensor(x, dtype=np.float16)
    wide = x.astype(np.float64)
    assert t.std().dtype == np.float16 and t.norm().dtype == np.float16
    assert t.std().item() == pytest.approx(np.std(wide), rel=1e-3)
    assert t.norm().item() == pytest.approx(np.linalg.vector_norm(wide), rel=1e-3)


@pytest.mark.parametrize("shape, axis", [((0,), None), ((2, 0), 1), ((2, 0), (0, 1))])
def test_inf_norm_of_nothing_raises_as_max_does(shape, axis):
    """The largest |x| of no entries has no answer (PyTorch raises too); a nonempty axis of an
    empty tensor gives an empty answer, as max."""
    t = Tensor(np.zeros(shape))
    with pytest.raises(ValueError, match=r"^max\(\) of a tensor of shape .* which is empty: the largest of no"):
        t.max(axis=axis)
    with pytest.raises(ValueError, match=r"^norm\(\) of a tensor of shape .* which is empty: the largest \|x\| of"):
        t.norm(np.inf, axis=axis)
    with pytest.raises(ValueError, match=r"^norm\(\) of a tensor of shape .* the largest \|x\| of no entries"):
        t.norm(p=float("inf"), dim=axis)
    assert Tensor(np.zeros((0, 3))).norm(np.inf, axis=1).shape == (0,)


def test_minus_inf_norm_is_refused():
    with pytest.raises(ValueError, match="ord must be 1, 2 or inf"):
        Tensor(np.zeros(0)).norm(-np.inf)


def test_float16_var_sums_in_float32():
    z = np.zeros((6000, 2), np.float16)
    z[:, 1] = 12
    v = Tensor(z, dtype=np.float16).var()
    assert v.dtype == np.float16 and v.data == 36.0  # its float16 sum of squares was inf


@pytest.mark.parametrize("entries", [[1.0, np.nan, 3.0], [np.nan, -2.0, np.nan]])
def test_inf_norm_of_a_row_holding_nan_sends_nan_to_every_entry(entries):
    """As max's: which entry NaN beats is unknown, and every share depends on it (the NaN policy, as the
    2-norm's x / norm gives naturally); without a warning."""
    t = Tensor(entries, dtype=np.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.norm(np.inf).backward()
    assert np.isnan(t.grad).all()
