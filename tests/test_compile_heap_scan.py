"""compile_generators.every_generator finds every Python and numpy generator of the process (for a stopped replay
to put back). It scanned the whole heap on each recording that draws: 0.33 s at 2 million live objects. It now
scans the whole heap once, and then, until the collector moves objects into its oldest generation (a collection
of generation 1 or 2), only generations 0 and 1, where every object made since is: some 0.1 ms. These tests check
that it still finds every generator: made since in generation 0, moved to 1, moved to 2, and those found before.
A recording's other pass over the heap, for the closures a step calls, is one for all of them."""

import gc
import random

import numpy as np
import pytest

import autograd
from autograd import Tensor, compile_calls, compile_generators, compile_kept


def _whole():
    """Every generator, by a scan of the whole heap (the reference)."""
    kinds = compile_generators.GENERATORS  # by type(x): isinstance would ask each object's __class__
    return {
        id(x) for x in gc.get_objects() if issubclass(type(x), kinds) and not issubclass(type(x), random.SystemRandom)
    }


def _scans(monkeypatch):
    """The generations each gc.get_objects call of the scans asks for (None: all)."""
    asked, real = [], gc.get_objects

    def counted(generation=None):
        asked.append(generation)
        return real() if generation is None else real(generation)

    monkeypatch.setattr(compile_generators.gc, "get_objects", counted)
    return asked


@pytest.mark.skipif(not compile_generators.YOUNG_SCANS, reason="this Python's collector: every scan is whole")
@pytest.mark.parametrize("moved_to", [None, 0, 1, 2])
def test_a_generator_made_since_the_last_scan_is_found_wherever_the_collector_moved_it(monkeypatch, moved_to):
    kept = [np.random.default_rng(1), random.Random(2)]
    compile_generators.every_generator()  # the last scan before the new generator
    asked = _scans(monkeypatch)
    kept.append(np.random.RandomState(3))
    if moved_to is not None:
        gc.collect(moved_to)  # 0 moves it to generation 1; 1 and 2 to generation 2
    found = {id(x) for x in compile_generators.every_generator()}
    assert asked == ([None] if moved_to in (1, 2) else [0, 1])  # young generations alone until objects age
    assert {id(x) for x in kept} <= found and found == _whole()


def test_a_generator_that_died_since_a_whole_scan_is_not_held_after_the_next_whole_one():
    compile_generators.every_generator()
    dead = np.random.default_rng(4)
    compile_generators.every_generator()  # found, and held until the next whole scan
    gone = id(dead)
    del dead
    gc.collect()  # a collection of generation 2: the next scan is whole
    assert gone not in {id(x) for x in compile_generators.every_generator()}


@pytest.mark.skipif(not compile_generators.YOUNG_SCANS, reason="this Python's collector: every scan is whole")
def test_a_collection_between_the_two_young_listings_makes_the_scan_whole(monkeypatch):
    """gc.get_objects(1) allocates its list before it lists generation 1, and that allocation may start a collection
    of generation 1 (as may another thread between the two calls): a generator in generation 1 then moves to 2
    before it is listed. The scan saw the count of such collections change only on the next call, having missed it."""
    compile_generators.every_generator()
    kept = np.random.RandomState(5)
    gc.collect(0)  # into generation 1
    real = gc.get_objects

    def collecting_first(generation=None):
        if generation == 1:
            gc.collect(1)  # what the allocation may start: generation 1 moves into 2
        return real() if generation is None else real(generation)

    monkeypatch.setattr(compile_generators.gc, "get_objects", collecting_first)
    assert id(kept) in {id(x) for x in compile_generators.every_generator()}


def test_a_recording_finds_the_closures_a_step_calls_in_one_pass_over_the_heap(monkeypatch):
    """The closures a step calls that no name of it reaches are found on the heap (their cells, which each replay
    checks, are theirs alone): a pass of gc.get_referrers a closure's code, some 0.1 s each in a long test run. One
    pass finds them all, and a replay still sees a closure's cell change (a scale rebound by its own setter)."""
    passes, real = [], gc.get_referrers
    monkeypatch.setattr(compile_calls.gc, "get_referrers", lambda *codes: passes.append(len(codes)) or real(*codes))

    def scaler(scale):
        def scaled(t):
            return t * scale

        def rescale(new):
            nonlocal scale
            scale = new

        return scaled, rescale

    def shifter(by):
        return lambda t: t + by

    double, set_double = scaler(2.0)
    w = Tensor(np.ones(2), requires_grad=True)

    held = (double, shifter(1.0), scaler(3.0)[0])

    def step(x, ops=held):  # in a default's tuple, which no name's cells reach
        loss = w * x
        for op in ops:
            loss = op(loss)
        loss = loss.sum()
        loss.backward()
        return loss

    run = autograd.compile(step)
    for _ in range(3):  # two recordings, a replay
        assert run(np.ones(2)).item() == 18.0
    assert passes == [2]  # the two codes (scaled's, the lambda's) in one pass; followed from then on
    set_double(4.0)
    assert run(np.ones(2)).item() == 30.0  # as eagerly: the cell's change was seen


def test_a_recording_of_a_step_indexing_with_its_input_passes_over_no_heap(monkeypatch):
    """An op keeps a copy of an input it is indexed with (`out[np.arange(4), y]`), beside the input's watched view,
    in the recording's own list: the view counted as stored by the step, two passes over the heap a recording."""
    passes = []  # (no holders found: a pass that should not be fails the test below, not the recording)
    monkeypatch.setattr(compile_kept.gc, "get_referrers", lambda *held: passes.append(len(held)) or [])
    w = Tensor(np.eye(3), requires_grad=True)

    def step(x, y):
        loss = -(x @ w).log_softmax(axis=1)[np.arange(len(y)), y].mean()
        loss.backward()
        return loss

    run, eager = autograd.compile(step), []
    for labels in ([0, 1, 2, 0], [2, 1, 0, 0], [1, 1, 2, 0]):  # two recordings, a replay
        x = np.full((4, 3), 0.5) + np.arange(3)
        eager.append(step(Tensor(x), np.array(labels)).item())
        assert run(Tensor(x), np.array(labels)).item() == eager[-1]
    assert passes == []
