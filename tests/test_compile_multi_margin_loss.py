"""A compiled step replays nn.functional.multi_margin_loss (and nn.MultiMarginLoss) with PyTorch's options (p,
margin, weight, reduction) on scores (N, C) and (C,): autograd's multi_margin_loss op takes each call's labels
and reads the weights on each call, so the replays give eager's numbers bit for bit on batches whose labels
differ. Before, the loss picked each row's score and weight with a numpy index made from the labels, outside
the graph, and every such step ran eagerly with a CompileWarning (0 of 6 calls replayed)."""

import numpy as np
import pytest
from compile_faithful_cases import LABELS, check_replayed, labelled_steps, linear, stepped_on

import autograd
import nn
from autograd import Tensor
from autograd.compile_kernels_margins import MultiMargin
from nn import functional as F

WEIGHT = np.array([0.5, 2.0, 1.5])
OPTIONS = {
    "plain": {},
    "p 2, margin 0.5": {"p": 2, "margin": 0.5},
    "weight": {"weight": WEIGHT},
    "weight Tensor": {"weight": Tensor(WEIGHT)},
    "weight list": {"weight": [0.5, 2.0, 1.5]},
    "sum": {"reduction": "sum"},
    "none, p 2, weight": {"reduction": "none", "p": 2, "weight": WEIGHT},
}


def _scenario(options, dtype, scores=lambda out: out, labels=lambda y: y, loss=None):
    """Six SGD steps of a Linear on multi_margin_loss of its outputs (`scores` of them), the labels of each
    call made by `labels`: each call's loss and the weights after them."""
    return labelled_steps(loss or (lambda s, y: F.multi_margin_loss(s, y, **options)), dtype, scores, labels)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_a_compiled_step_replays_multi_margin_loss_bit_for_bit(options, dtype, monkeypatch):
    check_replayed(_scenario(options, dtype), monkeypatch, replays_at_least=len(LABELS) - 2)


@pytest.mark.parametrize("options", [{}, OPTIONS["none, p 2, weight"]])
def test_one_example_replays_with_its_label_changing(options, monkeypatch):
    """Scores (C,) of one example and its label of shape (), another on each call."""
    scenario = _scenario(options, np.float64, scores=lambda out: out[0], labels=lambda y: np.array(y[0]))
    check_replayed(scenario, monkeypatch, replays_at_least=len(LABELS) - 2)


def test_the_module_replays(monkeypatch):
    loss = nn.MultiMarginLoss(p=2, margin=0.75, weight=WEIGHT, reduction="sum")
    check_replayed(_scenario({}, np.float64, loss=loss), monkeypatch, replays_at_least=len(LABELS) - 2)


def test_the_compiled_kernel_computes_the_loss(monkeypatch):
    """float32 and float64 replays run the kernel's forward (and its rule), with the options."""
    calls, forward = [], MultiMargin.forward

    def counted(self, scores):
        calls.append(dict(self.params))
        return forward(self, scores)

    monkeypatch.setattr(MultiMargin, "forward", counted)
    check_replayed(_scenario(OPTIONS["none, p 2, weight"], np.float32), monkeypatch, replays_at_least=4)
    assert len(calls) == len(LABELS) - 2 and all(c["p"] == 2 and c["weight"] is WEIGHT for c in calls)


def test_a_replay_refuses_labels_out_of_range(monkeypatch):
    """A replay checks the labels it feeds the op as eager does, and changes nothing when it refuses them."""
    model, opt = linear()
    run = autograd.compile(lambda x, y: stepped_on(opt, F.multi_margin_loss(model(x), y)), strict=True)
    rng = np.random.default_rng(8)
    for y in LABELS[:3]:
        run(Tensor(rng.standard_normal((4, 3))), np.array(y))
    before = model.W.data.copy()
    with pytest.raises(ValueError, match=r"multi_margin_loss: label 3 is not a class"):
        run(Tensor(rng.standard_normal((4, 3))), np.array([0, 3, 1, 2]))
    np.testing.assert_array_equal(model.W.data, before)


@pytest.mark.parametrize("p", [1, 2])
def test_a_nan_score_makes_its_rows_gradient_nan_as_its_loss(p):
    # the loss of row 0 is NaN (its term max(0, NaN) is NaN), and the gradient at the NaN score and at the label
    # (minus the row's slopes) was 0 and -1/3 (p=1): numbers for a term that has none (PyTorch drops the NaN term
    # from both: loss 0.4167). They are NaN now; the third term, z = 1.2, keeps its slope; row 1 its numbers
    x = autograd.Tensor(np.array([[0.1, np.nan, 0.3], [0.2, 0.5, 0.1]]), requires_grad=True)
    loss = autograd.multi_margin_loss(x, np.array([0, 1]), p=p, reduction="none")
    assert np.isnan(loss.data[0]) and np.isfinite(loss.data[1])
    (gx,) = autograd.gradients(loss.sum(), [x], create_graph=True)
    x.grad = None
    loss.sum().backward()
    for g in (x.grad, gx.data):
        assert np.all(np.isnan(g[0, :2])) and g[0, 2] == (1.2 + 1.2 if p == 2 else 1) / 3
        assert np.all(np.isfinite(g[1]))
