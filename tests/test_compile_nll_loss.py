"""A compiled step replays nn.functional.nll_loss (and nn.NLLLoss) against class indices with every option of
PyTorch's (weight, reduction, ignore_index) and scores of shape (N, C), (C,) and (N, C, d1): autograd's
nll_loss op takes each call's labels, so the replays give eager's numbers bit for bit on later batches whose
labels differ, with some, none or all of them ignored. Before, nll_loss picked its entries with a numpy index
made from the labels, outside the graph, and every such step ran eagerly with a CompileWarning."""

import numpy as np
import pytest
from compile_faithful_cases import LABELS, check_replayed, labelled_steps, linear, stepped_on

import nn
from autograd import Tensor
from autograd.compile_kernels_softmax import NllLoss
from nn import functional as F

WEIGHT = np.array([0.5, 2.0, 1.5])
OPTIONS = {
    "plain": {},
    "weight": {"weight": WEIGHT},
    "a class of weight 0": {"weight": np.array([0.0, 2.0, 1.5]), "ignore_index": 1},
    "weight Tensor": {"weight": Tensor(WEIGHT)},
    "ignored": {"ignore_index": 1},
    "sum": {"reduction": "sum"},
    "none": {"reduction": "none"},
    "ignored, sum, weight": {"ignore_index": 1, "reduction": "sum", "weight": WEIGHT},
    "ignored, none, weight": {"ignore_index": 1, "reduction": "none", "weight": WEIGHT},
}


def _scenario(options, dtype, scores=lambda out: out, labels=lambda y: y, nout=3, axis=1):
    """Six SGD steps on nll_loss of log_softmax (along `axis`) of a Linear's `nout` outputs (reshaped by
    `scores`), the labels of each call made by `labels`: each call's loss and the weights after them."""
    return labelled_steps(lambda s, y: F.nll_loss(s.log_softmax(axis=axis), y, **options), dtype, scores, labels, nout)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_a_compiled_step_replays_nll_loss_with_options_bit_for_bit(options, dtype, monkeypatch):
    check_replayed(_scenario(options, dtype), monkeypatch, replays_at_least=len(LABELS) - 2)


@pytest.mark.parametrize("options", [{}, OPTIONS["ignored, none, weight"], OPTIONS["ignored, sum, weight"]])
def test_scores_of_more_dims_replay_bit_for_bit(options, monkeypatch):
    """Per-pixel scores (batch, classes, d1): the op takes each call's labels (batch, d1) as they are."""
    pixels = lambda y: np.stack([y, y[::-1]], axis=1)  # noqa: E731 (labels (batch, d1))
    scenario = _scenario(options, np.float64, scores=lambda out: out.reshape(4, 3, 2), labels=pixels, nout=6)
    check_replayed(scenario, monkeypatch, replays_at_least=len(LABELS) - 2)


@pytest.mark.parametrize("options", [{}, {"weight": WEIGHT}, {"reduction": "none", "ignore_index": 1}])
def test_one_example_replays_with_its_label_changing(options, monkeypatch):
    """Scores (classes,) of one example and its label of shape (), another on each call: the op takes the
    caller's label itself, so each replay reads its call's (one ignored, with ignore_index 1)."""
    scenario = _scenario(options, np.float64, scores=lambda out: out[0], labels=lambda y: np.array(y[0]), axis=0)
    check_replayed(scenario, monkeypatch, replays_at_least=len(LABELS) - 2)


def test_nn_nll_loss_module_with_options_replays(monkeypatch):
    def scenario(compile):
        model, opt = linear()
        loss_fn = nn.NLLLoss(weight=np.array([1.0, 3.0, 0.5]), ignore_index=1, reduction="sum")
        run = compile(lambda x, y: stepped_on(opt, loss_fn(model(x).log_softmax(axis=1), y)))
        rng = np.random.default_rng(6)
        return [run(Tensor(rng.standard_normal((4, 3))), np.array(y)) for y in LABELS], model.W.data

    check_replayed(scenario, monkeypatch, replays_at_least=len(LABELS) - 2)


def test_the_compiled_kernel_computes_nll_loss(monkeypatch):
    """float32 and float64 replays run the kernel's forward and rule, with the options."""
    calls = []
    forward = NllLoss.forward

    def counted(self, log_probs):
        calls.append(self.options)
        return forward(self, log_probs)

    monkeypatch.setattr(NllLoss, "forward", counted)
    check_replayed(_scenario(OPTIONS["ignored, sum, weight"], np.float32), monkeypatch, replays_at_least=4)
    assert len(calls) == len(LABELS) - 2 and all(set(c) == {"weight", "reduction"} for c in calls)


@pytest.mark.parametrize("scores", [lambda out: out, lambda out: out.reshape(4, 3, 1)], ids=["(N, C)", "(N, C, 1)"])
def test_a_replay_refuses_labels_out_of_range_under_nll_losss_name(scores, monkeypatch):
    """A replay checks the labels it feeds the op (its kernel, or the op's forward for other shapes) as eager
    does, and changes nothing when it refuses them."""
    model, opt = linear()
    axis_labels = (lambda y: y) if scores(np.zeros((4, 3))).ndim == 2 else (lambda y: y[:, None].copy())
    run = _strict(lambda x, y: stepped_on(opt, F.nll_loss(scores(model(x)).log_softmax(axis=1), y)))
    rng = np.random.default_rng(8)
    for y in LABELS[:3]:
        run(Tensor(rng.standard_normal((4, 3))), axis_labels(np.array(y)))
    before = model.W.data.copy()
    with pytest.raises(ValueError, match=r"nll_loss: label 3 .*is not a class"):
        run(Tensor(rng.standard_normal((4, 3))), axis_labels(np.array([0, 3, 1, 2])))
    np.testing.assert_array_equal(model.W.data, before)


def _strict(step):
    import autograd

    return autograd.compile(step, strict=True)
