"""A compiled step after its model's structure changed: a layer replaced in a Sequential (a new
head), a parameter Tensor made anew, a ModuleList or ModuleDict item replaced, a submodule
attribute set. The replay read the recorded modules' parameters; every module's call now guards
nn's structure count (and a Sequential its layers), so the step records again and gives eager's
numbers. Unchanged models keep replaying."""

import numpy as np
import pytest
from compile_faithful_cases import check_refused, check_replayed, sgd_step

import autograd
import nn
from autograd import Tensor
from nn.structure import STRUCTURE


class Heads(nn.Module):
    """A body and heads in a ModuleList and a ModuleDict, and one as an attribute."""

    def __init__(self):
        self.body = nn.Linear(3, 4, seed=0, dtype=np.float64)
        self.blocks = nn.ModuleList([nn.Linear(4, 4, seed=1, dtype=np.float64)])
        self.by_name = nn.ModuleDict({"out": nn.Linear(4, 2, seed=2, dtype=np.float64)})

    def forward(self, x):
        return self.by_name["out"](self.blocks[0](self.body(x).relu()).relu())


def _linear(n_in, n_out, seed):
    return nn.Linear(n_in, n_out, seed=seed, dtype=np.float64)


def _parameter():
    return Tensor(np.ones((3, 4)), requires_grad=True)


def _sequential():
    return nn.Sequential(_linear(3, 4, 0), nn.ReLU(), _linear(4, 2, 1))


CHANGES = {
    "a Sequential's layer": (_sequential, lambda m: m.layers.__setitem__(-1, _linear(4, 2, 5))),
    "a parameter made anew": (
        _sequential,
        lambda m: setattr(m.layers[0], "W", Tensor(np.ones((3, 4)), requires_grad=True)),
    ),
    "a ModuleList item": (Heads, lambda m: m.blocks.__setitem__(0, _linear(4, 4, 6))),
    "a ModuleDict item": (Heads, lambda m: m.by_name.__setitem__("out", _linear(4, 2, 7))),
    "a submodule attribute": (Heads, lambda m: setattr(m, "body", _linear(3, 4, 8))),
}


@pytest.mark.parametrize("make, change", CHANGES.values(), ids=CHANGES.keys())
def test_a_step_after_its_models_structure_changed_gives_eagers_numbers(make, change, monkeypatch):
    def scenario(compile):
        model = make()
        held = {"opt": nn.SGD(model.parameters(), lr=0.1)}  # in a dict: the replay reads no name for it

        def step(x, y):
            opt = held["opt"]
            opt.zero_grad()
            loss = autograd.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        run, out = compile(step), []
        for i in range(8):
            if i == 4:
                change(model)
                held["opt"] = nn.SGD(model.parameters(), lr=0.1)
            rng = np.random.default_rng(i)
            out.append(run(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 2, 4)))
        return out, [p.data.copy() for p in model.parameters()]

    check_replayed(scenario, monkeypatch, replays_at_least=3)


def test_what_is_not_a_module_or_parameter_leaves_the_count_alone():
    model = _sequential()
    before = STRUCTURE.version
    model.note = "a string"
    model.scale = 2.0
    model.layers[0].W.data = np.zeros((3, 4))  # numbers, not a parameter made anew
    model.last = model.layers[0](Tensor(np.ones((1, 3))))  # a computed tensor kept
    assert STRUCTURE.version == before
    model.extra = nn.ReLU()  # forward may read it with getattr: counted
    assert STRUCTURE.version == before + 1
    del model.extra
    assert STRUCTURE.version == before + 2


def test_new_containers_of_modules_leave_the_count_alone():
    # a slice of a ModuleList is a new ModuleList on every call: the step recorded forever, never replaying
    blocks = nn.ModuleList([nn.Linear(2, 2, seed=0), nn.ReLU(), nn.Linear(2, 2, seed=1)])
    relu = nn.ReLU()
    before = STRUCTURE.version
    blocks[1:], nn.ModuleDict({"a": relu}), nn.ModuleList([relu])
    assert STRUCTURE.version == before
    blocks.append(nn.ReLU())  # a change of a list that exists
    assert STRUCTURE.version == before + 1


def test_a_bad_item_changes_no_container():
    blocks, heads = nn.ModuleList([nn.ReLU()]), nn.ModuleDict({"a": nn.ReLU()})
    with pytest.raises(TypeError, match="ModuleList holds Modules, got int"):
        blocks.extend([nn.ReLU(), 3])
    with pytest.raises(TypeError, match="ModuleDict holds Modules, got int"):
        heads.update({"c": nn.ReLU(), "d": 5})
    assert len(blocks) == 1 and heads.keys() == ["a"]


def _blocks_scenario(inline):
    class Blocks(nn.Module):
        def __init__(self):
            self.blocks = nn.ModuleList([nn.Linear(3, 3, seed=0), nn.Linear(3, 3, seed=1), nn.Linear(3, 2, seed=2)])

        def forward(self, x):
            x = self.blocks[0](x).relu()
            for block in self.blocks[1:]:  # a new ModuleList on every call
                x = block(x)
                if inline:
                    x = nn.Dropout(0.1, seed=0)(x)  # a layer made on every call
            return x

    def scenario(compile):
        model = Blocks()
        run = compile(sgd_step(model, nn.SGD(model.parameters(), lr=0.1), autograd.cross_entropy))
        rng = np.random.default_rng(0)
        out = [run(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 2, 4)) for _ in range(6)]
        return out, [p.data.copy() for p in model.parameters()]

    return scenario


def test_a_step_that_slices_its_module_list_replays(monkeypatch):
    # the slice, a new ModuleList on every call, bumped nn's structure count: the step recorded forever
    check_replayed(_blocks_scenario(inline=False), monkeypatch, replays_at_least=3)


def test_a_step_that_makes_a_layer_on_every_call_runs_eagerly_saying_so(monkeypatch):
    # its settings (p, training) would be read from a new object on every call, which no replay checks:
    # it recorded on every call, never replaying, without a word
    check_refused(_blocks_scenario(inline=True), "makes a Dropout anew on every call", monkeypatch)
