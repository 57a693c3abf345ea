"""A compiled step's finiteness reads and outer products call numpy's C functions without numpy's
`__array_function__` dispatch (a Python stub run on every call of np.vdot and np.dot: 1.35 thousand of np.vdot's
6.6 thousand instructions on 256 float32 entries; 15 vdots and 3 outer products a batch-1 replay of the benchmark's
MLP), with the same bits as eager."""

import sys

import numpy as np
import pytest
from benchmark_mlp import mlp_step

import autograd
from autograd import Tensor


def _engine_calls(monkeypatch, name):
    """The calls of np.<name> made from autograd's own modules (the dispatcher's stub, which a caller reaches
    through `np.vdot`, `np.dot`)."""
    calls = []
    real = getattr(np, name)

    def watched(*args, **kwargs):
        if sys._getframe(1).f_globals.get("__name__", "").startswith("autograd"):
            calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(np, name, watched)
    return calls


@pytest.mark.parametrize("rows", [1, 32])
def test_a_replay_reads_and_multiplies_without_numpys_dispatch(monkeypatch, rows):
    rng = np.random.default_rng(0)
    _, step = mlp_step(np.float32, compiled=False)
    run = autograd.compile(step, strict=True)
    x, y = Tensor(rng.random((rows, 784), dtype=np.float32)), rng.integers(0, 10, rows)
    run(x, y), run(x, y)  # recorded
    vdots, dots = _engine_calls(monkeypatch, "vdot"), _engine_calls(monkeypatch, "dot")
    run(x, y)
    assert vdots == [] and dots == []


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows", [1, 7, 128])
def test_the_replay_keeps_eagers_bits(dtype, rows):
    """6 steps eager and compiled from the same start: parameters and losses equal bit for bit, with a NaN fed in the
    fifth (refused by the optimizer, which moves nothing, in both) and numbers near the largest float in the sixth."""
    rng = np.random.default_rng(rows)
    batches = [rng.standard_normal((rows, 784)).astype(dtype) for _ in range(6)]
    batches[4][0, 3] = np.nan
    batches[5] *= np.finfo(dtype).max / 8
    labels = [rng.integers(0, 10, rows) for _ in range(6)]
    results = []
    for compiled in (False, True):
        model, run = mlp_step(dtype, compiled=compiled)
        losses = []
        for xb, yb in zip(batches, labels):
            try:
                losses.append(np.asarray(run(Tensor(xb), yb).data).tobytes())
            except FloatingPointError as e:
                losses.append(type(e).__name__)
        results.append((losses, [p.data.tobytes() for p in model.parameters()]))
    assert results[0] == results[1]
