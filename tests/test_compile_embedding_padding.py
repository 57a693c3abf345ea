"""nn.Embedding with padding_idx under autograd.compile: it replays each call's indices with eager's numbers,
bit for bit, and the padding row takes no gradient. Before, it read the table's .data in Python and masked the
rows' gradient with numpy on the indices, so the step ran eagerly on every call with a CompileWarning."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed

import autograd
import nn
from nn import functional as F

_RNG = np.random.default_rng(7)
CALLS = 8
# every batch uses the padding row (0, and 9 counted as -1) and others, differently on each call
INDICES = [np.concatenate([[0, 9, 0], _RNG.integers(0, 10, 9)]).reshape(4, 3) for _ in range(CALLS)]
LABELS = [_RNG.integers(0, 4, 4) for _ in range(CALLS)]


class _Tagger(nn.Module):
    def __init__(self, padding_idx: int) -> None:
        self.embedding = nn.Embedding(10, 5, padding_idx, seed=0)
        self.linear = nn.Linear(15, 4, seed=1)

    def forward(self, indices):
        rows = self.embedding(indices)
        return self.linear(rows.reshape(rows.shape[0], -1))


def _trained(compile, padding_idx, change=lambda model: None):
    """Eight SGD steps, `change` made before the fifth: each call's loss and every parameter after it."""
    model = _Tagger(padding_idx)
    opt = nn.SGD(model.parameters(), lr=0.5)

    def step(indices, labels):
        opt.zero_grad()
        loss = F.cross_entropy(model(indices), labels)
        loss.backward()
        opt.step()
        return loss.item()

    run, out = compile(step), []
    for i, (indices, labels) in enumerate(zip(INDICES, LABELS)):
        if i == CALLS // 2:
            change(model)
        out.append((run(indices, labels), [p.data.copy() for p in model.parameters()]))
    return out


@pytest.mark.parametrize("padding_idx", [0, -1])
def test_an_embedding_with_padding_replays_each_calls_indices(padding_idx, monkeypatch):
    check_replayed(lambda compile: _trained(compile, padding_idx), monkeypatch, replays_at_least=4)


def test_padding_idx_changed_between_calls_records_again(monkeypatch):
    def scenario(compile):
        return _trained(compile, 0, change=lambda model: setattr(model.embedding, "padding_idx", 3))

    check_replayed(scenario, monkeypatch, replays_at_least=4)


def test_the_padding_row_gets_no_gradient_and_its_vector_is_looked_up():
    """PyTorch's semantics: the padding row's gradient is 0 (even from an infinite one); the others are
    the sums of their uses'; the padding positions give the padding row's vector."""
    emb = nn.Embedding(6, 3, padding_idx=2, seed=0)
    emb.weight.data[2] = [1.0, -2.0, 3.0]  # set later: looked up as it is
    indices = np.array([2, 0, 2, 5, 0])
    upstream = np.arange(15, dtype=np.float32).reshape(5, 3)
    upstream[0, 0] = np.inf  # at a padding position
    rows = emb(indices)
    (rows * autograd.Tensor(upstream)).sum().backward()
    expected = np.zeros((6, 3), np.float32)
    np.add.at(expected, indices, upstream)
    expected[2] = 0.0
    np.testing.assert_array_equal(emb.weight.grad, expected)
    np.testing.assert_array_equal(rows.data[[0, 2]], [[1.0, -2.0, 3.0]] * 2)
