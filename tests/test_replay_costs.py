"""Work a compiled step's replay no longer does at a small batch, each shortcut giving the bits of the work it skips
(docs/performance.md, the forty-third session: a replay of the benchmark's MLP at batch 1 cost some 1.6x the
buffered numpy step, the difference Python calls and small reads spread over every kernel)."""

import numpy as np
import pytest
from benchmark_mlp import mlp_step
from call_counts import counting
from compile_faithful_cases import relu_runs

import autograd
import nn
from autograd import Tensor, compile_kernels, compile_replay
from nn import optim


def test_a_small_relus_rule_reads_its_gradient_and_input_once(monkeypatch):
    """relu's rule of fewer than 4,096 entries (below what the neighbouring products' proofs pay for) looked for a NaN
    in x and an infinity in g apart, through unknown_at_nan and gated (some ten Python calls and two reads: 8 us of a
    batch-1 replay's relu of 256); it reads them as one now, np.vdot(g, x), as eager's rule does."""
    rng = np.random.default_rng(0)
    _, run = mlp_step()
    x, y = Tensor(rng.random((1, 784), dtype=np.float32)), rng.integers(0, 10, 1)
    run(x, y), run(x, y)  # recorded
    gated, nan_looks = (
        counting(monkeypatch, compile_kernels, "gated"),
        counting(monkeypatch, compile_kernels, "unknown_at_nan"),
    )
    run(x, y)
    assert gated == nan_looks == []


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows", [1, 8])
def test_a_small_relus_rule_gives_eager_bits_where_g_or_x_is_not_finite(dtype, rows):
    """Where the one read finds a NaN or an infinity (NaN or inf in the bias: in x; inf in the next weights: in g; a
    column of weights whose products overflow) or its sum overflows (huge but finite g and x), the reads apart
    decide, as before: the replay's bits are eager's, then plain numbers again."""
    rng = np.random.default_rng(5)
    start = {k: rng.standard_normal(s).astype(dtype) for k, s in (("W", (64, 64)), ("b", (64,)), ("V", (64, 8)))}
    x = Tensor(rng.standard_normal((rows, 64)).astype(dtype))
    big = np.finfo(dtype).max / 4
    cases = [{}, {}, {}, {"b": (3, np.nan)}, {"b": (5, np.inf)}, {"V": ((2, 1), np.inf)}, {"V": ((7, 0), -np.inf)}]
    cases += [{"W": ((slice(None), 5), big)}, {"b": (slice(None), big), "V": (slice(None), big)}, {}]
    assert relu_runs(True, start, x, cases) == relu_runs(False, start, x, cases)


def test_plain_sgds_update_makes_no_calls_for_options_it_lacks(monkeypatch):
    """SGD without maximize or weight decay passed each gradient through `signed` and `decayed`, which gave it back
    unchanged: two Python calls a parameter and step (12 of a replay's 431 at batch 1); now only where one is set."""
    rng = np.random.default_rng(1)
    _, run = mlp_step()
    x, y = Tensor(rng.random((1, 784), dtype=np.float32)), rng.integers(0, 10, 1)
    run(x, y), run(x, y)
    signed, decayed = counting(monkeypatch, optim, "signed"), counting(monkeypatch, optim, "decayed")
    run(x, y)
    assert signed == decayed == []


@pytest.mark.parametrize(
    "options", [{"maximize": True}, {"weight_decay": 0.1}, {"maximize": True, "weight_decay": 0.1}]
)
def test_sgds_options_still_take_their_passes(options):
    """maximize and weight decay change the step as they did: against the update written out in numpy."""
    rng = np.random.default_rng(2)
    p = Tensor(rng.standard_normal((5, 3)).astype(np.float32), requires_grad=True)
    g = rng.standard_normal((5, 3)).astype(np.float32)
    want = p.data.copy()
    opt = nn.SGD([p], lr=0.05, **options)
    p.grad = g.copy()
    opt.step()
    step = -g if options.get("maximize") else g.copy()
    step = step + np.float32(options.get("weight_decay", 0.0)) * want if "weight_decay" in options else step
    want += np.multiply(step, -0.05)
    assert p.data.tobytes() == want.tobytes()


def test_a_modules_training_flag_is_compared_without_a_call(monkeypatch):
    """Each module's `training` guard went through compile_guards.kept on every replay (6 calls a step of the
    benchmark's MLP); the replay compares the flag itself now. A mode switched still records again: the guard
    looks closer (kept) and finds it changed."""
    rng = np.random.default_rng(3)
    first, relu = nn.Linear(4, 3, seed=0), nn.ReLU()

    def forward(x):
        return relu(first(x)).sum()

    run = autograd.compile(forward)
    x = Tensor(rng.random((5, 4)))
    run(x), run(x)  # recorded
    calls = counting(monkeypatch, compile_replay, "kept")
    run(x)
    assert calls == []
    relu.eval()
    assert np.asarray(run(x).data).tobytes() == np.asarray(forward(x).data).tobytes()
    assert calls == ["kept"]  # the changed flag looked at closer: Stale, recorded again
