"""Work a training step at batch 128 no longer does, each shortcut giving the bits of the work it skips
(docs/performance.md, the thirty-ninth session: past the buffered numpy step, a replay's time at batch 128 went to
reading every product's result for a partial overflow, relu's looks at arrays a product had just checked, and
Python; these are the reads whose answer another fact already gives)."""

import hashlib
import warnings

import numpy as np
import pytest
from benchmark_mlp import SIZES, mlp_step
from call_counts import counting
from compile_faithful_cases import relu_runs
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor, compile_kernels, compile_replay, scaled_contractions, scaled_sums


def _mlp_hash(batch, dtype, compiled, steps=15):
    """sha256 of the losses and the parameters after `steps` SGD steps of the benchmark's MLP (each on another
    batch, every third scaled by 3), eager or compiled (strict: every step after the first two replayed)."""
    rng = np.random.default_rng(0)
    model, run = mlp_step(dtype, 0.05, compiled)
    h = hashlib.sha256()
    for s in range(steps):
        x = rng.random((batch, SIZES[0])).astype(dtype) * (3.0 if s % 3 == 0 else 1.0)
        h.update(np.asarray(run(Tensor(x), rng.integers(0, SIZES[-1], batch)).data).tobytes())
    for p in model.parameters():
        h.update(p.data.tobytes())
    return h.hexdigest()


def _without_shortcuts(monkeypatch):
    """The checks as they were before this file's shortcuts: every product's result read, relu's reads made."""
    for module in (compile_kernels, scaled_contractions):
        monkeypatch.setattr(module, "product_fits", lambda a, b: False)
    monkeypatch.setattr(compile_replay, "relu_proofs", lambda *args: None)


@pytest.mark.slow
@pytest.mark.parametrize("batch", [1, 128, 512])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fifteen_steps_of_the_benchmarks_mlp_give_the_bits_of_every_check(monkeypatch, batch, dtype):
    new = {compiled: _mlp_hash(batch, dtype, compiled) for compiled in (False, True)}
    _without_shortcuts(monkeypatch)
    old = {compiled: _mlp_hash(batch, dtype, compiled) for compiled in (False, True)}
    assert new == old
    assert new[False] == new[True]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_few_steps_at_batch_32_give_the_bits_of_every_check(monkeypatch, dtype):
    new = {compiled: _mlp_hash(32, dtype, compiled, steps=4) for compiled in (False, True)}
    _without_shortcuts(monkeypatch)
    assert new == {compiled: _mlp_hash(32, dtype, compiled, steps=4) for compiled in (False, True)}


def _weight_gradient(batch, dtype=np.float32):
    rng = np.random.default_rng(1)
    x, g = rng.standard_normal((batch, 784)).astype(dtype), rng.standard_normal((batch, 256)).astype(dtype)
    return x, g


@pytest.mark.parametrize("batch", [2, 32, 128])
def test_a_weight_gradient_is_proven_from_its_smaller_operands_not_read(monkeypatch, batch):
    """x.T @ g at a batch smaller than the layer (128 x (784 + 256) numbers against 784 x 256) was read whole for a
    non-finite entry (200,704 floats, its largest check at batch 128); its operands' norms now prove it can hold
    none, in fewer reads, and the result is numpy's product as before."""
    x, g = _weight_gradient(batch)
    eager_reads = counting(monkeypatch, scaled_contractions, "first_try")
    replay_reads = counting(monkeypatch, compile_kernels, "first_try")
    want = np.matmul(x.T, g)
    got = scaled_contractions.checked(np.matmul, (x.T, g), batch, "matmul")
    kernel = compile_kernels.Matmul([(batch, 784), (784, 256)], np.dtype(np.float32), [False, True])
    out = kernel.backward(g, None, x, np.empty((784, 256), np.float32))[1]
    assert eager_reads == replay_reads == []
    assert got.tobytes() == want.tobytes() and out.tobytes() == want.tobytes()
    assert kernel.gb_product.found_finite  # the optimizer's proof (compile_finite) as before


def test_a_product_whose_operands_hold_more_is_still_read(monkeypatch):
    """The forward x @ W (128 x 784 + 784 x 256 numbers for a result of 128 x 256) is read as before: its
    operands would cost more."""
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((128, 784)).astype(np.float32), rng.standard_normal((784, 256)).astype(np.float32)
    norms = counting(monkeypatch, scaled_contractions, "product_fits")
    reads = counting(monkeypatch, scaled_contractions, "first_try")
    scaled_contractions.checked(np.matmul, (x, w), 784, "matmul")
    assert norms == [] and reads == ["first_try"]


@pytest.mark.parametrize("compiled", [False, True])
def test_a_partial_overflow_under_the_shortcut_is_still_computed_again(compiled):
    """Operands smaller than their product whose partial sums overflow: [1e308, 1e308, -1e308] rows by columns of
    ones are 1e308, not inf; the norms prove nothing there, so the result is read and computed again."""
    a, b = np.tile([[1e308, 1e308, -1e308]], (8, 1)), np.ones((3, 8))
    assert scaled_contractions.reads_less(8, 3, 8) and not scaled_contractions.product_fits(a, b)

    def product(a, b):
        return a @ b

    run = autograd.compile(product) if compiled else product
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either: the result fits
        for _ in range(3):  # recorded, then replayed
            assert np.array_equal(run(Tensor(a), Tensor(b)).data, np.full((8, 8), 1e308))


_FLOATS32 = st.floats(width=32, allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, 1e-45, -1e-40, 1e19, -1.9e19, 3.4e38, 1e-30, 1.8e19, 4e18]
)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 4), st.data())
def test_a_proof_of_a_product_is_never_wrong(m, k, n, data):
    """Where product_fits says no partial sum can overflow, none does: the sum of the magnitudes of every entry's
    products (in float64, exact enough) is within float32's range, and numpy's float32 result is finite."""
    a = np.array(data.draw(st.lists(_FLOATS32, min_size=m * k, max_size=m * k)), np.float32).reshape(m, k)
    b = np.array(data.draw(st.lists(_FLOATS32, min_size=k * n, max_size=k * n)), np.float32).reshape(k, n)
    if data.draw(st.booleans()):
        a = np.asfortranarray(a)
    if not scaled_contractions.product_fits(a, b):
        return
    magnitudes = np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64))
    assert (magnitudes <= np.finfo(np.float32).max).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nor does numpy's product warn of an overflow
        assert np.isfinite(a @ b).all()


def test_a_replays_relu_rule_reads_nothing_a_product_proved(monkeypatch):
    """relu's rule looked for a NaN in its input and an infinity in its gradient (rule_functions' unknown_at_nan and
    gated: 96 thousand floats a step of the benchmark's MLP at batch 128), arrays its neighbouring products had
    just read for a partial overflow and found finite; a replay now takes those products' word for it."""
    rng = np.random.default_rng(4)
    _, run = mlp_step(np.float32, 0.01, compiled=True)
    x, y = Tensor(rng.random((128, 784), dtype=np.float32)), rng.integers(0, 10, 128)
    run(x, y), run(x, y)  # recorded
    gated, nan_looks = (
        counting(monkeypatch, compile_kernels, "gated"),
        counting(monkeypatch, compile_kernels, "unknown_at_nan"),
    )
    run(x, y)
    assert gated == nan_looks == []


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_what_the_products_prove_nothing_of_is_read_as_eagerly(dtype):
    """Where a proof fails the rule reads as before, giving eager's bits: a NaN in the bias (x holds NaN: NaN's
    gradient there), an infinity in it (x holds infinities, no NaN), infinities in the next layer's weights (g holds
    infinities, kept out of where relu is flat), a column of weights whose products overflow (not found finite),
    then plain numbers again."""
    rng = np.random.default_rng(5)
    start = {k: rng.standard_normal(s).astype(dtype) for k, s in (("W", (64, 64)), ("b", (64,)), ("V", (64, 8)))}
    x = Tensor(rng.standard_normal((128, 64)).astype(dtype))
    big = np.finfo(dtype).max / 4
    cases = [{}, {}, {}, {"b": (3, np.nan)}, {"b": (5, np.inf)}, {"V": ((2, 1), np.inf)}, {"V": ((7, 0), -np.inf)}]
    cases += [{"W": ((slice(None), 5), big)}, {}]
    assert relu_runs(True, start, x, cases) == relu_runs(False, start, x, cases)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_large_result_is_read_for_infinities_by_its_squares(monkeypatch, dtype):
    """A product's result of 4,096 entries or more was summed by BLAS against ones for a non-finite entry (two
    arrays read, the result and the ones); its sum of squares reads the result alone (0.6 of the time on a result
    just written). The sum decides only where the squares do not: a NaN, an infinity, squares past the range."""
    sums = counting(monkeypatch, scaled_sums, "_blas_sum")
    x = np.random.default_rng(6).standard_normal((784, 256)).astype(dtype)
    assert scaled_sums.finite(x) and sums == []
    for bad in (np.nan, np.inf, -np.inf, 1e30 if dtype == np.float32 else 1e200):
        y = x.copy()
        y[3, 4] = bad
        with np.errstate(over="ignore", invalid="ignore"):
            assert scaled_sums.finite(y) == bool(np.isfinite(y).all())
    assert sums == ["_blas_sum"] * 4
