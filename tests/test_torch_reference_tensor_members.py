"""Tensor's members ported code reaches for, against PyTorch: diff (forward, gradients and second derivatives,
with n, dim, prepend, append; bool and integer tensors), nelement, is_leaf and device."""

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

import nn
from autograd import Tensor


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("n", "dim", "ends"),
    [(1, -1, ""), (2, 0, ""), (1, 1, "p"), (3, 1, "pa"), (2, 0, "a"), (0, 1, ""), (7, 1, "pa"), (9, 0, "")],
)
def test_diff_matches_torch(dtype, n, dim, ends):
    rng = np.random.default_rng(n * 10 + dim)
    x = rng.uniform(-2, 2, (3, 4))
    shape = list(x.shape)
    shape[dim] = 2
    inputs = [x] + [rng.uniform(-2, 2, shape) for _ in ends]

    def call(diff, x, *more):
        given = dict(zip(["prepend", "append"] if ends == "pa" else ["append"] if ends == "a" else ["prepend"], more))
        return diff(x, n=n, dim=dim, **given)

    check(lambda *a: call(Tensor.diff, *a), lambda *a: call(torch.diff, *a), inputs, dtype)


@pytest.mark.parametrize("values", [[True, False, False, True], [3, -1, 4, 1, 5]])
def test_diff_of_bools_and_integers_matches_torch(values):
    for n in (1, 2):
        expected = torch.diff(torch.tensor(values), n=n).numpy()
        got = Tensor(np.array(values)).diff(n=n)
        assert got.dtype == expected.dtype and np.array_equal(got.data, expected)


def test_nelement_is_leaf_device_match_torch():
    a, t = Tensor(np.ones((2, 3)), requires_grad=True), torch.ones((2, 3), requires_grad=True)
    assert a.nelement() == t.nelement() == 6
    for ours, theirs in [
        (a, t),
        (a * 2, t * 2),
        ((a * 2).detach(), (t * 2).detach()),
        (Tensor([1.0]), torch.tensor([1.0])),
        (Tensor([1.0]) * 2, torch.tensor([1.0]) * 2),
        (nn.Linear(2, 3).W, torch.nn.Linear(2, 3).weight),
    ]:
        assert ours.is_leaf == theirs.is_leaf
    assert a.device.type == t.device.type == "cpu" and a.device.index is t.device.index is None
    assert str(a.device) == str(t.device) and repr(a.device) == repr(t.device)
