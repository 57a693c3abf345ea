"""A compiled step that calls nn.functional_call replays: the call counted as a change of the model's structure
(nn/structure.py) twice per call, so every call recorded again ("the step changed a model's layers ... while it
ran"), and the step ran eagerly with a CompileWarning. What it puts in the parameters' places are the step's own
tensors, which the tape reads as it reads any: an input of the step (each replay takes the call's), a parameter
(by identity: another one records again), or computed in the step. A step recorded inside a functional_call (a
compiled function its module calls) sees other tensors in the places and still replays only inside that call."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import trained

import autograd
import nn
from autograd import Tensor

CALLS = 8


def _batches(shape_w=None):
    rng = np.random.default_rng(0)
    return [
        (
            rng.standard_normal((4, 3)),
            rng.standard_normal((4, 2)),
            *([Tensor(rng.standard_normal(shape_w))] if shape_w else []),
        )
        for _ in range(CALLS)
    ]


def _run(compiled, given):
    """A step through functional_call: `given(model, params, *inputs)` is the dict it puts in place."""
    model = nn.Linear(3, 2, seed=0).double()
    params = dict(model.named_parameters())

    def loss_of(model, x, y, *rest):
        out = nn.functional_call(model, given(model, params, *rest), (Tensor(x),))
        return ((out - Tensor(y)) ** 2).mean()

    shape_w = params["W"].shape if given is GIVEN["an input Tensor for W"] else None
    result = trained(loss_of, _batches(shape_w), compiled, model, strict=True)
    return result.losses, result.run


GIVEN = {
    "the model's own parameters": lambda model, params: params,
    "weights computed in the step": lambda model, params: {name: p * 0.9 for name, p in params.items()},
    "an input Tensor for W": lambda model, params, w: {"W": w},
}


@pytest.mark.parametrize("name", GIVEN)
def test_a_step_calling_functional_call_replays_with_eagers_numbers(name):
    eager, _ = _run(False, GIVEN[name])
    compiled, run = _run(True, GIVEN[name])  # strict: CompileError where it ran eagerly
    assert compiled == eager
    assert [r.program is not None for r in run.recordings.values()] == [True]


def _inside(compiled):
    """A compiled function of the model, called by a module's forward run through functional_call with another W
    (a parameter of the caller's) on the first two calls, then by the module itself: a replay of the first
    calls' tape would read that W, where eager reads the model's."""
    model = nn.Linear(3, 2, seed=0).double()

    def look(x):
        return (model(Tensor(x)) ** 2).sum().item()

    f = autograd.compile(look) if compiled else look

    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.m = model

        def forward(self, x):
            return f(x)

    outer, other = Outer(), nn.Parameter(np.ones(model.W.shape))
    xs = [x for x, _ in _batches()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = [nn.functional_call(outer, {"m.W": other}, (x,)) if k < 2 else outer(x) for k, x in enumerate(xs)]
    return out, [w for w in caught if issubclass(w.category, autograd.CompileWarning)]


def test_a_step_recorded_inside_functional_call_does_not_replay_outside():
    compiled, said = _inside(True)
    assert compiled == _inside(False)[0] and not said


def test_functional_call_leaves_the_structure_count_as_it_was():
    """The count a compiled step guards is the same after the call as before it (it counted two changes)."""
    from nn.structure import STRUCTURE

    model = nn.Linear(3, 2, seed=0).double()
    before = STRUCTURE.version
    nn.functional_call(model, dict(model.named_parameters()), (Tensor(np.ones((1, 3))),))
    assert STRUCTURE.version == before


def test_calls_in_two_threads_each_keep_their_own_number():
    """Thread A's call, entered first, ends while thread B's is under way: it popped the last number, B's, so B's call
    then carried A's version ((count, (1,)) in both), under which a function recorded in A's call would replay."""
    import threading

    from nn.structure import STRUCTURE

    seen: dict[str, object] = {}
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    class Waits(nn.Module):
        def __init__(self, name, then, wait):
            super().__init__()
            self.lin, self.name, self.then, self.wait = nn.Linear(3, 2, seed=0).double(), name, then, wait

        def forward(self, x):
            if self.name == "a":
                seen["a"] = STRUCTURE.version
            self.then.set()
            assert self.wait.wait(5)
            if self.name == "b":
                seen["b"] = STRUCTURE.version
            return self.lin(x)

    def call(module):
        nn.functional_call(module, dict(module.named_parameters()), (Tensor(np.ones((1, 3))),))

    first, second = Waits("a", a_in, b_in), Waits("b", b_in, a_out)  # made before: making a module is a change
    a = threading.Thread(target=call, args=(first,))
    b = threading.Thread(target=lambda: a_in.wait(5) and call(second))
    a.start(), b.start()
    a.join()
    a_out.set()
    b.join()
    assert seen["a"] != seen["b"] and not STRUCTURE.standing
