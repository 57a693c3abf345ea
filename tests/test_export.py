"""nn.export: a model's parameters in PyTorch's names and layouts, checked name by name and shape by
shape, and by running the same numbers through real torch.nn modules (where torch is installed)."""

import subprocess
import sys

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn.export import from_torch_state_dict, to_torch_state_dict


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e '.[reference]')")
    torch.set_num_threads(1)
    return torch


def mlp(dtype=np.float64, seed=0) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(4, 8, dtype=dtype, seed=seed), nn.Tanh(), nn.Linear(8, 8, dtype=dtype, seed=seed + 1),
        nn.ReLU(), nn.Linear(8, 3, dtype=dtype, seed=seed + 2),
    )  # fmt: skip


def torch_mlp(torch):
    return torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)
    )


def shapes(state) -> list[tuple[str, tuple[int, ...]]]:
    return [(name, tuple(value.shape)) for name, value in state.items()]


def test_a_sequential_gives_pytorchs_names_and_layouts_layer_by_layer():
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 2, seed=1))
    state = to_torch_state_dict(model)
    assert shapes(state) == [("0.weight", (4, 3)), ("0.bias", (4,)), ("2.weight", (2, 4)), ("2.bias", (2,))]
    assert np.array_equal(state["0.weight"], model[0].W.data.T) and np.array_equal(state["2.bias"], model[2].b.data)
    assert all(value.dtype == np.float32 and value.flags.c_contiguous for value in state.values())
    state["0.weight"][0, 0] += 1  # a copy: the model is not changed through it
    assert state["0.weight"][0, 0] != model[0].W.data[0, 0]


def test_the_names_and_shapes_are_those_of_the_same_torch_model(torch):
    ours = shapes(to_torch_state_dict(mlp()))
    assert ours == shapes(torch_mlp(torch).state_dict())
    assert ours[:3] == [("0.weight", (8, 4)), ("0.bias", (8,)), ("2.weight", (8, 8))]


class Net(nn.Module):
    """Submodules by attribute, in a list, nested Sequentials with parameter-free layers, a bare parameter."""

    def __init__(self):
        self.features = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Dropout(0.1), nn.Sigmoid(), nn.Linear(3, 3, seed=1))
        self.blocks = [nn.Linear(3, 3, bias=False, seed=2), nn.Sequential(nn.Softmax(), nn.Linear(3, 1, seed=3))]
        self.scale = Tensor(np.full(1, 2.0, np.float32), requires_grad=True)


NET = [
    ("features.0.weight", (3, 2)), ("features.0.bias", (3,)), ("features.3.weight", (3, 3)), ("features.3.bias", (3,)),
    ("blocks.0.weight", (3, 3)), ("blocks.1.1.weight", (1, 3)), ("blocks.1.1.bias", (1,)), ("scale", (1,)),
]  # fmt: skip


def test_other_modules_keep_their_attribute_names():
    assert sorted(shapes(to_torch_state_dict(Net()))) == sorted(NET)


def test_other_modules_names_are_those_of_the_same_torch_module(torch):
    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            L = torch.nn.Linear
            self.features = torch.nn.Sequential(L(2, 3), torch.nn.Dropout(0.1), torch.nn.Sigmoid(), L(3, 3))
            self.blocks = torch.nn.ModuleList([L(3, 3, bias=False), torch.nn.Sequential(torch.nn.Softmax(-1), L(3, 1))])
            self.scale = torch.nn.Parameter(torch.full((1,), 2.0))

    assert sorted(shapes(TorchNet().state_dict())) == sorted(NET)
    theirs, ours = TorchNet(), Net()
    from_torch_state_dict(ours, theirs.state_dict())
    assert np.array_equal(ours.blocks[1][1].W.data, theirs.blocks[1][1].weight.detach().numpy().T)


@pytest.mark.parametrize(
    ("nonlin", "names"),
    [("relu", ["0", "2", "4"]), ("tanh", ["0", "2", "4"]), ("sigmoid", ["0", "2", "4"]), ("linear", ["0", "1", "2"])],
)
def test_a_micrograd_mlp_is_a_stack_of_linear_layers_with_its_activations_between(nonlin, names):
    micro = nn.MLP(3, [4, 2, 1], nonlin=nonlin, seed=0)
    state = to_torch_state_dict(micro)
    sizes = [(4, 3), (2, 4), (1, 2)]
    assert shapes(state) == [
        (f"{i}.{k}", s if k == "weight" else s[:1]) for i, s in zip(names, sizes) for k in ("weight", "bias")
    ]
    layer = micro.layers[1]
    assert state[f"{names[1]}.weight"][1, 3] == layer.neurons[1].w[3].data
    assert state[f"{names[1]}.bias"][1] == layer.neurons[1].b.data and state["0.bias"].dtype == np.float64


def test_a_layer_and_a_neuron_alone_are_one_linear_layer_and_a_one_layer_mlp_has_no_index_gap():
    assert shapes(to_torch_state_dict(nn.Layer(3, 2))) == [("weight", (2, 3)), ("bias", (2,))]
    assert shapes(to_torch_state_dict(nn.Neuron(3))) == [("weight", (1, 3)), ("bias", (1,))]
    assert shapes(to_torch_state_dict(nn.MLP(3, [2]))) == [("0.weight", (2, 3)), ("0.bias", (2,))]


def test_a_state_round_trips_without_torch():
    for make in (lambda seed: mlp(np.float32, seed), lambda seed: nn.MLP(2, [3, 3, 1], nonlin="tanh", seed=seed)):
        source, target = make(0), make(10)
        assert from_torch_state_dict(target, to_torch_state_dict(source)) is target
        assert target.state_dict().keys() == source.state_dict().keys()
        assert all(np.array_equal(v, source.state_dict()[k]) for k, v in target.state_dict().items())


def test_a_chainrule_mlp_gives_the_same_outputs_in_torch(torch):
    model, theirs = mlp(), torch_mlp(torch).double()
    state = to_torch_state_dict(model, as_tensors=True)
    assert all(isinstance(v, torch.Tensor) and v.dtype == torch.float64 for v in state.values())
    theirs.load_state_dict(state)  # strict: every name and shape as torch has them
    X = np.random.default_rng(0).standard_normal((32, 4))
    expected = theirs(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(model(Tensor(X)).data, expected, rtol=0, atol=1e-6)
    assert np.abs(expected).max() > 0.1  # a real comparison, not of zeros


def test_a_torch_initialised_model_gives_the_same_outputs_in_chainrule(torch):
    torch.manual_seed(0)
    theirs, model = torch_mlp(torch).double(), mlp(seed=7)
    assert from_torch_state_dict(model, theirs.state_dict()) is model  # torch tensors, as torch gives them
    X = np.random.default_rng(1).standard_normal((32, 4))
    np.testing.assert_allclose(model(Tensor(X)).data, theirs(torch.from_numpy(X)).detach().numpy(), rtol=0, atol=1e-6)
    float32 = mlp(np.float32, seed=7)
    from_torch_state_dict(float32, {k: v.float() for k, v in theirs.named_parameters()})  # parameters need detaching
    assert float32[0].W.dtype == np.float32
    np.testing.assert_allclose(float32[0].W.data, theirs[0].weight.detach().numpy().T, rtol=1e-6)


@pytest.mark.parametrize("nonlin", ["relu", "tanh", "sigmoid", "linear"])
def test_a_micrograd_mlp_gives_the_same_outputs_as_torchs_linear_stack(torch, nonlin):
    micro = nn.MLP(3, [5, 4, 1], nonlin=nonlin, seed=0)
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "linear": None}[nonlin]
    L = torch.nn.Linear
    layers = [L(3, 5), act(), L(5, 4), act(), L(4, 1)] if act else [L(3, 5), L(5, 4), L(4, 1)]
    theirs = torch.nn.Sequential(*layers).double()
    theirs.load_state_dict(to_torch_state_dict(micro, as_tensors=True))
    X = np.random.default_rng(2).standard_normal((8, 3))
    ours = [micro([Value(x) for x in row]).data for row in X]
    np.testing.assert_allclose(ours, theirs(torch.from_numpy(X)).detach().numpy()[:, 0], rtol=0, atol=1e-6)
    back = from_torch_state_dict(nn.MLP(3, [5, 4, 1], nonlin=nonlin, seed=1), theirs.state_dict())
    assert [p.data for p in back.parameters()] == [p.data for p in micro.parameters()]


def test_bfloat16_tensors_are_read_as_float32(torch):
    theirs = torch.nn.Linear(2, 3).to(torch.bfloat16)
    model = from_torch_state_dict(nn.Linear(2, 3, seed=0), theirs.state_dict())
    assert np.array_equal(model.W.data, theirs.weight.float().detach().numpy().T)


def test_a_file_of_torch_names_written_without_torch_loads_into_torch(torch, tmp_path):
    st = pytest.importorskip(
        "safetensors.numpy", reason='safetensors is not installed: pip install -e ".[safetensors]"'
    )
    safetensors_torch = pytest.importorskip("safetensors.torch")
    model = mlp()
    st.save_file(to_torch_state_dict(model), tmp_path / "for_torch.safetensors")
    theirs = torch_mlp(torch).double()
    theirs.load_state_dict(safetensors_torch.load_file(tmp_path / "for_torch.safetensors"))
    X = np.random.default_rng(3).standard_normal((4, 4))
    np.testing.assert_allclose(model(Tensor(X)).data, theirs(torch.from_numpy(X)).detach().numpy(), rtol=0, atol=1e-6)


def good_state() -> dict[str, np.ndarray]:
    return {name: value + 1 for name, value in to_torch_state_dict(mlp(np.float32)).items()}


BAD = {
    "a missing and an unexpected key": (
        lambda s: {**{k: v for k, v in s.items() if k != "4.bias"}, "5.bias": s["4.bias"]},
        r"missing \['4.bias'\], unexpected \['5.bias'\]",
    ),
    "chainrule's layout": (
        lambda s: {**s, "2.weight": s["2.weight"][:, :3].T},
        r"2.weight has shape \(3, 8\), needs \(8, 8\)",
    ),
    "integers": (
        lambda s: {**s, "4.bias": np.arange(3)},
        r"4.bias has dtype int64; it is a parameter or buffer, of floating point",
    ),
    "NaN": (lambda s: {**s, "4.bias": np.array([0.0, np.nan, 1.0])}, r"4.bias holds 1 NaN or infinite value"),
    "a value too large for float32": (
        lambda s: {**s, "4.weight": np.full((3, 8), 1e300)},
        r"4.weight: 1e\+300 does not fit float32 \(largest 3\.4028235e\+38\): it would be stored as infinity, "
        r"and so would 23 more; load it into a model of a dtype that holds it \(model\.double\(\)\)$",
    ),
}


@pytest.mark.parametrize("kind", BAD)
def test_a_bad_state_is_refused_by_its_torch_name_and_changes_nothing(kind):
    change, problem = BAD[kind]
    model = mlp(np.float32)
    before = model.state_dict()
    with pytest.raises(ValueError, match=rf"^cannot load this PyTorch state dict into Sequential: {problem}"):
        from_torch_state_dict(model, change(good_state()))
    assert all(np.array_equal(model.state_dict()[name], value) for name, value in before.items())


def test_a_parameter_pytorch_would_not_have_is_named():
    class Scaled(nn.Linear):
        def __init__(self):
            super().__init__(2, 2)
            self.gain = Tensor(np.ones(2, np.float32), requires_grad=True)

    with pytest.raises(ValueError, match=r"Scaled's parameters \['gain'\] have no PyTorch counterpart"):
        to_torch_state_dict(Scaled())


def test_as_tensors_needs_torch_and_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"as_tensors=True needs PyTorch"):
        to_torch_state_dict(mlp(), as_tensors=True)


def test_importing_nn_does_not_import_torch():
    code = "import sys, nn, nn.export; assert 'torch' not in sys.modules and 'safetensors' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


OUT_OF_RANGE = [("1.running_var", np.full(3, -1.0, np.float32)), ("1.num_batches_tracked", -3)]


@pytest.mark.parametrize(("key", "bad"), OUT_OF_RANGE)
def test_a_buffer_outside_its_range_is_refused_by_its_torch_name_and_changes_nothing(key, bad):
    """The range check named chainrule's key, `layers.1.running_var`, which the state given did not hold."""
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.BatchNorm1d(3))
    state = to_torch_state_dict(model)
    before = model.state_dict()
    problem = rf"^cannot load this PyTorch state dict into Sequential: {key} holds \d+ value"
    with pytest.raises(ValueError, match=problem):
        from_torch_state_dict(model, {**state, key: np.asarray(bad, dtype=state[key].dtype)})
    assert all(np.array_equal(model.state_dict()[name], value) for name, value in before.items())
