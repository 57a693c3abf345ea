"""What the tests of autograd.compile's faithfulness share: a scenario run eagerly and compiled,
leniently and strictly, whose compiled numbers must be eager's, bit for bit, whether the step is
replayed or refused (run eagerly with a CompileWarning; a CompileError with strict=True)."""

import contextlib
import logging
import typing
import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from autograd.compile import CompileError, CompileWarning
from autograd.compile_replay import Program
from nn import functional as F


@autograd.unguarded
class Runs:
    """A count of a step's Python runs (recorded or eager: a replay runs none of it), appended to as a list is:
    an unguarded object, which a compiled step may change, where a list its names hold that it appends to runs
    it eagerly (a replay would not append)."""

    def __init__(self):
        self.count = 0

    def append(self, _):
        self.count += 1

    def clear(self):
        self.count = 0

    def __len__(self):
        return self.count


def assert_same(a, b):
    """Equal as eager's numbers must be: arrays bit for bit (dtype and shape too), containers item by item."""
    if isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, np.ndarray | np.generic | Tensor):
        a, b = np.asarray(getattr(a, "data", a)), np.asarray(getattr(b, "data", b))
        assert (a.dtype, a.shape) == (b.dtype, b.shape)
        np.testing.assert_array_equal(a, b)
    else:
        assert type(a) is type(b) and a == b


def count_replays(monkeypatch):
    """A list of the Programs of the replays that ran to the end, from now on: its length is their number."""
    replays, run = [], Program.run

    def counted(self, inputs):
        result = run(self, inputs)
        replays.append(self)
        return result

    monkeypatch.setattr(Program, "run", counted)
    return replays


@contextlib.contextmanager
def recorded_again():
    """The reasons compile logs for each recording beyond a step's two (autograd.compile_confirm.records_again),
    collected while in the block: a test counting replays names the cause of a missing one."""
    reasons, log = [], logging.getLogger("autograd.compile")
    handler, level = logging.Handler(logging.DEBUG), log.level
    handler.emit = lambda record: reasons.append(record.getMessage())
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        yield reasons
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


def check_replayed(scenario, monkeypatch, replays_at_least=1):
    """scenario(compile) gives eager's numbers compiled strictly, with no warning, and replays."""
    eager = scenario(lambda f: f)
    replays = count_replays(monkeypatch)
    with warnings.catch_warnings(), recorded_again() as again:
        warnings.simplefilter("error")
        assert_same(scenario(lambda f: autograd.compile(f, strict=True)), eager)
    assert len(replays) >= replays_at_least, f"{len(replays)} replays; recorded again: {again}"


def check_refused(scenario, why, monkeypatch):
    """scenario(compile) gives eager's numbers compiled leniently, warning `why` (a regex), never
    replaying a call it should not; compiled strictly, it raises CompileError `why`."""
    eager = scenario(lambda f: f)
    replays = count_replays(monkeypatch)
    with pytest.warns(CompileWarning, match=why):
        assert_same(scenario(autograd.compile), eager)
    with pytest.raises(CompileError, match=why):
        scenario(lambda f: autograd.compile(f, strict=True))
    return len(replays)


def check_faithful(scenario, why, monkeypatch):
    """check_replayed where `why` is None, else check_refused: a table of cases, some refused, in one test."""
    if why is None:
        check_replayed(scenario, monkeypatch)
    else:
        check_refused(scenario, why, monkeypatch)


def linear(dtype=np.float64, seed=0, nout=3):
    model = nn.Linear(3, nout, seed=seed, dtype=dtype)
    return model, nn.SGD(model.parameters(), lr=0.1)


# the labels of 4 rows of 3 classes on each of six calls (1 is the ignore_index where a test gives one):
# the first two record, the later ones replay with other labels, some or all of them 1
LABELS = [[0, 2, 0, 2], [2, 0, 2, 0], [1, 0, 2, 1], [1, 1, 1, 1], [0, 2, 2, 0], [2, 1, 0, 0]]


def stepped_on(opt, loss):
    """A training step's end: the gradient of the loss's sum, an SGD step; the loss itself returned."""
    opt.zero_grad()
    loss.sum().backward()
    opt.step()
    return loss


def labelled_steps(loss_of, dtype, scores=lambda out: out, labels=lambda y: y, nout=3):
    """A scenario of six SGD steps of a Linear(3, nout) on `loss_of(scores(outputs), labels)`, one call per
    row of LABELS (made by `labels`): each call's loss and the weights after them."""

    def scenario(compile):
        model, opt = linear(dtype, nout=nout)
        run = compile(lambda x, y: stepped_on(opt, loss_of(scores(model(x)), y)))
        rng = np.random.default_rng(4)
        out = [run(Tensor(rng.standard_normal((4, 3)).astype(dtype)), labels(np.array(y))) for y in LABELS]
        return out, model.W.data, model.b.data

    return scenario


def batches(count, rows=4, seed=1, classes=3):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((rows, 3)), rng.integers(0, classes, rows)) for _ in range(count)]


def sgd_step(model, opt, loss=F.cross_entropy):
    """The plain step: its loss, as t.item()."""
    return training_step(model, opt, lambda model, x, y: loss(model(x), y))


def training_step(model, opt, loss_of):
    """A step whose loss is loss_of(model, x, y) (or of the step's other arguments): its loss, as t.item()."""

    def step(*batch):
        opt.zero_grad()
        value = loss_of(model, *batch)
        value.backward()
        opt.step()
        return value.item()

    return step


class Trained(typing.NamedTuple):
    losses: list
    said: list  # the CompileWarnings' messages
    run: object  # the step as called: compiled or not
    others: list  # the other warnings' messages


def trained(loss_of, data, compiled, model=None, lr=0.1, strict=False):
    """SGD steps (`lr`) of `model` (by default a float64 nn.Linear(3, 3), seed 0) on loss_of(model, *batch), one per
    batch of `data`, eagerly or compiled: the losses, the CompileWarnings said, the step and any other warnings. The
    harness of the tests that compare a compiled step's losses with eager's and read what compile said."""
    model = nn.Linear(3, 3, seed=0, dtype=np.float64) if model is None else model
    step = training_step(model, nn.SGD(model.parameters(), lr=lr), loss_of)
    run = autograd.compile(step, strict=strict) if compiled else step
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        losses = [run(*batch) for batch in data]
    said = [str(w.message) for w in caught if issubclass(w.category, CompileWarning)]
    return Trained(losses, said, run, [str(w.message) for w in caught if not issubclass(w.category, CompileWarning)])


ROWS = np.arange(12.0).reshape(4, 3) / 10  # the batch of the steps that scale a Linear(3, 2)'s outputs


def scaled_step(use=lambda out: out):
    """A scenario's SGD step of a Linear(3, 2) on `use(outputs).sum()`, its loss as t.item(): (the step, the model)."""
    model, opt = linear(nout=2)
    return (lambda x: stepped_on(opt, use(model(Tensor(x))).sum()).item()), model


def run_changing(run, change, x=ROWS, calls=6, after=3, once=True):
    """What `calls` calls of `run(x)` return, with `change(i)` made after call i = `after` (counting from 0: after
    the two recordings and a replay or more), and after each later one too unless `once`."""
    out = []
    for i in range(calls):
        out.append(run(x))
        if i == after or (i > after and not once):
            change(i)
    return out


def weighted_step(factor):
    """A scenario's step of a weight Tensor (three ones) on `(x * w * factor()).sum()`, its loss as t.item(): the
    factor read where the test keeps it (a table's item)."""
    w = Tensor(np.ones(3), requires_grad=True)

    def step(x):
        loss = (Tensor(x) * w * factor()).sum()
        loss.backward()
        return loss.item()

    return step


def run_to_end(threads, seconds):
    """Start `threads` and wait for each at most `seconds`: one still recording would move compile's counts, one
    for the process, under the next tests, so it fails this test instead."""
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds)
    assert not any(t.is_alive() for t in threads), (
        "a recording thread still runs: it would change the next tests' counts"
    )


def relu_runs(compiled, start, x, cases):
    """Per case (entries set in the starting W, b, V), the loss's and the gradients' bytes of relu(x @ W + b) @ V."""
    W, b, V = (Tensor(start[k].copy(), requires_grad=True) for k in ("W", "b", "V"))
    opt = nn.SGD([W, b, V], lr=0.1)

    def step(x):
        loss = ((x @ W + b).relu() @ V).sum()
        opt.zero_grad()
        loss.backward()
        return loss

    run = autograd.compile(step, strict=True) if compiled else step
    got = []
    for case in cases:
        for name, t in (("W", W), ("b", b), ("V", V)):
            data = start[name].copy()
            if name in case:
                data[case[name][0]] = case[name][1]
            t.data = data
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            loss = run(x)
        got.append([np.asarray(loss.data).tobytes()] + [p.grad.tobytes() for p in (W, b, V)])
    return got
