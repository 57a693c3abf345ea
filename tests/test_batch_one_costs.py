"""Work a batch-of-one training step no longer does, each shortcut giving the bits of the work it skips
(docs/performance.md: the step's time since 2026-12-04 went to checks run per op; these are the ones whose
answer another fact already gives)."""

import warnings

import numpy as np
import pytest
from call_counts import counting

from autograd import tensor_forwards
from autograd.scaled_sums import unless_overflowed


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("shape", "axes"), [((1, 6), (0,)), ((1, 3, 1, 2), (0, 2)), ((4,), ())])
def test_a_sum_of_one_term_per_entry_is_no_reduction_and_gives_its_bits(monkeypatch, dtype, shape, axes):
    """A bias's gradient at a batch of one sums g over an axis of length 1: numpy's reduce adds the one term to 0
    (-0.0 gives +0.0) and can overflow nothing, so gradient_sum adds it to 0 without the reduction and its check."""
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype).reshape(-1)
    x[:4] = [-0.0, np.nan, np.inf, np.finfo(dtype).smallest_subnormal]
    x = x.reshape(shape)
    want = np.add.reduce(x, axis=axes, keepdims=True)
    calls = counting(monkeypatch, tensor_forwards, "unless_overflowed")
    got = tensor_forwards.gradient_sum(x, axes)
    out = np.empty(want.shape, dtype)
    into = tensor_forwards.gradient_sum(x, axes, out=out)
    assert calls == []
    assert got.tobytes() == want.tobytes() and got.shape == want.shape and got is not x
    assert into is out and out.tobytes() == want.tobytes()


def test_a_sum_of_more_terms_is_still_checked_for_a_partial_overflow(monkeypatch):
    calls = counting(monkeypatch, tensor_forwards, "unless_overflowed")
    x = np.array([[1e308], [1e308], [-1e308]])
    with np.errstate(over="ignore"):
        assert tensor_forwards.gradient_sum(x, (0,)).tolist() == [[1e308]]
    assert calls == ["unless_overflowed"]
    assert unless_overflowed(x, (0,), True, np.add.reduce).tolist() == [[1e308]]


class _CountingNumpy:
    """numpy as a module sees it, but noting each call of the ufunc methods named (`"minimum.reduce"`)."""

    def __init__(self, calls, *names):
        self._calls, self._names = calls, {n.split(".")[0]: n for n in names}

    def __getattr__(self, name):
        if name not in self._names:
            return getattr(np, name)
        ufunc, method, calls = getattr(np, name), self._names[name].split(".")[1], self._calls

        class Counted:
            def __getattr__(self, attr):
                if attr != method:
                    return getattr(ufunc, attr)
                return lambda *a, **k: calls.append(f"{name}.{attr}") or getattr(ufunc, attr)(*a, **k)

            def __call__(self, *a, **k):
                return ufunc(*a, **k)

        return Counted()


def _edge_arrays():
    """Arrays whose finiteness the cheap pass may not settle: NaN, infinities, squares past the range, strided,
    float16, empty; and plain ones it settles."""
    plain = np.random.default_rng(1).standard_normal((3, 256)).astype(np.float32)
    out = [plain, plain.astype(np.float64), plain[:, ::2], np.asfortranarray(plain), plain.astype(np.float16)]
    out.append(np.zeros((0, 3), np.float32))
    for bad in (np.nan, np.inf, -np.inf, 1e30, -3e38):
        x = plain.copy()
        x[1, 7] = bad
        wide = x.astype(np.float64) * (1e200 if abs(bad) > 1 and np.isfinite(bad) else 1)  # squares past float64's
        out += [x, wide, x[:, ::3]]
    return out


def test_the_cheap_finiteness_pass_answers_as_the_exact_tests():
    from autograd.elementwise_forwards import holds_nan
    from autograd.rule_functions import gated
    from autograd.scaled_sums import finite

    for x in _edge_arrays():
        exact = bool(np.isfinite(x).all())
        with np.errstate(over="ignore", invalid="ignore"):
            assert finite(x) == exact or (not finite(x) and np.isfinite(np.add.reduce(x, axis=None)) == finite(x))
        assert holds_nan(x) == bool(np.isnan(x).any())
        mask = np.ones(x.shape, bool)
        mask.reshape(-1)[::2] = False
        with np.errstate(invalid="ignore"):  # the product where all is finite, else the selection (+0 unpicked)
            want = x * mask if exact else np.where(mask, x * mask, 0)
            got = gated(x, mask)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


def test_a_finite_array_is_read_once_for_nan_and_infinities(monkeypatch):
    """relu's rule looked for a NaN in its input (np.minimum.reduce) and for an infinity in its gradient
    (np.isfinite, then .all()'s reduce), and a product's check summed its small result (np.add.reduce): each a
    numpy reduction of some 9,000 instructions. A finite array now answers from its sum of squares (np.vdot),
    which costs two thirds of that; the reductions run only where it is not finite."""
    from autograd import elementwise_forwards, rule_functions, scaled_sums

    calls = []
    monkeypatch.setattr(elementwise_forwards, "np", _CountingNumpy(calls, "minimum.reduce"))
    monkeypatch.setattr(rule_functions, "np", _CountingNumpy(calls, "logical_and.reduce"))
    monkeypatch.setattr(scaled_sums, "np", _CountingNumpy(calls, "add.reduce"))
    x = np.random.default_rng(2).standard_normal((1, 256)).astype(np.float32)
    assert not elementwise_forwards.holds_nan(x)
    assert rule_functions.gated(x, x > 0).tobytes() == (x * (x > 0)).tobytes()
    assert scaled_sums.finite(x)
    assert calls == []
    x[0, 3] = np.nan
    assert elementwise_forwards.holds_nan(x)
    with np.errstate(invalid="ignore"):
        rule_functions.gated(x, x > 0)
    assert not scaled_sums.finite(x)
    assert calls == ["minimum.reduce", "logical_and.reduce", "add.reduce"]


def test_an_eager_module_call_works_out_no_guards(monkeypatch):
    """A module's call worked out its classes for compile's guards (compile_settings._own_classes, a list over its
    class's mro) on every eager call too, where nothing is recorded: 6 a step of a 3-layer MLP. Now only while a
    step is being compiled, where the guards still catch a class setting changed between calls."""
    import autograd
    import nn
    from autograd import compile_settings

    calls = counting(monkeypatch, compile_settings, "_own_classes")
    model = nn.Sequential(nn.Linear(4, 3, seed=0), nn.ReLU(), nn.Linear(3, 2, seed=1))
    x = autograd.Tensor(np.ones((1, 4), np.float32))
    model(x).sum().backward()
    assert calls == []
    monkeypatch.undo()  # a counter the compiled step appended to would make it run eagerly

    class Scaled(nn.Module):
        factor = 2.0

        def forward(self, x):
            return x * self.factor

    scaled = Scaled()
    step = autograd.compile(lambda x: scaled(x).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("error", autograd.CompileWarning)
        assert [step(x).item() for _ in range(3)] == [8.0] * 3  # recorded, then replayed
    Scaled.factor = 3.0
    assert step(x).item() == 12.0  # a class setting changed: recorded again


@pytest.mark.parametrize("spoil", [np.nan, np.inf, 1e30])  # 1e30: finite, its square past float32's range
def test_a_first_try_reads_its_results_squares_once(monkeypatch, spoil):
    """first_try reads its result's sum of squares (np.vdot) before `finite`, whose first test that is: where it
    answers "look closer" (a NaN, an infinity, squares past the range), `finite` read it a second time."""
    from autograd import scaled_sums

    calls = counting(monkeypatch, scaled_sums, "squares_finite")
    out = np.ones((4, 8), np.float32)
    out[1, 2] = spoil
    right = scaled_sums.first_try(np.copy, out)[1]
    assert right == bool(np.isfinite(spoil)) and calls == ["squares_finite"]
