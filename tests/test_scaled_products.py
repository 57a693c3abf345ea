"""prod and cumprod where partial products leave the float range though the answer does not
(autograd.scaled_products): forwards and gradients equal the exact product rounded, checked with
fractions; where no partial product can leave the range, numpy's product as before, bit for bit."""

from fractions import Fraction

import numpy as np
import pytest

from autograd import Tensor, scaled_products


def _float(q: Fraction) -> float:
    """q rounded to float64 (±inf past it)."""
    try:
        return float(q)
    except OverflowError:
        return float("inf") if q > 0 else float("-inf")


def _exact_product(values) -> Fraction:
    out = Fraction(1)
    for v in values:
        out *= Fraction(float(v))
    return out


def _rounded(q: Fraction, dtype) -> float:
    """q rounded to dtype."""
    return float(np.asarray(_float(q)).astype(dtype))  # float64 first: a second rounding only below float32's


def test_a_product_through_underflow_comes_back():
    x = Tensor(np.array([1e-200, 1e-200, 1e300]), requires_grad=True)
    assert x.prod().item() == 1e-100  # numpy's product rounded step by step: 0
    assert x.cumprod(0).data.tolist() == [1e-200, 0.0, 1e-100]  # 1e-400 is past float64: 0


def test_prods_gradient_through_a_subnormal_partial_product():
    x = np.array([1e-160, 3e-161, 1e-5, 1e160])
    t = Tensor(x, requires_grad=True)
    t.prod().backward()
    exact = [_float(_exact_product(np.delete(x, i))) for i in range(4)]
    assert t.grad.tolist() == exact  # the third was 2.99898e-161 (a partial product of 3e-321 on the way)


def test_float32_entries_past_float64s_range_together():
    x = np.array([1e-30] * 11 + [1e30] * 10, dtype=np.float32)  # 1e-330 on the way, in float64 too
    assert Tensor(x).prod().item() == _rounded(_exact_product(x), np.float32) != 0


def test_many_entries_cross_blocks():
    x = np.concatenate([np.full(700, 2.0**-3), np.full(700, 2.0**3), [0.75]])  # 2**-2100 on the way
    assert Tensor(x).prod().item() == 0.75
    assert Tensor(x).cumprod(0).data[[699, 1399, 1400]].tolist() == [0.0, 1.0, 0.75]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", range(40))
def test_random_wide_magnitudes_against_fractions(dtype, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 7))
    span = 300 if dtype == np.float64 else 60
    x = np.ldexp(rng.uniform(0.5, 1, n) * rng.choice([-1, 1], n), rng.integers(-span, span, n)).astype(dtype)
    if seed % 5 == 0:
        x[rng.integers(n)] = 0
    g = rng.uniform(0.5, 2, n).astype(dtype)
    t = Tensor(x, requires_grad=True)
    out = t.prod()
    ulps = n * np.finfo(dtype).eps  # one rounding a product: n - 1 of them, and one to the dtype
    np.testing.assert_allclose(out.item(), _rounded(_exact_product(x), dtype), rtol=ulps, atol=0)
    out.backward(np.asarray(g[0]))
    expected = [_rounded(Fraction(float(g[0])) * _exact_product(np.delete(x, i)), dtype) for i in range(n)]
    np.testing.assert_allclose(t.grad, expected, rtol=ulps, atol=0)
    t = Tensor(x, requires_grad=True)
    running = t.cumprod(0)
    exact_running = [_rounded(_exact_product(x[: k + 1]), dtype) for k in range(n)]
    np.testing.assert_allclose(running.data, exact_running, rtol=ulps, atol=0)
    running.backward(g)
    terms = [[Fraction(float(g[k])) * _exact_product(np.delete(x[: k + 1], i)) for k in range(i, n)] for i in range(n)]
    expected = np.array([_rounded(sum(t_i), dtype) for t_i in terms])
    # each term is rounded once before the sum: a sum that cancels is off by up to its terms' rounding
    scale = [sum(abs(term) for term in t_i) for t_i in terms]
    bound = ulps * np.array([_float(s) for s in scale]) + np.finfo(dtype).smallest_subnormal
    finite = np.isfinite(expected)
    assert np.array_equal(t.grad[~finite], expected[~finite])  # past the dtype's range: ±inf, as the sum is
    assert np.all(np.abs(t.grad[finite].astype(np.float64) - expected[finite]) <= bound[finite])


def test_inside_the_range_numpys_product_is_kept():
    x = np.random.default_rng(0).uniform(0.5, 2, (6, 7))
    assert scaled_products.in_range(x, 7)
    assert np.array_equal(Tensor(x).prod(axis=1).data, np.prod(x, axis=1))
    assert np.array_equal(Tensor(x).cumprod(1).data, np.cumprod(x, axis=1))


@pytest.mark.parametrize("axis", [None, 0, (0, 2), -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_scaled_product_keeps_numpys_shapes(axis, keepdims):
    x = np.ldexp(np.random.default_rng(1).uniform(0.5, 1, (2, 3, 4)), 600)  # out of range: the scaled path
    assert not scaled_products.in_range(x, 4)
    out = Tensor(x).prod(axis=axis, keepdims=keepdims).data
    assert out.shape == np.prod(x, axis=axis, keepdims=keepdims).shape
    assert np.all(np.isinf(out))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_long_products_that_stay_in_range_are_numpys(dtype):
    # 3000 entries near 1 pass no bound on exponents (each 1.0001 is 0.50005 * 2**1), yet no step leaves the
    # range: numpy's running product is kept, bit for bit as before scaled_products (mantissas were 73 ulps
    # off 1.0001**3000 where numpy's is 30)
    x = np.random.default_rng(2).uniform(0.9, 1.1, (2, 3000)).astype(dtype)
    x[1] = 1.0001
    wide = np.float64
    assert np.array_equal(Tensor(x).prod(axis=1).data, np.prod(x, axis=1, dtype=wide).astype(dtype))
    assert np.array_equal(Tensor(x).cumprod(1).data, np.cumprod(x, axis=1, dtype=wide).astype(dtype))
    assert np.array_equal(Tensor(x.T).prod(axis=0).data, np.prod(x.T, axis=0, dtype=wide).astype(dtype))


def test_a_step_out_of_the_range_after_many_in_it_is_still_caught():
    x = np.concatenate([np.full(2000, 1.0), [1e-200, 1e-200, 1e300]])
    assert Tensor(x).prod().item() == 1e-100
    assert Tensor(x).cumprod(0).data[-1] == 1e-100
    x = np.concatenate([np.full(2000, 1.0), [1e300, 1e300, 0.0]])  # inf * 0 on the way: the product is 0
    assert Tensor(x).prod().item() == 0.0
