"""The numbers a compiled step keeps (`self.count`), put back as plain numbers once a call is recorded wherever the
step stored them: beside nesting of any depth (lists in lists 1,200 deep were a RecursionError at the recording),
and each recording its own, so that two threads recording at once do not take each other's (one thread's clean-up
made the other's watched count plain while that step ran: its recording failed, AttributeError: 'int' object has
no attribute 'flag')."""

import threading

import numpy as np
import pytest
from compile_faithful_cases import assert_same, check_replayed, linear, run_to_end, stepped_on

import autograd
from autograd import Tensor
from autograd.compile import CompileWarning


@autograd.unguarded
class Log:
    """Where the steps store their counts: an object compile neither guards nor looks into."""

    def __init__(self):
        self.rows = []


class Nesting:
    def __init__(self, depth):
        (self.model, self.opt), self.count, self.depth, self.log = linear(nout=2), 0, depth, Log()

    def step(self, x):
        self.count += 1
        deep = []  # lists in lists, `depth` deep, stored beside the count: the clean-up walks them all
        for _ in range(self.depth):
            deep = [deep]
        self.log.rows.append([self.count, deep])
        return stepped_on(self.opt, self.model(Tensor(x)).sum()).item()


def test_a_count_stored_beside_deep_nesting_is_put_back_plain(monkeypatch):
    """A replay runs none of the step's Python: what the two recorded calls stored is compared (eager stores four)."""

    def scenario(compile):
        trainer = Nesting(1_200)
        run = compile(trainer.step)
        return [run(np.ones((4, 3))) for _ in range(4)], [type(row[0]) for row in trainer.log.rows[:2]]

    check_replayed(scenario, monkeypatch)


class Paired:
    """A step that keeps a count and computes with it, its first call held until the other thread's first
    recorded call has ended (`until`), after it signalled that it runs (`started`)."""

    def __init__(self, started, until):
        (self.model, self.opt), self.count, self.sync = linear(nout=2), 0, Log()
        self.sync.rows = [started, until]

    def step(self, x):
        self.count += 1
        started, until = self.sync.rows
        started.set()
        until.wait(10)
        return stepped_on(self.opt, self.model(Tensor(x)).sum() * self.count).item()


def test_two_threads_recording_at_once_each_put_back_their_own_numbers():
    """Both steps compute with their counts, so both run eagerly: the second's use of its count is seen though the
    first thread's recorded call ends while the second's runs (`first_done`)."""

    def scenario(compile):
        second_runs, first_done = threading.Event(), threading.Event()
        first, second = Paired(threading.Event(), second_runs), Paired(second_runs, first_done)
        out = {}

        def run(trainer, done):
            step = compile(trainer.step)
            out[trainer] = [step(np.ones((4, 3)))]
            done.set()
            out[trainer] += [step(np.ones((4, 3))) for _ in range(3)]

        threads = [
            threading.Thread(target=run, args=(t, e)) for t, e in ((first, first_done), (second, threading.Event()))
        ]
        run_to_end(threads, 30)
        return out[first], out[second], first.count, second.count

    eager = scenario(lambda f: f)
    with pytest.warns(CompileWarning, match="Paired.count"):
        assert_same(scenario(autograd.compile), eager)
