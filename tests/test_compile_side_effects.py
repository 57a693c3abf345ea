"""autograd.compile on steps that do what a replay would not do again: return numbers computed in
Python, branch on a t.item() they return, change tensors' data outside an optimizer (an EMA,
BatchNorm's running statistics), seed the default generator, compute from a parameter's .data.
Each runs eagerly with a CompileWarning naming the cause (a CompileError with strict=True), with
eager's numbers; what a replay does give back (t.item() of any tensor of the step, a constant) replays."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import batches, check_refused, check_replayed, linear, sgd_step

import autograd
import nn
from autograd import CompileWarning, Tensor
from nn import functional as F


def returning(make_result):
    """A scenario whose step returns make_result(loss, out, y)."""

    def scenario(compile):
        model, opt = linear()

        def step(x, y):
            opt.zero_grad()
            out = model(x)
            loss = F.cross_entropy(out, y)
            loss.backward()
            opt.step()
            return make_result(loss, out, y)

        run = compile(step)
        ys = [[1, 0, 2, 2], [1, 1, 0, 2], [2, 0, 1, 1], [1, 1, 0, 0], [0, 1, 2, 2], [1, 2, 0, 0]]
        return [run(Tensor(x), np.array(y)) for (x, _), y in zip(batches(6), ys)]

    return scenario


@pytest.mark.parametrize(
    "make_result",
    [
        lambda loss, out, y: F.accuracy(out, y),  # a float computed with numpy
        lambda loss, out, y: int((out.data.argmax(axis=1) == y).sum()),  # a small int: the same object when equal
        lambda loss, out, y: (loss.item(), out.data.argmax(axis=1)),  # an array made anew
        lambda loss, out, y: loss.item() * 2,  # arithmetic on a read
    ],
    ids=["accuracy", "count", "array", "arithmetic"],
)
def test_a_returned_value_computed_in_python_makes_the_step_run_eagerly(make_result, monkeypatch):
    why = "returned a|returns is not made the same way|took a tensor's numbers into Python|accuracy computes"
    assert check_refused(returning(make_result), why, monkeypatch) == 0


@pytest.mark.parametrize(
    "make_result",
    [
        lambda loss, out, y: (loss.item(), None, "loss"),  # constants: the same objects on every call
        lambda loss, out, y: (out * out).mean().item(),  # t.item() of a tensor the step computed, not returned
        lambda loss, out, y: {"loss": loss, "score": out.max().item()},
    ],
    ids=["constants", "item of a tensor not returned", "dict"],
)
def test_tensors_reads_and_constants_returned_replay(make_result, monkeypatch):
    check_replayed(returning(make_result), monkeypatch, replays_at_least=4)


def test_a_returned_item_the_step_also_branched_on_makes_it_run_eagerly(monkeypatch):
    def branching(compare):
        def scenario(compile):
            model, opt = linear()

            def step(x, y):
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                v = loss.item()
                if compare(v):
                    loss = loss * 0  # skip hard batches
                loss.backward()
                opt.step()
                return v

            run = compile(step)
            ys = [[0, 1, 0, 1], [0, 1, 0, 1], [2, 2, 2, 2], [2, 2, 2, 2], [0, 1, 0, 1], [1, 2, 1, 2]]
            return [run(Tensor(x), np.array(y)) for (x, _), y in zip(batches(6), ys)], model.W.data

        return scenario

    for compare in (lambda v: v > 1.0, lambda v: 2 * v - 1 > 1.0, lambda v: bool(v - 1.2), lambda v: round(v) > 0):
        check_refused(branching(compare), "compared t.item", monkeypatch)


def test_a_result_read_while_recording_comes_back_a_plain_float():
    model, opt = linear()
    run = autograd.compile(sgd_step(model, opt), strict=True)
    results = [run(Tensor(x), y) for x, y in batches(4)]
    assert [type(v) for v in results] == [float] * 4


def test_an_ema_of_the_parameters_changed_in_the_step_makes_it_run_eagerly(monkeypatch):
    def scenario(compile):
        model, opt = linear()
        ema, _ = linear(seed=5)
        plain = sgd_step(model, opt)

        def step(x, y):
            loss = plain(x, y)
            with autograd.no_grad():
                ema.W.data = 0.9 * ema.W.data + 0.1 * model.W.detach().numpy()
                ema.b *= 0.9  # in place, under no_grad
            return loss

        run = compile(step)
        return [run(Tensor(x), y) for x, y in batches(6)], ema.W.data, ema.b.data

    assert check_refused(scenario, "data was changed outside an nn optimizer", monkeypatch) == 0


def test_an_ema_in_a_replayed_method_replays():
    class EMA:
        def __init__(self, source, target):
            self.pairs = list(zip(source.parameters(), target.parameters()))

        @autograd.replayed
        def update(self):
            for p, q in self.pairs:
                q.data = 0.9 * q.data + 0.1 * p.data

    def scenario(compile):
        model, opt = linear()
        ema_model, _ = linear(seed=5)
        ema, plain = EMA(model, ema_model), sgd_step(model, opt)

        def step(x, y):
            loss = plain(x, y)
            ema.update()
            return loss

        run = compile(step)
        return [run(Tensor(x), y) for x, y in batches(6)], ema_model.W.data.copy()

    eager = scenario(lambda f: f)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = scenario(lambda f: autograd.compile(f, strict=True))
    assert compiled[0] == eager[0]
    np.testing.assert_array_equal(compiled[1], eager[1])


def test_batchnorm_in_training_makes_the_step_run_eagerly(monkeypatch):
    def scenario(compile):
        model = nn.Sequential(
            nn.Linear(3, 4, seed=0, dtype=np.float64),
            nn.BatchNorm1d(4, dtype=np.float64),
            nn.Linear(4, 3, seed=1, dtype=np.float64),
        )
        run = compile(sgd_step(model, nn.SGD(model.parameters(), lr=0.1)))
        losses = [run(Tensor(x), y) for x, y in batches(6)]
        norm = model.layers[1]
        return losses, norm.running_mean, norm.running_var, norm.num_batches_tracked

    assert check_refused(scenario, "BatchNorm's running statistics", monkeypatch) == 0


def test_batchnorm_in_eval_replays(monkeypatch):
    def scenario(compile):
        norm = nn.BatchNorm1d(4, dtype=np.float64)
        norm.running_mean[...], norm.running_var[...] = [0.5, -1, 0, 2], [1, 2, 3, 4]
        model = nn.Sequential(
            nn.Linear(3, 4, seed=0, dtype=np.float64), norm, nn.Linear(4, 3, seed=1, dtype=np.float64)
        )
        model.eval()
        run = compile(sgd_step(model, nn.SGD(model.parameters(), lr=0.1)))
        return [run(Tensor(x), y) for x, y in batches(6)], norm.running_mean

    check_replayed(scenario, monkeypatch, replays_at_least=4)


def test_fit_with_compile_still_trains_batchnorm_eagerly_with_a_warning():
    X, y = nn.data.spirals(60, n_classes=3, seed=0)

    def fit(compiled):
        model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3, seed=1))
        history = nn.fit(
            model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, batch_size=20,
            verbose=False, compile=compiled,
        )  # fmt: skip
        return history.loss, model.layers[1].running_mean

    eager = fit(False)
    with pytest.warns(CompileWarning, match="buffers"):
        compiled = fit(True)
    assert compiled[0] == eager[0]
    np.testing.assert_array_equal(compiled[1], eager[1])


def test_manual_seed_inside_the_step_makes_it_run_eagerly(monkeypatch):
    def scenario(compile):
        model = nn.Sequential(
            nn.Linear(3, 8, seed=0, dtype=np.float64), nn.Dropout(0.5), nn.Linear(8, 3, seed=1, dtype=np.float64)
        )
        plain = sgd_step(model, nn.SGD(model.parameters(), lr=0.1))

        def step(x, y):
            autograd.manual_seed(0)  # the same masks on every step
            return plain(x, y)

        run = compile(step)
        return [run(Tensor(x), y) for x, y in batches(6)], model.layers[0].W.data

    assert check_refused(scenario, "manual_seed was called inside the step", monkeypatch) == 0


def test_data_computed_from_a_parameters_data_makes_the_step_run_eagerly(monkeypatch):
    def scenario(compile):
        model, opt = linear()

        def step(x, y):
            opt.zero_grad()
            mask = np.abs(model.W.data) > 0.5  # magnitude pruning, recomputed from the weights each step
            loss = F.cross_entropy(x @ (model.W * mask) + model.b, y)
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        rng = np.random.default_rng(0)
        return [run(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 3, 4)) for _ in range(8)], model.W.data

    assert check_refused(scenario, r"read a parameter's \.data", monkeypatch) == 0


def test_a_step_training_values_runs_eagerly(monkeypatch):
    # compile replays the Tensor engine only: replayed, the Values' parameters stopped training after the
    # second call (1.4, 1.48, 1.48, ...), without a word
    def scenario(compile):
        model = nn.MLP(2, [3, 1], seed=0)
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step():
            opt.zero_grad()
            loss = (model([1.0, 2.0]) - 1.0) ** 2
            loss.backward()
            opt.step()

        run = compile(step)
        for _ in range(5):
            run()
        return [p.data for p in model.parameters()]

    assert check_refused(scenario, "ran backward through Values", monkeypatch) == 0
