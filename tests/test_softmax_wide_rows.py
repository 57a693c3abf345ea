"""Rows of logits wider than the float range (1e308 beside -1e308): x - max overflows to -inf, which is the
difference rounded, and its exponential, 0, exact. The softmax family gives PyTorch's numbers there without a
RuntimeWarning, eagerly and in a compiled step's cross-entropy kernel."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import Runs

import autograd
import nn
from autograd import Tensor, cross_entropy

torch = pytest.importorskip("torch")

ROWS = [[1e308, -1e308, 0.0], [-1.7e308, 1.7e308], [1e308, -1.7e308, -1e308]]
OPS = {
    "softmax": (lambda t: t.softmax(-1), lambda t: t.softmax(-1)),
    "log_softmax": (lambda t: t.log_softmax(-1), lambda t: t.log_softmax(-1)),
    "logsumexp": (lambda t: t.logsumexp(-1), lambda t: t.logsumexp(-1)),
    "cross_entropy": (
        lambda t: cross_entropy(t, np.array([1])),
        lambda t: torch.nn.functional.cross_entropy(t, torch.tensor([1])),
    ),
}


@pytest.mark.parametrize("row", ROWS)
@pytest.mark.parametrize("name", OPS)
def test_a_row_wider_than_the_float_range_gives_pytorchs_numbers_quietly(name, row):
    ours, theirs = OPS[name]
    x = Tensor(np.array([row]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ours(x)
        out.sum().backward()
    tx = torch.tensor([row], dtype=torch.float64, requires_grad=True)
    expected = theirs(tx)
    expected.sum().backward()
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())


def test_a_compiled_cross_entropy_of_wide_rows_is_quiet_and_as_eager():
    model = nn.Linear(3, 3, seed=0, dtype=np.float64)
    model.W.data[...] = np.eye(3)
    model.b.data[...] = 0

    calls = Runs()

    def step(x):
        calls.append(x)  # runs when recorded or eager, not when replayed
        model.zero_grad()
        loss = cross_entropy(model(x), np.array([1]))
        loss.backward()
        return loss.item()

    run = autograd.compile(step, strict=True)
    rows = [[1.0, 2.0, 3.0], *[r for r in ROWS if len(r) == 3], [1e308, -1e308, 0.0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for row in rows:
            x = Tensor(np.array([row]))
            got = run(x), model.W.grad.copy()
            expected = step(x), model.W.grad.copy()
            assert got[0] == expected[0]
            np.testing.assert_array_equal(got[1], expected[1])
    assert len(calls) - len(rows) <= 2  # recorded on the first two calls, replayed since
