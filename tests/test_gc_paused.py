"""gc_paused: backward passes and fit's steps pause the cyclic garbage collector, and leave the
caller's setting as they found it (on or off, nested or not, after an error)."""

import gc

import numpy as np
import pytest

import nn
from autograd import Op, Tensor, Value, gc_paused


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_as_found_after(collector_on):
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block found it off: it leaves it off
    assert gc.isenabled()
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()  # a caller who turned it off keeps it off


def test_an_error_inside_restores_the_setting(collector_on):
    with pytest.raises(ZeroDivisionError), gc_paused():
        raise ZeroDivisionError
    assert gc.isenabled()


def test_backward_runs_with_the_collector_paused_and_restores_it(collector_on):
    seen = []
    x = Value(2.0)
    y = x * x

    def spy(g, out, a):  # a derivative rule that records the collector's state while backward runs
        seen.append(gc.isenabled())
        return (g * 2 * a,)

    (Op("square", lambda a: a * a, spy)(y)).backward()
    assert seen == [False] and gc.isenabled() and x.grad == 32.0


def test_fit_restores_the_setting(collector_on):
    X, y = nn.data.moons(32, seed=0)
    model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.ReLU(), nn.Linear(4, 2, seed=1))
    nn.fit(model, nn.functional.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (X, y), epochs=1)
    assert gc.isenabled()
    assert isinstance(model(Tensor(X.astype(np.float64))), Tensor)


def test_pauses_in_two_threads_at_once_restore_the_collector(collector_on):
    import sys
    import threading

    def pauses():
        for _ in range(2000):
            with gc_paused():
                pass

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # interleave the threads as much as possible
    try:
        for _ in range(100):  # the old pause left it off within 100 rounds, about one run in two
            threads = [threading.Thread(target=pauses) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert gc.isenabled()
    finally:
        sys.setswitchinterval(interval)
