"""nn's losses against PyTorch where an earlier form of them was silently different: huber_loss and
smooth_l1_loss of an infinite difference (inf - inf made the loss and its gradient NaN)."""

import numpy as np
import pytest

from autograd import Tensor, Value
from nn import functional as F

torch = pytest.importorskip("torch", reason="PyTorch is the reference here: pip install '.[reference]'")

ROBUST = {
    "huber_loss": (F.huber_loss, torch.nn.functional.huber_loss, "delta"),
    "smooth_l1_loss": (F.smooth_l1_loss, torch.nn.functional.smooth_l1_loss, "beta"),
}


@pytest.mark.parametrize("name", sorted(ROBUST))
@pytest.mark.parametrize("limit", [1.0, 0.5])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_robust_losses_of_an_infinite_difference_match_torch(name, limit, dtype):
    """Far out the loss is linear: at |d| = inf it is inf, and its slope ±limit (±1 for smooth_l1)."""
    ours, theirs, option = ROBUST[name]
    pred = np.array([np.inf, -np.inf, 0.25, limit, 3.0], dtype)
    x = Tensor(pred, requires_grad=True)
    loss = ours(x, np.zeros(5, dtype), reduction="none", **{option: limit})
    loss.sum().backward()
    tx = torch.tensor(pred, requires_grad=True)
    expected = theirs(tx, torch.zeros(5, dtype=tx.dtype), reduction="none", **{option: limit})
    expected.sum().backward()
    np.testing.assert_array_equal(loss.data, expected.detach().numpy())
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())


@pytest.mark.parametrize("name", sorted(ROBUST))
def test_robust_losses_of_an_infinite_difference_on_values(name):
    ours, theirs, option = ROBUST[name]
    values = [Value(np.inf), Value(-np.inf), Value(0.25), Value(0.5)]
    loss = ours(values, [0.0] * 4, reduction="sum", **{option: 0.5})
    loss.backward()
    tx = torch.tensor([np.inf, -np.inf, 0.25, 0.5], dtype=torch.float64, requires_grad=True)
    expected = theirs(tx, torch.zeros(4, dtype=torch.float64), reduction="sum", **{option: 0.5})
    expected.backward()
    assert loss.data == expected.item() == np.inf
    assert [v.grad for v in values] == tx.grad.tolist()
