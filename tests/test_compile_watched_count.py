"""The count of kept numbers set in their owners (compile_kept.WATCHED), which every recording raises and lowers, was
updated with `+=` from each thread recording: two threads recording at once could lose one's update (a read, then
the other's update, then the write), leaving the count off for good (here -1 after both ended, where it must be 0):
`fields` then read every object's numbers through the slow path, or, at 0 while numbers were kept, handed a step's
kept number to the caller's list as it was (a KeptInt, not an int). Updated under a lock now."""

import sys
import threading

import numpy as np
from compile_faithful_cases import linear, run_to_end, stepped_on

import autograd
from autograd import Tensor, compile_kept


class Counted:
    """A step keeping a count of its calls (a number a recording watches)."""

    def __init__(self):
        (self.model, self.opt), self.count = linear(nout=2), 0

    def step(self, x):
        self.count += 1
        return stepped_on(self.opt, self.model(Tensor(x)).sum()).item()


class _Paused(int):
    """The count as the recordings read it first: the first `+` waits (up to a bound) until the other thread has
    read it too and written its update, which this write then undoes, as a thread switch between a read and its
    write may have it; or until the other thread waits to update it (at compile_kept.watched's lock, which this one
    holds: it reads the count once this `+` is written)."""

    def __add__(self, other):
        if _READS:  # the second read: written at once
            return int(self) + other
        _READS.append(threading.get_ident())
        for _ in range(200):
            if compile_kept.WATCHED[0] is not self or _other_waits_to_update():
                break
            threading.Event().wait(0.005)
        return int(self) + other


_READS = []  # the thread that read the paused count first


def _other_waits_to_update():
    """Whether another thread stands in compile_kept.watched, where it waits for the lock this one holds."""
    me = threading.get_ident()
    return any(f.f_code.co_name == "watched" for k, f in sys._current_frames().items() if k != me)


def test_two_threads_recording_at_once_leave_the_count_of_watched_numbers_right():
    first, second = Counted(), Counted()
    _READS.clear()
    compile_kept.WATCHED[0] = _Paused(0)
    out = {}

    def run(trainer):
        step = autograd.compile(trainer.step)
        out[trainer] = [step(np.ones((4, 3))) for _ in range(4)]

    threads = [threading.Thread(target=run, args=(t,)) for t in (first, second)]
    run_to_end(threads, 60)
    left, compile_kept.WATCHED[0] = compile_kept.WATCHED[0], 0  # put back for the tests after this one, whatever it was
    assert left == 0
    eager = Counted()
    assert out[first] == out[second] == [eager.step(np.ones((4, 3))) for _ in range(4)]
    assert type(first.count) is type(second.count) is int  # put back plain after each recording
