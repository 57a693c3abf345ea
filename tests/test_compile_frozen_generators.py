"""compile finds the generators a stopped replay puts back by listing the collector's objects (gc.get_objects), which
leaves out every object gc.freeze() set aside (done before forking workers, by some servers): a generator made at
import and then frozen, which no name of the step reaches (a class attribute's), was not put back, and the call's
eager run drew from where the replay had left it, silently (loss 6.0305 where an uncompiled run gives 6.0377, and
every later loss off too). No listing reaches frozen objects short of gc.unfreeze(), which would move the user's
objects: a stopped replay whose draws may have moved one now says its random numbers may move ahead."""

import contextlib
import gc

import numpy as np
import pytest

import autograd
import nn
from autograd import Op, Tensor
from autograd.compile import CompileWarning


@autograd.unguarded
class _Length:
    n = 2  # the length the op below gives, changed to stop a replay


class _Box:
    rng = np.random.default_rng(12)  # no name of the step reaches it; frozen below, the heap's scan misses it


_RNG = np.random.default_rng(11)  # reached by the draw's own names
_grow = Op("grow_frozen", lambda t: np.ones(_Length.n) * t.sum(), lambda g, out, t: (np.full(t.shape, g.sum()),))


def _run(compile):
    """Six steps drawing from both generators, the fifth replay stopped by the op's shape: losses, warnings."""
    _RNG.bit_generator.state = np.random.default_rng(11).bit_generator.state
    _Box.rng.bit_generator.state = np.random.default_rng(12).bit_generator.state
    model = nn.Linear(3, 2, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        noise = autograd.drawn(lambda: _RNG.random((4, 3)) + _Box.rng.random((4, 3)))
        loss = (model(Tensor(x)) ** 2).mean() + (model(noise) ** 2).mean() + _grow(Tensor(np.ones(2))).sum()
        loss.backward()
        opt.step()
        return loss.item()

    run, losses = compile(step), []
    with pytest.warns(CompileWarning) if compile is autograd.compile else contextlib.nullcontext() as caught:
        for i in range(6):
            _Length.n = 3 if i == 4 else 2
            losses.append(run(np.full((4, 3), 0.1 * i)))
    _Length.n = 2
    return losses, " ".join(str(w.message) for w in caught or ())


def test_a_stopped_replay_says_a_frozen_generator_may_have_moved_ahead():
    eager, _ = _run(lambda f: f)
    gc.freeze()
    try:
        compiled, said = _run(autograd.compile)
    finally:
        gc.unfreeze()
    assert "gave shape (3,)" in said  # the replay stopped, the call ran eagerly
    assert compiled[:4] == eager[:4] and compiled[4:] != eager[4:]  # the frozen generator was not put back
    assert "gc.freeze() has set" in said and "may not be those of an uncompiled run" in said  # never silently


def test_after_gc_unfreeze_the_generators_it_set_free_are_found():
    """gc.unfreeze() moves the frozen objects into the oldest generation with no collection, which the scans
    of the young generations took as nothing aged: they stayed unfound (the losses were off as above, silently)."""
    gc.freeze()
    _run(autograd.compile)  # recorded, and scanned, while frozen
    gc.unfreeze()
    eager, _ = _run(lambda f: f)
    compiled, said = _run(autograd.compile)
    assert compiled == eager and "not those of an uncompiled run" not in said
