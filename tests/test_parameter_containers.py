"""nn.ParameterList and nn.ParameterDict: registered as torch.nn registers them (named "0", "1", by key;
a plain dict's keys sorted, as torch's), held as they are or made parameters, behaving as a list and a
dict, and reached by everything that walks a model's parameters: optimizers, zero_grad, state dicts,
nn.save and nn.load, nn.functional_call, autograd.compile, reprs."""

import sys
from collections import OrderedDict

import numpy as np
import pytest
from compile_faithful_cases import check_replayed

import autograd
import nn
from autograd import Tensor, Value

RNG = np.random.default_rng(0)


class Mixture(nn.Module):
    """A mixture of linear experts: their weights in a ParameterList, a scale per output in a ParameterDict."""

    def __init__(self, experts=3):
        self.mix = nn.Parameter(np.zeros(experts))  # first: torch names a module's own parameters first
        self.experts = nn.ParameterList([RNG.standard_normal((3, 2)) for _ in range(experts)])
        self.scales = nn.ParameterDict({"out": np.ones(2), "bias": np.zeros(2)})

    def forward(self, x):
        share = self.mix.softmax(-1)
        y = sum(share[i] * (x @ w) for i, w in enumerate(self.experts))
        return y * self.scales["out"] + self.scales["bias"]


NAMES = ["mix", "experts.0", "experts.1", "experts.2", "scales.bias", "scales.out"]


def test_parameters_are_registered_and_named_as_torch_names_them():
    model = Mixture()
    assert [name for name, _ in model.named_parameters()] == NAMES
    assert list(model.state_dict()) == NAMES
    assert model.experts[0] is model.parameters()[1] and model.count_parameters() == 3 * 6 + 3 + 4
    assert [name for name, _ in model.named_children()] == ["experts", "scales"]
    model.eval()
    assert not model.experts.training and not model.scales.training


def test_parameter_names_and_order_are_torchs():
    torch = pytest.importorskip("torch", reason="torch is the reference for the names")
    theirs = torch.nn.Module()
    theirs.mix = torch.nn.Parameter(torch.zeros(3))
    theirs.experts = torch.nn.ParameterList([torch.zeros(3, 2) for _ in range(3)])
    theirs.scales = torch.nn.ParameterDict({"out": torch.ones(2), "bias": torch.zeros(2)})
    assert [name for name, _ in theirs.named_parameters()] == NAMES  # a plain dict's keys sorted, as here
    ordered = torch.nn.ParameterDict(OrderedDict([("z", torch.ones(1)), ("a", torch.ones(1))]))
    assert list(ordered.keys()) == nn.ParameterDict(OrderedDict([("z", np.ones(1)), ("a", np.ones(1))])).keys()


def test_what_is_held_as_it_is_and_what_is_made_a_parameter():
    p, frozen = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(3), requires_grad=False)
    array = np.zeros((2, 2))
    computed = p * 2
    v = Value(1.5)
    held = nn.ParameterList([p, frozen, array, computed, Tensor(np.ones(2)), v])
    assert held[0] is p and held[1] is frozen and held[5] is v  # parameters kept, the same objects
    assert held[2].requires_grad and held[2].data is array  # an array made a parameter over it (no copy)
    assert held[3].op is None and held[3].requires_grad and np.array_equal(held[3].data, [2.0, 2.0])
    assert held[4].requires_grad and len(held.parameters()) == 6
    for bad, said in [
        (3.0, "got float 3.0"),
        (None, "got None"),
        (np.arange(3), "floating-point data, got int64"),
        (v * 2, "computed Value"),
        ([1.0, 2.0], "got list"),
    ]:
        with pytest.raises(TypeError, match=said):
            nn.ParameterList([bad])
        with pytest.raises(TypeError, match=said):
            nn.ParameterDict({"a": bad})
    with pytest.raises(TypeError, match="ParameterList: values must be a list of parameters, got int"):
        nn.ParameterList(3)
    with pytest.raises(TypeError, match="ParameterDict: parameters must be a dict of parameters by name"):
        nn.ParameterDict(3)


def test_parameter_list_behaves_as_torchs_list():
    a, b, c, d = (nn.Parameter(np.full(2, float(i))) for i in range(4))
    pl = nn.ParameterList()
    assert len(pl) == 0 and repr(pl) == "ParameterList()"
    pl.append(a).extend([b, c])
    pl += [d]
    assert list(pl) == [a, b, c, d] and pl[-1] is d and len(pl) == 4
    part = pl[1::2]
    assert isinstance(part, nn.ParameterList) and list(part) == [b, d] and part[0] is b
    assert b in pl and nn.Parameter(np.ones(2)) not in pl  # by identity: a Tensor's == is elementwise
    pl.insert(0, np.ones(2))
    assert pl.pop(0) is not a and pl.pop() is d and list(pl) == [a, b, c]
    del pl[1]
    pl[0] = np.zeros(3)
    assert [name for name, _ in pl.named_parameters()] == ["0", "1"] and pl[1] is c
    assert pl[0].shape == (3,) and pl[0].requires_grad
    with pytest.raises(IndexError, match="ParameterList index 2 is out of range for 2 parameters"):
        pl[2]
    with pytest.raises(TypeError, match="got int"):
        pl.extend([np.ones(2), 5])
    assert len(pl) == 2  # the bad extend changed nothing
    with pytest.raises(TypeError, match="values must be a list of parameters, got Tensor"):
        pl.extend(Tensor(np.ones(2)))  # a Tensor iterates over its rows: refused, as torch refuses it
    with pytest.raises(RuntimeError, match="is not called"):  # NotImplementedError, a RuntimeError as torch's
        pl(Tensor(np.ones(2)))


def test_parameter_dict_behaves_as_torchs_dict():
    pd = nn.ParameterDict([("w", np.ones(2)), ("b", np.zeros(2))])  # pairs: in their order
    assert pd.keys() == ["w", "b"] and list(pd) == ["w", "b"] and list(reversed(pd)) == ["b", "w"]
    pd["a"] = np.ones(1)
    assert "a" in pd and "z" not in pd and 0 not in pd and len(pd) == 3
    assert pd.get("z") is None and pd.get("a") is pd["a"]
    s = pd.setdefault("s", np.full(1, 2.0))
    assert pd.setdefault("s", np.zeros(1)) is s and pd.keys() == ["w", "b", "a", "s"]
    assert pd.popitem()[0] == "s" and pd.pop("a").shape == (1,)
    w = pd["w"]
    pd["w"] = np.zeros(2)  # replaced in its place
    assert pd.keys() == ["w", "b"] and pd["w"] is not w
    pd.update({"y": np.ones(1), "x": np.ones(1)})  # a plain dict: sorted keys, as torch's update
    assert pd.keys() == ["w", "b", "x", "y"]
    merged = pd | {"c": np.ones(1)}
    assert merged.keys() == ["w", "b", "x", "y", "c"] and merged["w"] is pd["w"] and pd.keys() == ["w", "b", "x", "y"]
    assert ({"c": np.ones(1)} | pd).keys() == ["c", "w", "b", "x", "y"]
    copied = pd.copy()
    pd |= {"d": np.ones(1)}
    assert "d" in pd and "d" not in copied and copied["b"] is pd["b"]
    del pd["d"]
    made = pd.fromkeys(["p", "q"], np.zeros(2))
    assert made.keys() == ["p", "q"] and made["p"] is not made["q"]  # each made a parameter over one array
    assert [v for _, v in pd.items()] == pd.values()
    pd.clear()
    assert len(pd) == 0 and pd.parameters() == []
    for bad in ["", "a.b", "_calls", "_optimizer", "keys", "get", "training", "forward"]:
        with pytest.raises(ValueError, match="cannot hold a parameter named"):
            pd[bad] = np.ones(1)
    with pytest.raises(TypeError, match="keys are strings, got int"):
        pd[0] = np.ones(1)
    with pytest.raises(TypeError, match="keys are strings, got int"):
        nn.ParameterDict({0: np.ones(1), "a": np.ones(1)})
    with pytest.raises(TypeError, match="must be a \\(name, value\\) pair"):
        nn.ParameterDict([("a", np.ones(1), 3)])
    with pytest.raises(KeyError, match=r"no parameter named 'z'; it has \[\]"):
        pd["z"]
    with pytest.raises(KeyError, match="empty"):
        pd.popitem()


def test_training_optimizers_zero_grad_and_gradients(monkeypatch):
    """30 Adam steps halve the loss on one fixed problem: its own generator, as the module's RNG gave the test data
    that depended on which tests ran before it in its worker (a fresh RNG's draw reaches 0.51x, just short)."""
    rng = np.random.default_rng(1)
    monkeypatch.setattr(sys.modules[__name__], "RNG", rng)
    model = Mixture()
    x, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    assert autograd.gradcheck_params(
        lambda: nn.functional.mse_loss(model(Tensor(x)), y), dict(model.named_parameters())
    )
    opt = nn.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(30):
        model.zero_grad()
        loss = nn.functional.mse_loss(model(Tensor(x)), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize("suffix", [".npz"])
def test_state_dict_save_and_load_round_trip(tmp_path, suffix):
    model, other = Mixture(), Mixture()
    other.load_state_dict(model.state_dict())
    assert all(np.array_equal(a.data, b.data) for a, b in zip(model.parameters(), other.parameters(), strict=True))
    path = tmp_path / f"mixture{suffix}"
    model.experts[1].data[:] = 7.0
    nn.save(model, path)
    nn.load(other, path)
    assert np.all(other.experts[1].data == 7.0)
    with pytest.raises(KeyError, match="experts.3"):
        Mixture(experts=4).load_state_dict(model.state_dict())


def test_functional_call_takes_torchs_names():
    model = Mixture()
    x = Tensor(RNG.standard_normal((2, 3)))
    zero = Tensor(np.zeros((3, 2)), requires_grad=True)
    got = nn.functional_call(model, {"experts.0": zero, "experts.1": zero, "experts.2": zero}, (x,))
    assert np.allclose(got.data, model.scales["bias"].data) and model.experts[0] is model.parameters()[1]
    got.sum().backward()
    assert zero.grad is not None and model.experts[0].grad is None


def test_a_compiled_step_over_them_replays(monkeypatch):
    def scenario(compile):
        model = Mixture.__new__(Mixture)
        rng = np.random.default_rng(1)
        model.mix = nn.Parameter(np.zeros(3))
        model.experts = nn.ParameterList([rng.standard_normal((3, 2)) for _ in range(3)])
        model.scales = nn.ParameterDict({"out": np.ones(2), "bias": np.zeros(2)})
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        out = []
        for i in range(8):
            if i == 4:  # items replaced: the step records again, reading the new ones (the optimizer keeps the old)
                model.experts[1] = np.full((3, 2), 0.5)
                model.scales["out"] = np.full(2, 2.0)
            out.append(run(Tensor(rng.standard_normal((4, 3))), rng.standard_normal((4, 2))))
        return out, [p.data.copy() for p in model.parameters()]

    check_replayed(scenario, monkeypatch, replays_at_least=4)


def test_reprs_show_each_parameter_as_torchs_do():
    model = Mixture()
    model.scales["frozen"] = nn.Parameter(np.ones(1, np.float32), requires_grad=False)
    assert repr(model.scales) == (
        "ParameterDict(\n"
        "  (bias): Parameter containing: [float64 of size 2]\n"
        "  (out): Parameter containing: [float64 of size 2]\n"
        "  (frozen): Parameter containing: [float32 of size 1] (frozen)\n"
        ")  # 5 parameters"
    )
    assert repr(nn.ParameterList([Value(2.0)])) == "ParameterList(\n  (0): Value parameter: 2.0\n)  # 1 parameters"
    assert "  (experts): ParameterList(\n    (0): Parameter containing: [float64 of size 3x2]" in repr(model)
