"""autograd.compile against what the recordings took as given, which a replay checks before it
runs: the objects the step's global names and closure cells hold (an optimizer or a model made
anew), which inputs are the same array, its parameters' shapes and dtypes, and the inputs that data
made outside the graph may depend on. A change records again, or the step runs eagerly; the
numbers are always eager's."""

import functools

import numpy as np
from compile_faithful_cases import Runs, batches, check_refused, check_replayed, count_replays, linear, sgd_step

import autograd
import nn
from autograd import Tensor
from nn import functional as F

OPT = None  # rebound by the tests: a step reads these globals
MODEL = None
SCALE = 1.0
CALLS = 0


def test_a_global_optimizer_made_anew_is_the_one_replays_call(monkeypatch):
    def scenario(compile):
        global OPT, MODEL
        MODEL, OPT = linear()

        def step(x, y):
            OPT.zero_grad()
            loss = F.cross_entropy(MODEL(x), y)
            loss.backward()
            OPT.step()
            return loss.item()

        run = compile(step)
        out = []
        for i, (x, y) in enumerate(batches(8)):
            if i == 4:
                OPT = nn.SGD(MODEL.parameters(), lr=0.001)  # a second phase, a smaller learning rate
            out.append(run(Tensor(x), y))
        return out, MODEL.W.data.copy()

    check_replayed(scenario, monkeypatch, replays_at_least=4)


def test_a_global_model_made_anew_is_the_one_replays_read(monkeypatch):
    def scenario(compile):
        global MODEL
        MODEL = nn.Linear(3, 3, seed=0, dtype=np.float64)
        run = compile(lambda x, y: F.cross_entropy(MODEL(x), y).item())
        return [run(Tensor(x), y) for i, (x, y) in enumerate(batches(6)) if i != 3 or _rebind_model()]

    check_replayed(scenario, monkeypatch, replays_at_least=2)


def _rebind_model():
    global MODEL
    MODEL = nn.Linear(3, 3, seed=7, dtype=np.float64)
    return True


def test_an_optimizer_rebound_in_the_enclosing_function_is_the_one_replays_call(monkeypatch):
    def scenario(compile):
        model, opt = linear()

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        out = []
        for i, (x, y) in enumerate(batches(8)):
            if i == 4:
                opt = nn.Adam(model.parameters(), lr=0.01)  # the closure cell now holds another optimizer
            out.append(run(Tensor(x), y))
        return out, model.W.data.copy()

    check_replayed(scenario, monkeypatch, replays_at_least=4)


def test_a_global_number_rebound_between_calls_is_the_one_replays_use(monkeypatch):
    def scenario(compile):
        global SCALE
        SCALE = 1.0
        model, opt = linear()

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y) * SCALE  # read by the step itself (not by a function it calls)
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        out = []
        for i, (x, y) in enumerate(batches(8)):
            if i == 4:
                SCALE = 3.0  # a loss weight annealed between calls
            out.append(run(Tensor(x), y))
        return out, model.W.data.copy()

    check_replayed(scenario, monkeypatch, replays_at_least=4)


def test_the_globals_of_a_wrapped_step_are_checked_too(monkeypatch):
    def logged(f):
        @functools.wraps(f)
        def wrapper(*args):
            return f(*args)

        return wrapper

    def scenario(compile):
        global OPT, MODEL
        MODEL, OPT = linear()

        @logged
        def step(x, y):
            OPT.zero_grad()
            loss = F.cross_entropy(MODEL(x), y)
            loss.backward()
            OPT.step()
            return loss.item()

        run = compile(step)
        out = []
        for i, (x, y) in enumerate(batches(8)):
            if i == 4:
                OPT = nn.SGD(MODEL.parameters(), lr=0.001)
            out.append(run(Tensor(x), y))
        return out

    check_replayed(scenario, monkeypatch, replays_at_least=4)


def test_a_step_that_assigns_a_global_or_nonlocal_name_runs_eagerly(monkeypatch):
    def counting_global(compile):
        global CALLS
        CALLS = 0
        model, opt = linear()
        plain = sgd_step(model, opt)

        def step(x, y):
            global CALLS
            CALLS += 1
            return plain(x, y)

        run = compile(step)
        return [run(Tensor(x), y) for x, y in batches(5)], CALLS

    assert check_refused(counting_global, "assigns the global or nonlocal name 'CALLS'", monkeypatch) == 0

    def counting_nonlocal(compile):
        model, opt = linear()
        plain, calls = sgd_step(model, opt), 0

        def step(x, y):
            nonlocal calls
            calls += 1
            return plain(x, y)

        run = compile(step)
        return [run(Tensor(x), y) for x, y in batches(5)], calls

    assert check_refused(counting_nonlocal, "assigns the global or nonlocal name 'calls'", monkeypatch) == 0


def test_inputs_that_are_the_same_array_record_a_tape_of_their_own(monkeypatch):
    def scenario(compile):
        model, opt = linear()

        def step(x, target):
            opt.zero_grad()
            loss = ((model(Tensor(x)) - target) ** 2).mean()
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        xs = [x for x, _ in batches(9)]
        shared = [run(x, x) for x in xs[:3]]
        apart = [run(x, np.zeros_like(x)) for x in xs[3:6]]
        return shared, apart, [run(x, x) for x in xs[6:]], model.W.data.copy()

    check_replayed(scenario, monkeypatch, replays_at_least=3)


def test_a_parameter_given_data_of_another_dtype_or_shape_records_again(monkeypatch):
    def new_dtype(compile):
        model = nn.Linear(3, 3, seed=0)  # float32
        opt = nn.SGD(model.parameters(), lr=0.1)
        run = compile(sgd_step(model, opt))
        out = []
        for i, (x, y) in enumerate(batches(7)):
            if i == 3:
                for p in model.parameters():
                    p.data = p.data.astype(np.float64)
            out.append(run(Tensor(x.astype(np.float32)), y))
        return out, model.W.data.copy()

    check_replayed(new_dtype, monkeypatch, replays_at_least=2)

    def new_shape(compile):
        model, opt = linear()
        run = compile(sgd_step(model, opt))
        out = []
        for i, (x, y) in enumerate(batches(7)):
            if i == 3:  # four classes from now on
                model.W.data, model.b.data = np.ones((3, 4)), np.zeros(4)
            out.append(run(Tensor(x), y))
        return out, model.W.data.copy()

    check_replayed(new_shape, monkeypatch, replays_at_least=2)

    def reshaped_in_place(compile):
        model, opt = linear()
        run = compile(sgd_step(model, opt))
        out = []
        for i, (x, y) in enumerate(batches(7)):
            if i == 3:
                model.b.data.shape = (1, 3)  # the same array, another shape: the replay's arrays would differ
            out.append(run(Tensor(x), y))
        return out, model.b.grad.copy()

    check_replayed(reshaped_in_place, monkeypatch, replays_at_least=2)


SORTED_LABELS = [[0, 0, 0, 0]] * 4 + [[1, 1, 1, 1]] * 4 + [[2, 2, 2, 2]] * 4  # a dataset stored class by class

BUILT_FROM_LABELS = {  # each builds an array from the labels with numpy, outside the graph
    "one-hot by np.eye and y": lambda out, y: -(out.log_softmax(axis=1) * np.eye(3)[y]).sum(axis=1).mean(),
    "picked by np.arange and y": lambda out, y: -out.log_softmax(axis=1)[np.arange(len(y)), y].mean(),
}


def test_data_built_from_labels_equal_on_both_recordings_is_not_replayed_for_other_labels(monkeypatch):
    for loss in BUILT_FROM_LABELS.values():

        def scenario(compile, loss=loss):
            model, opt = linear()
            run = compile(sgd_step(model, opt, loss))
            rng = np.random.default_rng(0)  # new inputs on every call, the labels equal for four
            return [run(Tensor(rng.standard_normal((4, 3))), np.array(y)) for y in SORTED_LABELS], model.W.data

        check_replayed(scenario, monkeypatch, replays_at_least=6)  # two of each four calls


CHANGING_LABELS = [[0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 0, 2], [1, 0, 2, 2], [2, 1, 0, 0], [0, 1, 1, 2]]


def _changing_labels(loss, labels=CHANGING_LABELS):
    def scenario(compile):
        model, opt = linear()
        run = compile(sgd_step(model, opt, loss))
        return [run(Tensor(x), np.array(y)) for (x, _), y in zip(batches(6), labels)], model.W.data

    return scenario


def test_data_built_from_labels_that_change_on_every_call_runs_eagerly(monkeypatch):
    check_refused(_changing_labels(BUILT_FROM_LABELS["one-hot by np.eye and y"]), "changed from", monkeypatch)


def test_labels_themselves_in_an_index_with_np_arange_replay_with_each_calls_labels(monkeypatch):
    """`out[np.arange(n), y]`: y, the input itself, in the index tuple was taken for data made outside the graph
    (a view `y[:2]` there replayed), and the step ran eagerly; a replay gives the index each call's labels now.
    (Equal on both recorded calls, as CHANGING_LABELS' first two, the replays are pinned to them, as for `y[:2]`:
    the rows beside y are made anew on each call, from y's length or from its numbers, which compile cannot tell.)"""
    labels = CHANGING_LABELS[1:] + [[2, 0, 0, 1]]
    picked = BUILT_FROM_LABELS["picked by np.arange and y"]
    check_replayed(_changing_labels(picked, labels), monkeypatch, replays_at_least=4)


def test_a_pinned_step_replays_while_the_pinned_input_stays_the_same(monkeypatch):
    model, opt = linear()
    calls = Runs()

    def loss(out, y):
        calls.append(1)
        return BUILT_FROM_LABELS["picked by np.arange and y"](out, y)

    run = autograd.compile(sgd_step(model, opt, loss), strict=True)
    replays = count_replays(monkeypatch)
    y = np.array([2, 2, 2, 2])
    for x, _ in batches(6):
        run(Tensor(x), y)
    assert len(calls) == 2 and len(replays) == 4  # two recordings; x changes, y is the same
    run(Tensor(x), np.array([1, 1, 1, 1]))
    assert len(calls) == 3 and len(replays) == 4  # other labels: recorded again
