"""multilabel_margin_loss and MultiLabelMarginLoss against torch's: forward and gradients in float64 and
float32, every reduction, rows ended early by -1, a class named twice (counted twice), a row of no targets and
one of all classes, terms met exactly (slope 0, as torch's kernel), one unbatched row; a compiled step replays
on each call's own targets; the mistakes refused (torch's empty batch mean is uninitialised memory)."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import count_replays
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import autograd
import nn
from autograd import Tensor
from nn import functional as ours

RNG = np.random.default_rng(43)
X = RNG.standard_normal((6, 5))
TARGETS = np.array(
    [[3, 0, -1, 1, 2], [1, 1, -1, 4, 4], [-1, 2, 3, 0, 0], [0, 1, 2, 3, 4], [4, -1, -1, 0, 2], [2, 0, 1, 3, -1]]
)
# x[c] - x[i] exactly 1 for target 0 against class 1: a term met exactly
EXACT = np.array([[2.0, 1.0, 0.5, -0.25, 3.0], [0.5, -0.5, 1.5, 0.5, 2.5]])
EXACT_TARGETS = np.array([[0, -1, 0, 0, 0], [0, 3, -1, 0, 0]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    ("x", "t"), [(X, TARGETS), (EXACT, EXACT_TARGETS), (X[0], TARGETS[0])], ids=["rows", "met exactly", "unbatched"]
)
def test_each_is_torch_s(x, t, reduction, dtype):
    check(
        lambda s: ours.multilabel_margin_loss(s, t, reduction=reduction),
        lambda s: F.multilabel_margin_loss(s, torch.from_numpy(t), reduction=reduction),
        [x],
        dtype,
        second=False,  # piecewise linear
    )


def test_the_layer_is_torch_s():
    ours_loss = nn.MultiLabelMarginLoss(reduction="sum")(Tensor(X), TARGETS)
    theirs = torch.nn.MultiLabelMarginLoss(reduction="sum")(torch.from_numpy(X), torch.from_numpy(TARGETS))
    np.testing.assert_allclose(ours_loss.item(), theirs.item(), rtol=1e-14)
    assert "MultiLabelMarginLoss" in nn.__all__ and "multilabel_margin_loss" in ours.__all__


def test_a_compiled_step_replays_on_each_call_s_targets(monkeypatch):
    rng = np.random.default_rng(5)
    data = [(rng.standard_normal((8, 3)), rng.integers(-1, 4, (8, 4))) for _ in range(6)]

    def train(compile):
        model = nn.Linear(3, 4, seed=0, dtype=np.float64)
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            loss = ours.multilabel_margin_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        return [run(Tensor(x), y) for x, y in data], model.W.data.copy()

    eager = train(lambda f: f)
    replays = count_replays(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = train(lambda f: autograd.compile(f, strict=True))
    assert compiled[0] == eager[0] and len(set(eager[0])) == 6
    np.testing.assert_array_equal(compiled[1], eager[1])
    assert len(replays) >= 4
    with pytest.raises(ValueError, match="multilabel_margin_loss: target 5 is no class"):  # a replay checks its own
        compiled_step = autograd.compile(lambda x, y: ours.multilabel_margin_loss(x, y).item())
        for y in (TARGETS, TARGETS, np.where(TARGETS == 4, 5, TARGETS)):
            compiled_step(Tensor(X), y)


def test_the_mistakes_are_refused_naming_the_fix():
    x = Tensor(X)
    with pytest.raises(ValueError, match=r"multilabel_margin_loss: target 5 is no class of scores with 5: give 0 to 4"):
        ours.multilabel_margin_loss(x, np.where(TARGETS == 4, 5, TARGETS))
    with pytest.raises(ValueError, match=r"target -2 is no class"):
        ours.multilabel_margin_loss(x, np.where(TARGETS == 4, -2, TARGETS))
    with pytest.raises(TypeError, match=r"target must be integer class indices .*got float64: convert them"):
        ours.multilabel_margin_loss(x, TARGETS.astype(float))
    # a shape's mistake a ShapeError, as multi_margin_loss's and cross_entropy's (it was a TypeError)
    with pytest.raises(autograd.ShapeError, match=r"target must be of the scores' shape \(6, 5\).*got \(6,\)"):
        ours.multilabel_margin_loss(x, TARGETS[:, 0])
    with pytest.raises(autograd.ShapeError, match=r"scores' shape \(5,\).*got \(1, 5\)"):
        ours.multilabel_margin_loss(Tensor(X[0]), TARGETS[:1])
    with pytest.raises(autograd.ShapeError, match=r"scores must be \(N, C\) rows or one \(C,\) vector"):
        ours.multilabel_margin_loss(Tensor(X.reshape(2, 3, 5)), TARGETS.reshape(2, 3, 5))
    with pytest.raises(ValueError, match=r"no predictions \(a batch of shape \(0, 5\)\)"):
        ours.multilabel_margin_loss(Tensor(np.zeros((0, 5))), np.zeros((0, 5), np.int64))
    with pytest.raises(MemoryError, match=r"arrays of shape \(200, 30000, 30000\).*score fewer rows at once"):
        ours.multilabel_margin_loss(Tensor(np.zeros((200, 30000), np.float32)), np.zeros((200, 30000), np.int64))
