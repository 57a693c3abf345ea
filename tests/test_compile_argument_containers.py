"""Containers a compiled step is given, as eagerly: a tuple or list subclass whose constructor takes other
arguments than its items (handed to the recorded calls, its kept numbers put back plain), a list or dict that holds
itself (the step runs eagerly, saying so), and a list or dict argument the step changes in place (the caller's own
object changed, as eagerly, and the step runs eagerly from then on, saying so)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import CompileError, CompileWarning, Tensor
from autograd.trees import flatten
from nn import functional as F


class Pair(tuple):
    """A tuple whose constructor takes its two items, not an iterable of them."""

    def __new__(cls, first: object, second: object) -> Pair:
        return super().__new__(cls, (first, second))


class Tagged(list):
    """A list with a required tag beside its items."""

    def __init__(self, tag: str, items: list) -> None:
        super().__init__(items)
        self.tag = tag


def _train(arg_of, use, compiled: bool, calls: int = 5, **kw):
    """Losses, weights and warnings of `calls` steps of a linear layer under SGD fed `use(arg)`."""
    model = nn.Linear(3, 2, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(arg):
        opt.zero_grad()
        x = use(arg)
        loss = F.mse_loss(model(x if isinstance(x, Tensor) else Tensor(x)), Tensor(np.zeros((4, 2))))
        loss.backward()
        opt.step()
        return loss.item()

    f = autograd.compile(step, **kw) if compiled else step
    rng = np.random.default_rng(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        losses = [f(arg_of(rng.standard_normal((4, 3)))) for _ in range(calls)]
    return losses, model.W.numpy().copy(), [str(w.message) for w in caught if w.category is CompileWarning]


@pytest.mark.parametrize(
    "arg_of, use",
    [
        (lambda x: Pair(x, 1), lambda a: a[0]),
        (lambda x: Pair(Tensor(x), 1), lambda a: a[0] * 1.0),
        (lambda x: [Pair(x, "a")], lambda a: a[0][0]),
        (lambda x: Tagged("batch", [x]), lambda a: a[0] if a.tag == "batch" else None),
    ],
    ids=["tuple-subclass", "tensor-in-tuple-subclass", "nested", "list-subclass"],
)
def test_a_container_of_its_own_constructor_replays_as_eagerly(arg_of, use) -> None:
    eager = _train(arg_of, use, compiled=False)
    compiled = _train(arg_of, use, compiled=True)
    assert compiled[2] == []
    assert compiled[0] == eager[0]
    assert np.array_equal(compiled[1], eager[1])


def _holding_itself_list(x):
    box = [x]
    box.append(box)
    return box


def _holding_itself_dict(x):
    box = {"x": x}
    box["me"] = box
    return box


@pytest.mark.parametrize("arg_of", [_holding_itself_list, _holding_itself_dict], ids=["list", "dict"])
def test_a_container_holding_itself_runs_eagerly_saying_so(arg_of) -> None:
    use = lambda a: a[0] if isinstance(a, list) else a["x"]  # noqa: E731
    eager = _train(arg_of, use, compiled=False)
    compiled = _train(arg_of, use, compiled=True)
    assert compiled[0] == eager[0] and np.array_equal(compiled[1], eager[1])
    assert compiled[2] and all("that holds itself (`args[0][1]`)" in s or "(`args[0]['me']`)" in s for s in compiled[2])
    with pytest.raises(CompileError, match="holds itself"):
        _train(arg_of, use, compiled=True, strict=True)


def test_flatten_names_a_container_holding_itself() -> None:
    box: list = [1.0]
    box.append([box])
    with pytest.raises(TypeError, match=r"a list that holds itself \(at \[1\]\[0\]\)"):
        flatten(box)


def test_rebuilt_tuple_and_list_subclasses_keep_their_class_and_attributes() -> None:
    tagged = Tagged("t", [1.0, Pair(2.0, 3.0)])
    leaves, rebuild = flatten(tagged)
    out = rebuild([x * 10 for x in leaves])
    assert type(out) is Tagged and out.tag == "t" and type(out[1]) is Pair
    assert out == [10.0, (20.0, 30.0)]


def _changing(compiled: bool):
    """What a step that changes its dict and list arguments leaves in them, and its warnings."""
    model = nn.Linear(3, 2, seed=0)
    d, log = {"x": np.ones((4, 3))}, []

    def step(batch, seen):
        out = model(Tensor(batch["x"])).sum()
        batch["calls"] = batch.get("calls", 0) + 1
        seen.append(out.item())
        return out.item()

    f = autograd.compile(step) if compiled else step
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [f(d, log) for _ in range(4)]
    return results, d, log, [str(w.message) for w in caught if w.category is CompileWarning]


def test_an_argument_changed_in_place_is_the_callers_own_as_eagerly() -> None:
    results, d, log, said = _changing(compiled=True)
    eager = _changing(compiled=False)
    assert results == eager[0] and log == eager[2] and d["calls"] == eager[1]["calls"] == 4
    assert type(d["x"]) is np.ndarray and d["x"] is not None
    assert said and all("changes its argument `args[0]` in place" in s for s in said)  # a new key each call


class _Counting:
    """A step that keeps a count and logs it in a tuple subclass of its own constructor."""

    def __init__(self) -> None:
        self.model = nn.Linear(3, 2, seed=0)
        self.count = 0
        self.log: list = []

    def step(self, x):
        self.count += 1
        self.log.append(Pair(self.count, "call"))
        return self.model(Tensor(x)).sum().item()


def test_a_kept_number_stored_in_a_tuple_subclass_is_put_back_plain() -> None:
    eager, compiled = _Counting(), _Counting()
    run = autograd.compile(compiled.step)
    with pytest.warns(CompileWarning, match="changed `self.log` in place"):  # a history it appends to: eagerly
        for _ in range(4):
            assert run(np.ones((4, 3))) == eager.step(np.ones((4, 3)))
    assert [type(p) for p in compiled.log[:2]] == [Pair, Pair]
    assert [type(p[0]) for p in compiled.log[:2]] == [int, int]
    assert compiled.log[:2] == eager.log[:2]


def test_a_container_nested_deeper_than_the_recursion_limit_runs_eagerly_saying_so() -> None:
    def deep(x):
        box: list = [x]
        for _ in range(3000):
            box = [box]
        return box

    def use(a):
        while isinstance(a, list):
            a = a[0]
        return a

    eager = _train(deep, use, compiled=False, calls=3)
    compiled = _train(deep, use, compiled=True, calls=3)
    assert compiled[0] == eager[0] and np.array_equal(compiled[1], eager[1])
    assert compiled[2] and all("nested deeper" in s for s in compiled[2])


def test_a_result_holding_itself_runs_eagerly_saying_so() -> None:
    """A step returning a list that holds itself raised RecursionError (HoldsItself once flatten looked)."""

    def holding_itself(loss):
        box = [loss]
        box.append(box)
        return box

    runs = []
    for compiled in (False, True):
        model = nn.Linear(3, 2, seed=0)
        f = (autograd.compile if compiled else lambda g: g)(lambda x, m=model: holding_itself(m(Tensor(x)).sum()))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outs = [f(np.full((4, 3), k, float)) for k in range(4)]
        assert all(out[1] is out for out in outs)
        runs.append(([out[0].numpy().copy() for out in outs], [str(w.message) for w in caught]))
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][0], runs[1][0]))
    assert runs[1][1] and all("returns is a list, tuple or dict that holds itself" in s for s in runs[1][1])


class _Backwards(dict):
    """A dict that lists its keys last first, its values as dict keeps them."""

    def __iter__(self):
        return iter(reversed(list(dict.__iter__(self))))

    def keys(self):
        return list(self)


def test_a_dict_listing_its_keys_in_another_order_gives_each_input_its_own_place() -> None:
    """trees.flatten paired the keys as the dict lists them with its values as it keeps them: compiled, the step got
    x for y and y for x (a first loss of 0.7864 for eager's 0.1885), silently."""
    use = lambda b: b["y"]  # noqa: E731 (x in its place would give other losses)
    eager = _train(lambda x: _Backwards(x=x, y=2 * x + 1), use, compiled=False)
    compiled = _train(lambda x: _Backwards(x=x, y=2 * x + 1), use, compiled=True)
    assert compiled[2] == [] and compiled[0] == eager[0] and np.array_equal(compiled[1], eager[1])
    leaves, rebuild = flatten(_Backwards(a=1.0, b=2.0))
    assert dict.items(rebuild([10.0, 20.0])) == {"a": 10.0, "b": 20.0}.items()
