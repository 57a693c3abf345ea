"""autograd.compile and numbers the step reads off its tensors: data made outside the graph from
them (numpy on an input's .data, argmax) is refused, even
where it came out the same on both recorded calls (every |d| below 1, no outlier yet), since the
numbers depend on the parameters and a replay would reuse it; steps that read nothing replay, and so does a
comparison's mask of those numbers (for autograd.where), made again by each replay. Also
the step's names behind a functools.partial and a decorator, and t.item()'s float while recording."""

import functools

import numpy as np
import pytest
from compile_faithful_cases import check_refused, check_replayed, linear, training_step

import autograd
import nn
from autograd import Tensor

WHY = "made data outside the graph after reading numbers of its tensors|took a tensor's numbers into Python"


def _regression(loss_of):
    """Six SGD steps of a linear model on loss_of(model, x, t): two near the targets (recorded),
    then four far from them, with larger inputs."""

    def scenario(compile):
        model, opt = linear(nout=1)
        run, rng = compile(training_step(model, opt, loss_of)), np.random.default_rng(0)
        scales = [(1, 0.1)] * 2 + [(4, 5)] * 4
        return [run(Tensor(rng.standard_normal((4, 3)) * a), rng.standard_normal((4, 1)) * b) for a, b in scales]

    return scenario


def _where_huber(model, x, t):
    d = model(x) - t
    return autograd.where(abs(d) < 1.0, 0.5 * d * d, abs(d) - 0.5).mean()


def _outliers_dropped(model, x, t):
    keep = Tensor((np.abs(x.data).max(axis=1, keepdims=True) < 3).astype(np.float64))
    d = model(x) - t
    return (d * d * keep).mean()


def _argmax_weighted(model, x, t):
    d = model(x) - t
    heaviest = Tensor(np.eye(4)[(d * d).argmax(axis=0)].T)  # the worst row counted twice
    return (d * d * (1 + heaviest)).mean()


@pytest.mark.parametrize(
    ("loss_of", "why"),
    [
        (_outliers_dropped, WHY),  # no outlier in the first two batches
        (_argmax_weighted, "outside the graph|numbers into Python"),  # another row on each call: the tapes differ
    ],
    ids=["numpy", "argmax"],
)
def test_data_made_from_numbers_read_off_the_steps_tensors_is_refused(loss_of, why, monkeypatch):
    assert check_refused(_regression(loss_of), why, monkeypatch) == 0


def test_a_comparisons_mask_of_the_graphs_numbers_is_made_again_by_each_replay(monkeypatch):
    """autograd.where(abs(d) < 1.0, ...): the mask all True on both recorded calls, not on the later ones. It ran
    the step eagerly; each replay now makes it again from that call's d (compile_masks), as eagerly."""
    check_replayed(_regression(_where_huber), monkeypatch, replays_at_least=4)


@pytest.mark.parametrize("function", [False, True], ids=["method", "function"])
@pytest.mark.parametrize("which", ["max", "min"])
def test_max_and_min_along_a_dim_are_refused_as_data_made_from_numbers(which, function, monkeypatch):
    # PyTorch's max(dim) sends the gradient to the entry it picks: the same on both recorded calls,
    # another on the third, which a replay would take at the recorded index. autograd.max(y, dim=0) (torch.max's
    # port) was replayed so: its third call gave 1.0, eager 3.0
    def scenario(compile):
        w = Tensor(np.zeros(3), requires_grad=True)
        opt = nn.SGD([w], lr=0.0)

        def step(x):
            opt.zero_grad()
            y = w + Tensor(x)
            loss = (getattr(autograd, which)(y, dim=0) if function else getattr(y, which)(dim=0))[0]
            loss.backward()
            return loss.item()

        run, sign = compile(step), 1 if which == "max" else -1
        return [run(sign * np.array(x)) for x in ([3.0, 1.0, 2.0], [5.0, 1.0, 2.0], [1.0, 2.0, 3.0])]

    # named: the function that found the index, and what replays instead
    assert check_refused(scenario, rf"{which}\(dim=\) finds where the .* {which}\(axis=d\)", monkeypatch) == 0


def test_a_step_that_reads_no_numbers_replays(monkeypatch):
    def squared(model, x, t):
        d = model(x) - t
        return (0.5 * d * d).mean()  # a constant (0.5) made on every call, but read off nothing

    check_replayed(_regression(squared), monkeypatch, replays_at_least=4)


def _rebinding(wrap):
    """Eight steps through wrap(step), the global optimizer made anew before the sixth."""

    def scenario(compile):
        global OPT
        model, OPT = linear()
        run = compile(wrap(_global_step(model)))
        rng = np.random.default_rng(3)
        losses = []
        for i in range(8):
            if i == 5:
                OPT = autograd_sgd(model, 0.001)
            losses.append(run(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 3, 4)))
        return losses

    return scenario


def autograd_sgd(model, lr):
    import nn

    return nn.SGD(model.parameters(), lr=lr)


def _global_step(model):
    from nn import functional as F

    def step(x, y, scale=1.0):
        OPT.zero_grad()
        loss = F.cross_entropy(model(x), y) * scale
        loss.backward()
        OPT.step()
        return loss.item()

    return step


def _undecorated(f):
    def wrapper(*args):  # no functools.wraps: the step is held in the closure only
        return f(*args)

    return wrapper


@pytest.mark.parametrize(
    "wrap", [functools.partial(functools.partial, scale=1.0), _undecorated], ids=["partial", "decorator"]
)
def test_the_names_of_a_step_behind_a_partial_or_a_decorator_are_checked(wrap, monkeypatch):
    check_replayed(_rebinding(wrap), monkeypatch)


def test_a_read_float_combines_with_float32_as_a_python_float_while_recording():
    """t.item() while recording is a float subclass; numpy would take it as float64, a float as weak."""
    model, opt = linear(dtype=np.float32)
    dtypes = []

    def step(x):
        opt.zero_grad()
        loss = (model(x) ** 2).mean()
        dtypes.append((model(x) / loss.item()).dtype)
        loss.backward()
        opt.step()
        return loss

    run = autograd.compile(step)
    with pytest.warns(autograd.CompileWarning):
        for _ in range(3):
            run(Tensor(np.ones((2, 3), np.float32)))
    assert dtypes == [np.float32] * 3


def test_a_compiled_function_called_by_a_step_being_recorded_runs_eagerly_inside_it(monkeypatch):
    """The inner function's ops are the outer step's: recorded and replayed with it."""

    def scenario(compile):
        model, opt = linear()
        loss_of = compile(lambda x, y: autograd.cross_entropy(model(x), y))

        def step(x, y):
            opt.zero_grad()
            loss = loss_of(x, y)
            loss.backward()
            opt.step()
            return loss.item()

        run, rng = compile(step), np.random.default_rng(4)
        return [run(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 3, 4)) for _ in range(5)]

    check_replayed(scenario, monkeypatch, replays_at_least=3)


def test_a_step_changing_its_input_in_place_runs_as_eagerly_with_a_warning(monkeypatch):
    """Eagerly `x /= 2` and `x[0, 0] = 7` change the caller's tensor (it needs no gradient); while
    recorded the input stands in as one that does, and is changed the same way, the step then
    refused (a replay would not make the change): the same losses, the same inputs afterwards."""

    def scenario(compile):
        model, opt = linear()

        def step(x, y):
            x /= 2.0
            x[0, 0] = 7.0
            opt.zero_grad()
            loss = autograd.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        run, rng, seen = compile(step), np.random.default_rng(5), []
        for _ in range(4):
            x = Tensor(rng.standard_normal((4, 3)))
            seen.append((run(x, np.array([0, 1, 2, 0])), x.data.copy()))
        return seen

    assert check_refused(scenario, "changed outside an nn optimizer", monkeypatch) == 0


@pytest.mark.parametrize(
    "took",
    [lambda x: x.numpy(), lambda x: x.data, lambda x: np.array(x.tolist()), lambda x: np.asarray(x), autograd.raw],
    ids=["numpy", "data", "tolist", "asarray", "raw"],
)
def test_a_branch_on_numbers_the_step_took_into_python_is_never_replayed(took):
    """A branch on an input's numbers taken into Python, the same way on both recorded calls, was replayed
    for a later call where it goes the other way, without a word (README listed it as not detected): the
    step runs eagerly now, with eager's numbers."""
    scales = [0.1, 0.2, 3.0, 0.3]

    def losses(compile):
        model, opt = linear(nout=1)

        def step(x):
            opt.zero_grad()
            loss = (model(x) ** 2).mean()
            if took(x).max() > 1:  # doubled only for the third call's large inputs
                loss = loss + loss
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        return [run(Tensor(np.full((4, 3), s))) for s in scales]

    eager = losses(lambda f: f)
    with pytest.warns(autograd.CompileWarning, match="took a tensor's numbers into Python"):
        assert losses(autograd.compile) == eager


def test_accuracy_or_a_gradient_read_inside_the_step_makes_it_run_eagerly(monkeypatch):
    """F.accuracy gives a Python number of the tensors' numbers, and `p.grad` is an array: a loss weighted
    by the one, or an update skipped on the size of the other, was replayed as recorded where the two
    recorded calls agreed (an accuracy of 0.25 on both; found by an audit)."""

    def scenario_of(body):
        def scenario(compile):
            model, opt = linear()

            def step(x, y):
                opt.zero_grad()
                out = model(x)
                loss = body(model, out, y)
                loss.backward()
                if np.abs(model.W.grad).max() < 1e9 or body is not _skipped:
                    opt.step()
                return loss.item()

            run, rng = compile(step), np.random.default_rng(0)
            labels = [[0, 1, 2, 0], [2, 1, 0, 0], [1, 1, 2, 0], [0, 2, 2, 1], [1, 0, 2, 2], [2, 2, 1, 0]]
            return [run(Tensor(rng.standard_normal((4, 3))), np.array(y)) for y in labels]

        return scenario

    def _weighted(model, out, y):
        return nn.functional.cross_entropy(out, y) * (1.0 + nn.functional.accuracy(out, y))

    def _skipped(model, out, y):
        return nn.functional.cross_entropy(out, y)

    check_refused(scenario_of(_weighted), "accuracy computes a Python number", monkeypatch)
    check_refused(scenario_of(_skipped), r"p\.grad", monkeypatch)
