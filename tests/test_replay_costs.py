"""Work a compiled step's replay no longer does at a small batch, each shortcut giving the bits of the work it skips
(docs/performance.md, the forty-third session: a replay of the benchmark's MLP at batch 1 cost some 1.6x the
buffered numpy step, the difference Python calls and small reads spread over every kernel)."""

import numpy as np
import pytest
from call_counts import counting

import autograd
import nn
from autograd import Tensor
from nn import optim

SIZES = (784, 256, 128, 10)  # benchmarks/mlp_steps.py's MLP


def _mlp_step(dtype=np.float32, **options):
    """The benchmark's MLP and its SGD step on cross-entropy, compiled (strict)."""
    layers = [nn.Linear(i, o, seed=k, dtype=dtype) for k, (i, o) in enumerate(zip(SIZES, SIZES[1:]))]
    model = nn.Sequential(layers[0], nn.ReLU(), layers[1], nn.ReLU(), layers[2])
    opt = nn.SGD(model.parameters(), lr=0.05, **options)

    def step(x, y):
        loss = autograd.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return model, autograd.compile(step, strict=True)


def test_plain_sgds_update_makes_no_calls_for_options_it_lacks(monkeypatch):
    """SGD without maximize or weight decay passed each gradient through `signed` and `decayed`, which gave it back
    unchanged: two Python calls a parameter and step (12 of a replay's 431 at batch 1); now only where one is set."""
    rng = np.random.default_rng(1)
    _, run = _mlp_step()
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
