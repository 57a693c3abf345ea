"""A compiled step replays nn.functional.cross_entropy against class indices with every option of
PyTorch's (weight, label_smoothing, reduction, ignore_index): the fused op takes them and each call's
labels, so the replays give eager's numbers bit for bit on later batches whose labels differ, with
some, none or all of them ignored, without a CompileWarning; its compiled kernel computes them."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed, linear

import nn
from autograd import Tensor
from autograd.compile_kernels_softmax import CrossEntropy
from nn import functional as F

# the labels of 4 rows of 3 classes on each call (1 is the ignore_index where one is given): recorded on
# batches without it, replayed on batches with some, all and none of them
LABELS = [[0, 2, 0, 2], [2, 0, 2, 0], [1, 0, 2, 1], [1, 1, 1, 1], [0, 2, 2, 0], [2, 1, 0, 0]]
OPTIONS = {
    "weight": {"weight": np.array([0.5, 2.0, 1.5])},
    "a class of weight 0": {"weight": np.array([0.0, 2.0, 1.5]), "ignore_index": 1},
    "weight Tensor": {"weight": Tensor(np.array([0.5, 2.0, 1.5]))},
    "smoothing": {"label_smoothing": 0.1},
    "sum": {"reduction": "sum"},
    "none": {"reduction": "none"},
    "ignored, weight, smoothing": {"ignore_index": 1, "weight": np.array([0.5, 2.0, 1.5]), "label_smoothing": 0.2},
    "ignored, sum, smoothing": {"ignore_index": 1, "reduction": "sum", "label_smoothing": 0.2},
    "ignored, none, weight": {"ignore_index": 1, "reduction": "none", "weight": np.array([0.5, 2.0, 1.5])},
}


def _scenario(options, dtype):
    def scenario(compile):
        model, opt = linear(dtype)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y, **options)
            loss.sum().backward()
            opt.step()
            return loss

        run = compile(step)
        rng = np.random.default_rng(4)
        results = [run(Tensor(rng.standard_normal((4, 3)).astype(dtype)), np.array(y)) for y in LABELS]
        return results, model.W.data, model.b.data

    return scenario


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_a_compiled_step_replays_cross_entropy_with_options_bit_for_bit(options, dtype, monkeypatch):
    check_replayed(_scenario(options, dtype), monkeypatch, replays_at_least=len(LABELS) - 2)


def test_the_compiled_kernel_computes_the_options(monkeypatch):
    """float32 and float64 replays run the kernel's forward and rule with the options, not the op's."""
    calls = []
    forward = CrossEntropy.forward

    def counted(self, logits):
        calls.append(self.options)
        return forward(self, logits)

    monkeypatch.setattr(CrossEntropy, "forward", counted)
    options = OPTIONS["ignored, weight, smoothing"]
    check_replayed(_scenario(options, np.float32), monkeypatch, replays_at_least=len(LABELS) - 2)
    assert len(calls) == len(LABELS) - 2 and all(set(c) == {"weight", "label_smoothing"} for c in calls)


def test_a_weight_tensor_of_another_dtype_is_read_in_the_logits_dtype_on_each_replay(monkeypatch):
    """float64 weights beside float32 logits: the op reads them (cast) on each call, so the step replays,
    and a change to them in place is seen as eager sees it."""
    weight = Tensor(np.array([0.5, 2.0, 1.5]))

    def scenario(compile):
        weight.data[:] = [0.5, 2.0, 1.5]
        model, opt = linear(np.float32)
        run = compile(lambda x, y: _sgd(model, opt, F.cross_entropy(model(x), y, weight=weight)))
        rng, out = np.random.default_rng(5), []
        for i, y in enumerate(LABELS):
            weight.data[0] = 0.5 + i  # changed before each call
            out.append(run(Tensor(rng.standard_normal((4, 3)).astype(np.float32)), np.array(y)))
        return out, model.W.data

    check_replayed(scenario, monkeypatch, replays_at_least=len(LABELS) - 2)


def _sgd(model, opt, loss):
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def test_nn_cross_entropy_loss_module_with_options_replays(monkeypatch):
    def scenario(compile):
        model, opt = linear()
        loss_fn = nn.CrossEntropyLoss(weight=np.array([1.0, 3.0, 0.5]), label_smoothing=0.05, ignore_index=1)
        run = compile(lambda x, y: _sgd(model, opt, loss_fn(model(x), y)))
        rng = np.random.default_rng(6)
        return [run(Tensor(rng.standard_normal((4, 3))), np.array(y)) for y in LABELS], model.W.data

    check_replayed(scenario, monkeypatch, replays_at_least=len(LABELS) - 2)


@pytest.mark.parametrize("options", [{}, OPTIONS["ignored, weight, smoothing"], OPTIONS["ignored, none, weight"]])
def test_logits_of_more_dims_replay_bit_for_bit(options, monkeypatch):
    """Per-pixel logits (batch, classes, d1): the op takes each call's labels (batch, d1) as they are."""

    def scenario(compile):
        model, opt = linear(nout=6)
        run = compile(lambda x, y: _sgd(model, opt, F.cross_entropy(model(x).reshape(4, 3, 2), y, **options).sum()))
        rng = np.random.default_rng(7)
        labels = [np.array(y * 2).reshape(2, 4).T for y in LABELS]  # some batches with 1s, one all 1s
        return [run(Tensor(rng.standard_normal((4, 3))), y.copy()) for y in labels], model.W.data

    check_replayed(scenario, monkeypatch, replays_at_least=len(LABELS) - 2)


@pytest.mark.parametrize("options", [{}, OPTIONS["weight"], OPTIONS["ignored, none, weight"], OPTIONS["smoothing"]])
def test_one_example_replays_with_its_label_changing(options, monkeypatch):
    """Logits (classes,) of one example and a label of shape (), another on each call: nn gives the op the
    caller's label itself (PyTorch's unbatched input), so each replay reads its call's. Before, nn made it an
    array of one, which a replay could not feed: the step replayed only while the label stayed the same."""

    def scenario(compile):
        model, opt = linear()
        run = compile(lambda x, y: _sgd(model, opt, F.cross_entropy(model(x)[0], y, **options).sum()))
        rng = np.random.default_rng(9)
        return [run(Tensor(rng.standard_normal((1, 3))), np.array(y[0])) for y in LABELS], model.W.data

    check_replayed(scenario, monkeypatch, replays_at_least=len(LABELS) - 2)
