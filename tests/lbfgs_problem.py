"""The problem and closure the tests/test_optim_lbfgs*.py files step nn.LBFGS on, and bit-for-bit snapshots."""

import numpy as np

from autograd import Tensor


def problem(seed=0, dtype=np.float64):
    """A least-squares fit of a 4-3 linear model (W, b) to 12 points: its parameters and loss function."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(12, 4)), rng.normal(size=(12, 3))
    W = Tensor(rng.normal(size=(4, 3)).astype(dtype), requires_grad=True)
    b = Tensor(np.zeros(3, dtype), requires_grad=True)
    X, Y = Tensor(x.astype(dtype)), Tensor(y.astype(dtype))
    return [W, b], lambda: ((X @ W + b - Y) ** 2).mean() + 0.1 * (W**4).sum()


def closure_of(opt, loss_of, spoil=None):
    """PyTorch's closure; `spoil(k, loss)` may replace the loss of the k-th call (from 1)."""
    calls = [0]

    def closure():
        calls[0] += 1
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        return loss if spoil is None else spoil(calls[0], loss)

    closure.calls = calls
    return closure


def snapshot(opt):
    """Copies of the parameters' data and of the state dict, for `same`."""
    return [np.array(p.data) for p in opt.params], {k: np.array(v) for k, v in opt.state_dict().items()}


def same(a, b):
    """Two snapshots equal bit for bit."""
    assert all(np.array_equal(x, y) for x, y in zip(a[0], b[0]))
    assert a[1].keys() == b[1].keys() and all(np.array_equal(a[1][k], b[1][k]) for k in a[1])
