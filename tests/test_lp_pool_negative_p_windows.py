"""lp_pool at p < 0: one entry far from 1 (1e-200) took every window of the call through the scaled passes; now
only the windows holding it, the others giving bit for bit what they give in a call without it."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor


@pytest.mark.parametrize("p", [-1.0, -2.5])
@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 1)])
def test_windows_without_a_far_entry_take_the_plain_path(p, kernel, stride):
    rng = np.random.default_rng(0)
    x = np.abs(rng.standard_normal((1, 2, 8, 8))) + 0.1
    far = x.copy()
    far[0, 0, 0, 0] = 1e-200

    def run(data):
        t = Tensor(data, requires_grad=True)
        y = F.lp_pool2d(t, p, kernel, stride)
        (y * y).sum().backward()
        return y.data, t.grad

    (plain, plain_grad), (mixed, mixed_grad) = run(x), run(far)
    np.testing.assert_array_equal(mixed[0, 1], plain[0, 1])  # the other channel
    np.testing.assert_array_equal(mixed_grad[0, 1], plain_grad[0, 1])
    np.testing.assert_array_equal(mixed[0, 0, 3:, 3:], plain[0, 0, 3:, 3:])  # windows away from the entry
    np.testing.assert_array_equal(mixed_grad[0, 0, 4:, 4:], plain_grad[0, 0, 4:, 4:])
    np.testing.assert_allclose(mixed[0, 0, 0, 0], (1e-200) * (1 + (x[0, 0, 0, 1] / 1e-200) ** p) ** (1 / p), rtol=1e-15)


@pytest.mark.parametrize("kernel, stride, ceil_mode", [(3, 1, False), (3, 2, True)])
@pytest.mark.parametrize("far", [1e-200, 1e200])
def test_a_compiled_step_replays_as_the_far_entry_moves(kernel, stride, ceil_mode, far, monkeypatch):
    """Strictly compiled SGD steps on lp_pool2d at p = -1.5 of a Linear's |outputs|, a row of the input times `far`
    moving between calls, which changes the windows taken scaled: eager's numbers bit for bit, no error. A replay
    checks the far entries' places: where they are not the recorded ones the call runs eagerly (without that check
    a replay took the recorded windows scaled, 1e200's were other numbers)."""
    from compile_faithful_cases import check_replayed, stepped_on

    import nn

    places = [[0], [0], [0], [21], [21], [0], [7, 35], [0]]  # recorded with one at row 0

    def batch(i, rows):
        x = np.random.default_rng(0).uniform(0.5, 2, (36, 3)) * (1 + 1e-9 * i)  # the windows' scales the same
        x[rows] *= far
        return Tensor(x)

    def scenario(compile):
        model = nn.Linear(3, 1, bias=False, seed=0, dtype=np.float64)
        opt = nn.SGD(model.parameters(), lr=1e-6)

        def step(x):
            out = model(x).abs().reshape(1, 1, 6, 6)
            return stepped_on(opt, F.lp_pool2d(out, -1.5, kernel, stride, ceil_mode).sum()).item()

        run = compile(step)
        return [(run(batch(i, rows)), model.W.data.copy()) for i, rows in enumerate(places)]

    with np.errstate(all="ignore"):
        check_replayed(scenario, monkeypatch, replays_at_least=3)
