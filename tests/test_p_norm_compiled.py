"""A compiled training step through the p-norm distances for a p other than 1, 2 and inf (`nn.p_norm_rows.row_p_norm`)
replays, with eager's numbers, as its rows move between the paths _p_norm takes."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed, stepped_on

import nn
import nn.functional as F
from autograd import Tensor


@pytest.mark.parametrize("p", [0.3, 0.5, 0.9, 3.0])
def test_a_compiled_step_replays_as_eager(p, monkeypatch):
    """Seven SGD steps on pairwise_distance and cdist of a float64 Linear's outputs, compiled strictly: eager's
    numbers bit for bit, and the step replays, while the rows move between the paths (a row of zeros, rows of
    1e290 that p < 1 scales by their largest difference, rows of 1e-300 and 1e300). The largest difference and
    the masks were taken with detach(), whose numbers a replay cannot make again: every step with a p other than
    1, 2 or inf ran eagerly (strict: CompileError)."""
    sizes = [1.0, 1.0, 1e290, 1e-300, 1.0, 1e300, 1e-5]
    rng = np.random.default_rng(3)
    xs = [rng.standard_normal((4, 3)) * size for size in sizes]
    xs[0][1] = xs[4][1] = 0.0
    xs = [Tensor(x) for x in xs]
    ys = [rng.standard_normal((4, 3)) for _ in sizes]

    def scenario(compile):
        model = nn.Linear(3, 3, seed=0, dtype=np.float64)
        opt = nn.SGD(model.parameters(), lr=1e-300)

        def step(x, y):
            out = model(x)
            loss = F.pairwise_distance(out, y, p, eps=0.0).sum() + F.cdist(out, x, p).sum()
            return stepped_on(opt, loss).item()

        run = compile(step)
        return [(run(x, y), model.W.data.copy()) for x, y in zip(xs, ys)]

    check_replayed(scenario, monkeypatch, replays_at_least=4)
