"""mse_loss's and l1_loss's `weight=` for float16 predictions: the weighted terms, their sum and the weights' sum
are taken in float32 and the loss cast back to float16, as the fused class-weight ops compute float16 scores. In
float16 the weights below 6.1e-5 lost digits or became 0, and the weighted terms underflowed: a mean of 0.39014
for 0.38490, 0 for 0.43719, NaN for 0.54625."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

P = np.array([0.5, 0.25, 0.75, 0.1])
Y = np.array([0.0, 1.0, 0.0, 1.0])
WEIGHTS = {
    "small": 1 / np.array([2e5, 5e5, 1e6, 3e6]),
    "subnormal": np.array([4e-8, 2e-8, 1e-8, 1e-8]),
    "all 1e-8": np.array([1e-8] * 4),
    "1e-6 on large terms": np.array([1e-6, 2e-6, 3e-6, 1e-5]),
}
LOSSES = {"mse_loss": (F.mse_loss, torch.nn.functional.mse_loss), "l1_loss": (F.l1_loss, torch.nn.functional.l1_loss)}


def _kind(w: np.ndarray, kind: str):
    return w if kind == "array" else w.tolist() if kind == "list" else Tensor(w, dtype=np.float32)


@pytest.mark.parametrize("kind", ["array", "list", "float32 Tensor"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("loss", LOSSES)
def test_float16_weighted_losses_are_float64s_rounded(loss, weights, reduction, kind):
    """Loss and gradient are float64's of the same float16 predictions, rounded to float16 (a float32 weight Tensor
    promotes, as PyTorch's: the loss is float32), never 0 or NaN where the exact loss is a normal number."""
    ours, theirs = LOSSES[loss]
    w = WEIGHTS[weights]
    scale = 300.0 if weights.startswith("1e-6") else 1.0  # terms of 1e4: weighted terms of 1e-2, weights subnormal
    p = (P * scale).astype(np.float16)
    x = Tensor(p, dtype=np.float16, requires_grad=True)
    out = ours(x, Y, weight=_kind(w, kind), reduction=reduction)
    out.sum().backward()
    xt = torch.tensor(p.astype(np.float64), requires_grad=True)
    exact = theirs(xt, torch.tensor(Y), weight=torch.tensor(w), reduction=reduction)
    exact.sum().backward()
    dtype = np.float32 if kind == "float32 Tensor" else np.float16
    assert out.dtype == dtype
    # within float16's step (each term is rounded there, and the loss again), a subnormal step below its normals
    np.testing.assert_allclose(out.data, exact.detach().numpy().astype(dtype), rtol=2**-10, atol=2**-24)
    np.testing.assert_allclose(x.grad, xt.grad.numpy().astype(np.float16), rtol=2**-10, atol=2**-24)


@pytest.mark.parametrize("kind", ["array", "list", "float32 Tensor"])
@pytest.mark.parametrize("loss", LOSSES)
def test_a_compiled_float16_step_replays_each_calls_weights(loss, kind, monkeypatch):
    """Six SGD steps of a float16 Linear on a weighted loss, its weights (below 1e-5, new on each call but a list)
    given to the step: compiled strictly, each call's loss and the weights after them are eager's, the step
    replays, and the losses are finite and positive (the arrays' were 0 or NaN)."""
    ours = LOSSES[loss][0]
    rng = np.random.default_rng(5)
    xs = [Tensor(rng.standard_normal((2, 2)), dtype=np.float16) for _ in range(6)]
    y = Y.reshape(2, 2)
    weights = [_kind(rng.uniform(1e-8, 1e-5, (2, 2)), kind) for _ in range(6)]
    if kind == "list":  # a list is the step's constant, pinned to its numbers: one, held, for every call
        weights = [weights[0]] * 6

    def scenario(compile):
        model = nn.Linear(2, 2, seed=0).half()
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(x, w):
            opt.zero_grad()
            out = ours(model(x), y, weight=w)
            out.backward()
            opt.step()
            return out.item()

        run = compile(step)
        return [run(x, w) for x, w in zip(xs, weights)], model.W.data.copy()

    check_replayed(scenario, monkeypatch, replays_at_least=4)
    assert all(np.isfinite(loss) and loss > 0 for loss in scenario(lambda f: f)[0])
