"""nn.containers (ModuleList, ModuleDict, Identity), nn.embedding (Embedding) and nn.dropout (Dropout2d):
parameters and buffers found and named as torch.nn names them, residual blocks built from them, gradients
against finite differences in training mode, and the errors. PyTorch as the reference:
tests/test_torch_reference_layers.py."""

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor, gradcheck, gradcheck_params
from nn.containers import Identity, ModuleDict, ModuleList
from nn.dropout import Dropout2d
from nn.embedding import Embedding
from nn.norm import BatchNorm1d, LayerNorm

rng = np.random.default_rng(0)


class Residual(nn.Module):
    """relu(body(x) + shortcut(x)): a residual block, its shortcut Identity unless given."""

    def __init__(self, body, shortcut=None):
        self.body = body
        self.shortcut = shortcut if shortcut is not None else Identity()

    def forward(self, x):
        return (self.body(x) + self.shortcut(x)).relu()


def block(width, seed):
    return Residual(
        nn.Sequential(nn.Linear(width, width, dtype=np.float64, seed=seed), BatchNorm1d(width, dtype=np.float64))
    )


class ResNet(nn.Module):
    def __init__(self):
        self.blocks = ModuleList([block(4, 0), block(4, 1)])
        self.heads = ModuleDict(
            {"cls": nn.Linear(4, 3, dtype=np.float64, seed=2), "norm": LayerNorm(4, dtype=np.float64)}
        )

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return self.heads["cls"](self.heads["norm"](x))


RESNET = [f"blocks.{i}.body.layers.{name}" for i in range(2) for name in ("0.W", "0.b", "1.weight", "1.bias")] + [
    "heads.cls.W",
    "heads.cls.b",
    "heads.norm.weight",
    "heads.norm.bias",
]


def test_containers_parameters_and_buffers_are_found_and_named_by_index_and_key():
    net = ResNet()
    assert [name for name, _ in net.named_parameters()] == RESNET
    assert [name for name, _ in net.named_buffers()][:2] == [
        "blocks.0.body.layers.1.running_mean",
        "blocks.0.body.layers.1.running_var",
    ]
    assert [name for name, _ in net.named_children()] == ["blocks", "heads"]
    assert [name for name, _ in net.blocks.named_children()] == ["0", "1"]
    net.eval()
    assert not any(m.training for m in net.modules())


def test_a_residual_network_of_containers_trains_and_checks_its_gradients_in_training_mode():
    net = ResNet()
    X, y = rng.normal(size=(8, 4)), rng.normal(size=(8, 3))
    params = dict(net.named_parameters())
    assert gradcheck_params(lambda: nn.functional.mse_loss(net(Tensor(X)), y), params)
    opt = nn.SGD(net.parameters(), lr=0.05)
    tracked = int(net.blocks[0].body[1].num_batches_tracked)
    losses = []
    for _ in range(20):
        net.zero_grad()
        loss = nn.functional.mse_loss(net(Tensor(X)), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    assert net.blocks[0].body[1].num_batches_tracked == tracked + 20


def test_modulelist_behaves_as_a_list_and_keeps_indices_contiguous():
    a, b, c = Identity(), nn.ReLU(), nn.Tanh()
    ml = ModuleList([a, b])
    ml.append(c)
    ml.insert(0, nn.Sigmoid())
    del ml[1]
    assert list(ml) == [ml[0], b, c] and ml[-1] is c and len(ml) == 3
    assert [name for name, _ in ml.named_children()] == ["0", "1", "2"]
    ml[1] = a
    assert ml[1] is a and isinstance(ml[1:], ModuleList) and list(ml[1:]) == [a, c]
    with pytest.raises(IndexError, match="index 3 is out of range for 3 modules"):
        ml[3]
    with pytest.raises(TypeError, match="ModuleList holds Modules, got function"):
        ml.append(lambda x: x)
    with pytest.raises(NotImplementedError, match="call its modules"):
        ml(Tensor(np.zeros(2)))


def test_moduledict_behaves_as_a_dict_and_refuses_names_that_would_hide_modules():
    md = ModuleDict([("enc", nn.Linear(2, 2, seed=0)), ("act", nn.ReLU())])
    md["dec"] = nn.Linear(2, 1, seed=1)
    assert md.keys() == ["enc", "act", "dec"] and "act" in md and len(md) == 3 and list(md) == md.keys()
    assert [name for name, _ in md.named_parameters()] == ["enc.W", "enc.b", "dec.W", "dec.b"]
    assert isinstance(md.pop("act"), nn.ReLU) and "act" not in md
    del md["enc"]
    assert md.keys() == ["dec"] and [v for _, v in md.items()] == md.values()
    for bad in ["", "a.b", "_calls", "_buffer_names", "_optimizer", "keys", "training", "forward"]:
        with pytest.raises(ValueError, match="cannot hold a module named"):
            md[bad] = Identity()
    md["_head"] = nn.Linear(1, 1, seed=2)  # a name as any other, as in PyTorch
    assert md.keys() == ["dec", "_head"] and [n for n, _ in md.named_parameters()][-2:] == ["_head.W", "_head.b"]
    with pytest.raises(TypeError, match="keys are strings, got int"):
        md[0] = Identity()
    with pytest.raises(KeyError, match=r"no module named 'enc'; it has \['dec', '_head'\]"):
        md["enc"]


def test_identity_and_the_reprs():
    x = Tensor(np.ones(3))
    assert Identity()(x) is x
    assert repr(ModuleList([Identity(), Embedding(10, 3)])) == (
        "ModuleList(\n  (0): Identity()\n  (1): Embedding(10, 3)\n)  # 30 parameters"
    )
    assert repr(Dropout2d(0.2)) == "Dropout2d(p=0.2)"


# ---- Embedding ----


def test_embedding_looks_up_rows_for_indices_of_any_shape():
    emb = Embedding(5, 3, seed=0)
    indices = np.array([[0, 4, 4], [2, 0, 1]])
    out = emb(indices)
    assert out.shape == (2, 3, 3) and np.array_equal(out.data, emb.weight.data[indices])
    assert np.array_equal(emb(Tensor(indices)).data, out.data) and emb([3]).shape == (1, 3) and emb(2).shape == (3,)


def test_embedding_gradient_adds_up_at_repeated_indices():
    emb = Embedding(4, 2, dtype=np.float64, seed=0)
    indices = np.array([1, 3, 1, 1])
    emb(indices).sum().backward()
    assert np.array_equal(emb.weight.grad, [[0, 0], [3, 3], [0, 0], [1, 1]])
    emb.zero_grad()
    g = rng.normal(size=(2, 2, 2))
    assert gradcheck_params(lambda: (emb(indices.reshape(2, 2)) * g).sum(), {"weight": emb.weight}, max_per_param=None)


def test_embedding_starts_as_pytorch_normal_0_1_repeatably():
    w = Embedding(1000, 50, seed=3).weight.data
    assert w.dtype == np.float32 and abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01
    assert np.array_equal(w, Embedding(1000, 50, seed=3).weight.data)


def test_embedding_refuses_bad_indices_naming_the_fix():
    emb = Embedding(5, 2)
    with pytest.raises(IndexError, match="index 5 is out of range: this table has rows 0 to 4"):
        emb(np.array([1, 5]))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        emb([-1])
    with pytest.raises(
        TypeError, match=r"integer indices, got dtype float64; cast them \(indices.astype\(np.int64\)\)"
    ):
        emb(np.array([1.0]))
    with pytest.raises(TypeError, match="got dtype bool"):
        emb(np.array([True]))
    with pytest.raises(ValueError, match="Embedding: num_embeddings must be at least 1, got 0"):
        Embedding(0, 2)
    with pytest.raises(IndexError, match="padding_idx 5 is not a row of a table of 5"):
        Embedding(5, 2, padding_idx=5)
    with pytest.raises(TypeError, match="give dtype by keyword"):
        Embedding(5, 2, np.float64)  # dtype given where PyTorch's padding_idx is
    with pytest.raises(ShapeError, match="2-d table of floats"):
        Embedding.from_pretrained(np.arange(6).reshape(2, 3))
    with pytest.raises(TypeError, match="freeze must be True or False"):
        Embedding.from_pretrained(np.ones((2, 3)), freeze="yes")


def test_embedding_padding_row_keeps_its_values_in_training():
    emb = Embedding(4, 2, padding_idx=0, dtype=np.float64, seed=0)
    opt = nn.Adam(emb.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (emb(np.array([0, 2, 0])) ** 2).sum().backward()
        opt.step()
    assert np.all(emb.weight.data[0] == 0) and repr(emb) == "Embedding(4, 2, padding_idx=0)"


# ---- Dropout2d ----


def test_dropout2d_drops_whole_channels_in_training_only():
    x = Tensor(np.ones((8, 16, 3, 3), np.float32))
    drop = Dropout2d(0.5, seed=0)
    y = drop(x).data
    per_channel = y.reshape(8, 16, 9)
    assert set(np.unique(per_channel)) == {0.0, 2.0} and (per_channel.min(-1) == per_channel.max(-1)).all()
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.7 and y.dtype == np.float32
    assert np.array_equal(Dropout2d(0.5, seed=0)(x).data, y)  # seeded: repeatable
    assert drop.eval()(x) is x


def test_dropout2d_gradient_and_errors():
    x, g = rng.normal(size=(2, 3, 2, 2)), rng.normal(size=(2, 3, 2, 2))
    assert gradcheck(lambda t: (Dropout2d(0.4, seed=1)(t) * g).sum(), [x])  # the same mask in every call
    with pytest.raises(ShapeError, match=r"takes input of shape \(N, C, H, W\), got shape \(3, 4\)"):
        Dropout2d()(Tensor(np.zeros((3, 4))))
    with pytest.raises(ValueError, match="p must be at least 0 and below 1"):
        Dropout2d(1.0)


def test_a_moduledict_takes_another_and_the_list_and_dict_share_torchs_methods():
    # ModuleDict(other_moduledict) read the other's keys as pairs: "ModuleDict holds Modules, got str", and
    # update(other_moduledict) "too many values to unpack"; torch's takes a ModuleDict in both
    relu, tanh = nn.ReLU(), nn.Tanh()
    first = ModuleDict({"ab": relu, "cd": tanh})
    second = ModuleDict(first)
    assert second.keys() == ["ab", "cd"] and second["ab"] is relu
    second.update(ModuleDict({"xyz": Identity()}))
    assert second.keys() == ["ab", "cd", "xyz"]
    second.clear()
    assert len(second) == 0 and len(first) == 2
    ml = ModuleList([relu])
    ml += [tanh]
    assert ml.pop() is tanh and list(ml) == [relu] and relu in ml and tanh not in ml


@pytest.mark.parametrize("kind", ["ModuleList", "ParameterList"])
def test_a_list_refuses_an_index_that_is_no_integer_and_stays_as_it_was(kind):
    # ml[1.0] = module was taken: it set an attribute "1.0" beside the items, after which the model's
    # parameters() and state_dict() raised "ambiguous dotted names"; ml[1.0] and ml.pop(0.0) raised KeyError '1.0'
    if kind == "ModuleList":
        held = ModuleList([nn.ReLU(), nn.Linear(2, 2, seed=0)])
    else:
        held = nn.ParameterList([np.ones(2), np.ones(3)])
    first, names = held[0], list(held.state_dict())
    said = f"{kind} indices must be integers or slices, got"
    for bad in (1.0, np.float64(0.0), "1", None):
        with pytest.raises(TypeError, match=said):
            held[bad]
        with pytest.raises(TypeError, match=said):
            held[bad] = first
        with pytest.raises(TypeError, match=said):
            del held[bad]
        with pytest.raises(TypeError, match=said):
            held.pop(bad)
    with pytest.raises(TypeError, match=f"{kind} takes one item at an integer index, got slice"):
        held[0:1] = [first]  # torch's refuses a slice too
    assert len(held) == 2 and list(held.state_dict()) == names and held[0] is first
    assert held[np.int64(-2)] is first and held[False] is first  # integers of any kind, as Python's lists take them


def test_a_container_refuses_a_module_that_holds_it_as_an_attribute_does():
    # model.blocks.append(model) was taken (model.other = model is refused), and Sequential's add(model) too:
    # then parameters(), state_dict() and repr recursed without end (RecursionError)
    model = ResNet()
    count = len(model.parameters())
    for act in (
        lambda: model.blocks.append(model),
        lambda: model.blocks.extend([Identity(), model]),
        lambda: model.blocks.insert(0, model.blocks),
        lambda: model.blocks.__setitem__(0, model),
        lambda: model.heads.__setitem__("me", model),
        lambda: model.heads.update({"all": ModuleList([model])}),
        lambda: model.blocks[0].body.add(model),  # Sequential's add, its sibling
    ):
        with pytest.raises(ValueError, match="would hold a module that holds this one"):
            act()
    assert len(model.parameters()) == count and len(model.blocks) == 2 and model.heads.keys() == ["cls", "norm"]
    assert len(model.blocks[0].body) == 2


def test_modulelist_plus_modules_is_a_new_modulelist_as_torchs():
    # ml + other raised "unsupported operand type(s) for +: 'ModuleList' and 'list'"; torch's gives a new ModuleList
    relu, tanh = nn.ReLU(), nn.Tanh()
    first = ModuleList([relu])
    joined = first + ModuleList([tanh])
    assert type(joined) is ModuleList and list(joined) == [relu, tanh] and list(first) == [relu]
    assert list(first + [tanh]) == [relu, tanh] and [n for n, _ in joined.named_children()] == ["0", "1"]
    with pytest.raises(TypeError, match="ModuleList holds Modules, got int"):
        first + [3]
