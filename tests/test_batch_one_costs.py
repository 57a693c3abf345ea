"""Work a batch-of-one training step no longer does, each shortcut giving the bits of the work it skips
(docs/performance.md: the step's time since 2026-12-04 went to checks run per op; these are the ones whose
answer another fact already gives)."""

import warnings

import numpy as np
import pytest

from autograd import tensor_forwards
from autograd.scaled_sums import unless_overflowed


def _counting(monkeypatch, module, name):
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("shape", "axes"), [((1, 6), (0,)), ((1, 3, 1, 2), (0, 2)), ((4,), ())])
def test_a_sum_of_one_term_per_entry_is_no_reduction_and_gives_its_bits(monkeypatch, dtype, shape, axes):
    """A bias's gradient at a batch of one sums g over an axis of length 1: numpy's reduce adds the one term to 0
    (-0.0 gives +0.0) and can overflow nothing, so gradient_sum adds it to 0 without the reduction and its check."""
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype).reshape(-1)
    x[:4] = [-0.0, np.nan, np.inf, np.finfo(dtype).smallest_subnormal]
    x = x.reshape(shape)
    want = np.add.reduce(x, axis=axes, keepdims=True)
    calls = _counting(monkeypatch, tensor_forwards, "unless_overflowed")
    got = tensor_forwards.gradient_sum(x, axes)
    out = np.empty(want.shape, dtype)
    into = tensor_forwards.gradient_sum(x, axes, out=out)
    assert calls == []
    assert got.tobytes() == want.tobytes() and got.shape == want.shape and got is not x
    assert into is out and out.tobytes() == want.tobytes()


def test_a_sum_of_more_terms_is_still_checked_for_a_partial_overflow(monkeypatch):
    calls = _counting(monkeypatch, tensor_forwards, "unless_overflowed")
    x = np.array([[1e308], [1e308], [-1e308]])
    with np.errstate(over="ignore"):
        assert tensor_forwards.gradient_sum(x, (0,)).tolist() == [[1e308]]
    assert calls == ["unless_overflowed"]
    assert unless_overflowed(x, (0,), True, np.add.reduce).tolist() == [[1e308]]


def test_an_eager_module_call_works_out_no_guards(monkeypatch):
    """A module's call worked out its classes for compile's guards (compile_settings._own_classes, a list over its
    class's mro) on every eager call too, where nothing is recorded: 6 a step of a 3-layer MLP. Now only while a
    step is being compiled, where the guards still catch a class setting changed between calls."""
    import autograd
    import nn
    from autograd import compile_settings

    calls = _counting(monkeypatch, compile_settings, "_own_classes")
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
