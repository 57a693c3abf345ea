"""PyTorch's constructor options of the layers, taken with its meaning: forward, gradients and (for
Embedding's max_norm) the table after the call equal torch's, in float32 and float64; options that
cannot be had here refused by name."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch", reason="PyTorch is the reference these layers are compared with")
T = torch.nn
TORCH = {np.float32: torch.float32, np.float64: torch.float64}
TIGHT = {np.float32: dict(rtol=1e-6, atol=1e-7), np.float64: dict(rtol=1e-14, atol=1e-15)}  # a rounding apart
DTYPES = [np.float32, np.float64]
INDICES = np.array([[0, 2, 2, 5], [1, 2, 0, 4]])  # row 2 three times, row 3 never


def _table(dtype):
    return (np.random.default_rng(0).standard_normal((6, 4)) * 2).astype(dtype)  # norms about 4: most over 1


EMBEDDING_OPTIONS = [
    dict(max_norm=1.0),
    dict(max_norm=1.5, norm_type=1.0),
    dict(max_norm=0.5, norm_type=float("inf")),
    dict(scale_grad_by_freq=True),
    dict(scale_grad_by_freq=True, padding_idx=2, max_norm=1.0),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", EMBEDDING_OPTIONS, ids=str)
def test_embedding_options_match_torch(dtype, options):
    table = _table(dtype)
    ours = nn.Embedding(6, 4, _weight=table, **options)
    theirs = T.Embedding(6, 4, _weight=torch.tensor(table), **options)
    g = np.random.default_rng(1).standard_normal((*INDICES.shape, 4)).astype(dtype)
    out = ours(INDICES)
    (out * Tensor(g, dtype=dtype)).sum().backward()
    out_t = theirs(torch.tensor(INDICES))
    (out_t * torch.tensor(g)).sum().backward()
    assert out.dtype == dtype and ours.weight.grad.dtype == dtype
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **TIGHT[dtype])
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), **TIGHT[dtype])
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), **TIGHT[dtype])  # renormed rows
    if "max_norm" in options:
        assert not np.array_equal(ours.weight.data, table)  # the table changed in place, as torch's


@pytest.mark.parametrize("dtype", DTYPES)
def test_functional_embedding_options_match_torch(dtype):
    weight = Tensor(_table(dtype), requires_grad=True, dtype=dtype)
    weight_t = torch.tensor(_table(dtype), requires_grad=True)
    out = F.embedding(INDICES, weight, None, 2.0, 2.0, True)  # max_norm, norm_type, scale_grad_by_freq by position
    out_t = torch.nn.functional.embedding(torch.tensor(INDICES), weight_t, None, 2.0, 2.0, True)
    (out**2).sum().backward()
    (out_t**2).sum().backward()
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **TIGHT[dtype])
    np.testing.assert_allclose(weight.grad, weight_t.grad.numpy(), **TIGHT[dtype])
    np.testing.assert_allclose(weight.data, weight_t.detach().numpy(), **TIGHT[dtype])


def test_embedding_from_pretrained_takes_torchs_options():
    table = _table(np.float64)
    ours = nn.Embedding.from_pretrained(table, False, 1, 1.0, 2.0, True)
    theirs = T.Embedding.from_pretrained(torch.tensor(table), False, 1, 1.0, 2.0, True)
    assert (ours.max_norm, ours.norm_type, ours.scale_grad_by_freq, ours.padding_idx) == (1.0, 2.0, True, 1)
    ours(INDICES).sum().backward()
    theirs(torch.tensor(INDICES)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), **TIGHT[np.float64])
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), **TIGHT[np.float64])
    assert np.array_equal(table, _table(np.float64))  # a copy is held: the caller's table is left as it was


def test_embedding_weight_and_freeze_as_torchs():
    table = _table(np.float64)
    frozen = nn.Embedding(6, 4, 1, _weight=table, _freeze=True)
    assert frozen.weight.dtype == np.float64 and not frozen.weight.requires_grad
    assert np.array_equal(frozen.weight.data, table)  # the padding row of a table given keeps its values, as torch's
    assert list(frozen.state_dict()) == ["weight"]  # frozen, still the model's
    assert nn.Embedding(6, 4, _weight=table, dtype=np.float32).weight.dtype == np.float32
    assert (nn.Embedding(6, 4).num_embeddings, nn.Embedding(6, 4).embedding_dim) == (6, 4)
    with pytest.raises(autograd.ShapeError, match="_weight must be a 2-d table of floats of shape \\(5, 4\\)"):
        nn.Embedding(5, 4, _weight=table)


def test_embedding_refuses_what_it_cannot_do_naming_the_option():
    with pytest.raises(ValueError, match="sparse=True asks for a sparse gradient.*dense"):
        nn.Embedding(6, 4, sparse=True)
    with pytest.raises(ValueError, match="sparse=True"):
        F.embedding(INDICES, Tensor(_table(np.float64)), sparse=True)
    with pytest.raises(ValueError, match="sparse=True"):
        nn.Embedding.from_pretrained(_table(np.float64), sparse=True)
    emb = nn.Embedding(6, 4)
    for name, value, error in [
        ("max_norm", -1.0, ValueError),
        ("max_norm", float("nan"), ValueError),
        ("max_norm", "1", TypeError),
        ("norm_type", 0.0, ValueError),
        ("scale_grad_by_freq", 1, TypeError),
        ("sparse", True, ValueError),
    ]:
        with pytest.raises(error, match=name):
            setattr(emb, name, value)
        with pytest.raises(error, match=name):
            nn.Embedding(6, 4, **{name: value})
    with pytest.raises(ValueError, match="not available"):
        nn.Embedding(6, 4, device="cuda")


def test_embedding_max_norm_leaves_the_table_alone_when_an_index_is_refused():
    emb = nn.Embedding(6, 4, max_norm=0.1, seed=0)
    before = emb.weight.data.copy()
    with pytest.raises(IndexError):
        emb(np.array([0, 6]))
    assert np.array_equal(emb.weight.data, before)


def test_embedding_options_under_compile_run_eagerly_saying_why():
    emb = nn.Embedding(6, 4, max_norm=1.0, seed=0, dtype=np.float64)

    def step(indices):
        return emb(indices).sum()

    with pytest.warns(autograd.CompileWarning, match="max_norm scales rows"):
        compiled = autograd.compile(step)
        loss = compiled(INDICES)
    assert np.isclose(float(loss.data), float(step(INDICES).data))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layer", ["BatchNorm1d", "GroupNorm", "LayerNorm"])
def test_norm_layers_take_bias_false_as_torch(dtype, layer):
    args = {"BatchNorm1d": (3,), "GroupNorm": (1, 3), "LayerNorm": (3,)}[layer]
    ours = getattr(nn, layer)(*args, dtype=dtype, bias=False)
    theirs = getattr(T, layer)(*args, dtype=TORCH[dtype], bias=False)
    assert ours.bias is None and theirs.bias is None and ours.weight is not None
    assert "bias=False" in repr(ours)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor([0.5, 2.0, -1.0]))
    ours.weight.data[...] = [0.5, 2.0, -1.0]
    x = np.random.default_rng(2).standard_normal((4, 3)).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    x_ours = Tensor(x, requires_grad=True, dtype=dtype)
    (ours(x_ours) ** 3).sum().backward()
    (theirs(xt) ** 3).sum().backward()
    tolerance = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(x_ours.grad, xt.grad.numpy(), **tolerance)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), **tolerance)
    assert [k for k in ours.state_dict() if k in ("weight", "bias")] == ["weight"]


def test_linear_takes_torchs_names_and_micrograds():
    layer = nn.Linear(in_features=784, out_features=10)
    assert (layer.in_features, layer.out_features, layer.W.shape) == (784, 10, (784, 10))
    assert nn.Linear(nin=3, nout=2, seed=0).W.shape == (3, 2)  # micrograd's names, by keyword
    assert nn.Linear(3, 2, False, "cpu", np.float64).b is None
    with pytest.raises(TypeError, match="nin= and in_features="):
        nn.Linear(3, nin=3, in_features=3, out_features=2)
    with pytest.raises(ValueError, match="device 'cuda' is not available"):
        nn.Linear(3, 2, device="cuda")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_softmax_functions_take_torchs_dtype(dtype, name):
    x = np.random.default_rng(3).standard_normal((2, 3)).astype(np.float32) * 5
    xt = torch.tensor(x, requires_grad=True)
    x_ours = Tensor(x, requires_grad=True)
    out = getattr(F, name)(x_ours, 1, 3, dtype)  # PyTorch's order: input, dim, _stacklevel, dtype
    out_t = getattr(torch.nn.functional, name)(xt, 1, dtype=TORCH[dtype])
    (out * out).sum().backward()
    (out_t * out_t).sum().backward()
    assert out.dtype == dtype and x_ours.grad.dtype == np.float32
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **TIGHT[dtype])
    np.testing.assert_allclose(x_ours.grad, xt.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softplus_defaults_to_torchs_threshold(dtype):
    x = np.array([-3.0, 0.5, 19.0, 20.0, 21.0, 25.0], dtype)
    for ours, theirs in [(nn.Softplus(), T.Softplus()), (nn.Softplus(0.5, 5.0), T.Softplus(0.5, 5.0))]:
        xt, x_ours = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True, dtype=dtype)
        ours(x_ours).sum().backward()
        theirs(xt).sum().backward()
        np.testing.assert_allclose(ours(x_ours).data, theirs(xt).detach().numpy(), **TIGHT[dtype])
        np.testing.assert_allclose(x_ours.grad, xt.grad.numpy(), **TIGHT[dtype])
    assert np.array_equal(F.softplus(Tensor(x, dtype=dtype)).data, nn.Softplus()(Tensor(x, dtype=dtype)).data)


def test_containers_take_none_as_torchs():
    assert len(nn.ModuleList(None)) == 0 and len(nn.ModuleDict(None)) == 0
    assert len(nn.ModuleList()) == 0 and len(nn.ModuleDict()) == 0


def test_linear_init_where_device_now_stands_is_told_to_give_it_by_keyword():
    # before PyTorch's device took the fourth place, chainrule's Linear(nin, nout, bias, init, dtype, seed) took
    # init there: such a call was a ValueError "device 'xavier' is not available; use 'cpu' or drop the call"
    for args in [(2, 3, True, "xavier"), (2, 3, True, "he", np.float64)]:
        with pytest.raises(TypeError, match=rf"Linear: {args[3]!r} .* init is given by keyword: init={args[3]!r}"):
            nn.Linear(*args)
