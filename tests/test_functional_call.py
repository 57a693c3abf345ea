"""nn.functional_call, torch.func.functional_call's: a module run with other tensors in place of its parameters
and buffers, the module left as it was (also where forward raises), every name and value checked before anything
changes. A MAML meta-gradient through it against torch 2.13's in float64."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value

torch = pytest.importorskip("torch")

X = np.random.default_rng(0).normal(size=(6, 3))
Y = np.random.default_rng(1).normal(size=(6, 2))


def _model():
    return nn.Sequential(nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 2, seed=1)).to(np.float64)


def _torch_twin(model):
    twin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    with torch.no_grad():
        for ours, theirs in zip((model[0], model[2]), (twin[0], twin[2])):
            theirs.weight.copy_(torch.from_numpy(ours.W.data.T.copy()))
            theirs.bias.copy_(torch.from_numpy(ours.b.data.copy()))
    return twin


def test_a_maml_meta_gradient_matches_torch_func():
    """One inner SGD step with create_graph, the outer loss at the stepped weights, differentiated to the start."""
    model, lr = _model(), 0.3
    params = dict(model.named_parameters())
    inner = ((nn.functional_call(model, params, Tensor(X)) - Tensor(Y)) ** 2).mean()
    grads = autograd.gradients(inner, list(params.values()), create_graph=True)
    stepped = {name: p - lr * g for (name, p), g in zip(params.items(), grads)}
    outer = ((nn.functional_call(model, stepped, Tensor(X * 0.5)) - Tensor(Y)) ** 2).mean()
    outer.backward()

    twin = _torch_twin(model)
    theirs = dict(twin.named_parameters())
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    t_inner = ((torch.func.functional_call(twin, theirs, (x,)) - y) ** 2).mean()
    t_grads = torch.autograd.grad(t_inner, list(theirs.values()), create_graph=True)
    t_stepped = {name: p - lr * g for (name, p), g in zip(theirs.items(), t_grads)}
    t_outer = ((torch.func.functional_call(twin, t_stepped, (x * 0.5,)) - y) ** 2).mean()
    t_outer.backward()

    assert outer.item() == pytest.approx(t_outer.item(), rel=1e-13)
    for ours, theirs_layer in zip((model[0], model[2]), (twin[0], twin[2])):
        np.testing.assert_allclose(ours.W.grad, theirs_layer.weight.grad.numpy().T, rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(ours.b.grad, theirs_layer.bias.grad.numpy(), rtol=1e-11, atol=1e-14)


def test_the_module_is_left_as_it_was_also_where_forward_raises():
    model = _model()
    before = dict(model.named_parameters())
    out = nn.functional_call(model, {"layers.0.W": Tensor(np.zeros((3, 4)))}, Tensor(X))
    np.testing.assert_allclose(out.data, np.broadcast_to(model[2](model[1](Tensor(model[0].b.data))).data, (6, 2)))
    assert dict(model.named_parameters()) == before  # the same objects, by identity
    with pytest.raises(Exception, match="3"):
        nn.functional_call(model, {"layers.2.b": Tensor(np.ones(2))}, Tensor(np.ones((6, 5))))  # forward's shape error
    assert all(a is b for a, b in zip(model.parameters(), before.values()))


def test_a_hessian_in_the_weights_of_a_dict():
    """autograd.hessian of a function of a dict of weights: the second derivative of the loss in b of the last layer."""
    model = _model()
    b0 = model[2].b

    def loss(b):
        return ((nn.functional_call(model, {"layers.2.b": b}, Tensor(X)) - Tensor(Y)) ** 2).sum()

    h = autograd.hessian(loss)(Tensor(b0.data.copy()))
    np.testing.assert_allclose(np.asarray(h.data if hasattr(h, "data") else h), 2 * len(X) * np.eye(2), rtol=1e-12)


def test_a_buffer_and_a_tied_parameter_and_values():
    bn = nn.Sequential(nn.Linear(3, 3, seed=2), nn.BatchNorm1d(3)).to(np.float64).eval()
    shifted = nn.functional_call(bn, {"layers.1.running_mean": np.ones(3)}, Tensor(X))
    plain = bn(Tensor(X))
    np.testing.assert_allclose(plain.data - shifted.data, np.broadcast_to(1 / np.sqrt(1 + 1e-5), (6, 3)), rtol=1e-12)
    assert np.array_equal(bn[1].running_mean, np.zeros(3))

    shared = nn.Linear(3, 3, seed=3).to(np.float64)
    tied = nn.Sequential(shared, nn.Tanh(), shared)
    w = Tensor(np.eye(3))
    out = nn.functional_call(tied, {"layers.2.W": w}, Tensor(X))  # either name of a tied parameter
    expected = np.tanh(X + shared.b.data) + shared.b.data
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    with pytest.raises(ValueError, match="tied"):
        nn.functional_call(tied, {"layers.0.W": w, "layers.2.W": Tensor(np.eye(3))}, Tensor(X))

    mlp = nn.MLP(2, [1], seed=0)
    (name, p), *_ = mlp.named_parameters()
    out = nn.functional_call(mlp, {name: Value(0.0)}, [Value(1.0), Value(1.0)])
    assert isinstance(out, Value)


@pytest.mark.parametrize(
    ("given", "error", "words"),
    [
        ({"layers.0.weight": Tensor(np.ones((3, 4)))}, KeyError, "no parameter or buffer 'layers.0.weight'"),
        ({"layers.0.W": np.ones((3, 4))}, TypeError, "'layers.0.W' takes a Tensor"),
        ({"layers.0.W": Tensor(np.ones((4, 3)))}, ValueError, r"'layers.0.W' has shape \(3, 4\), given \(4, 3\)"),
        (
            [{"layers.0.W": Tensor(np.ones((3, 4)))}, {"layers.0.W": Tensor(np.ones((3, 4)))}],
            ValueError,
            "in two of the dicts",
        ),
        ("layers.0.W", TypeError, "a dict of name -> tensor"),
    ],
)
def test_bad_names_and_values_are_refused_before_anything_changes(given, error, words):
    model = _model()
    before = list(model.parameters())
    with pytest.raises(error, match=words):
        nn.functional_call(model, given, Tensor(X))
    assert all(a is b for a, b in zip(model.parameters(), before))


def test_strict_asks_for_every_name():
    model = _model()
    with pytest.raises(KeyError, match="strict=True"):
        nn.functional_call(model, {"layers.0.W": model[0].W}, Tensor(X), strict=True)
    every = dict(model.named_parameters())
    np.testing.assert_array_equal(nn.functional_call(model, every, Tensor(X), strict=True).data, model(Tensor(X)).data)


def test_strict_takes_a_tied_parameter_by_one_of_its_names():
    """named_parameters gives a tied parameter once: its dict under strict=True was refused for the other name
    (KeyError 'layers.2.W' not given); torch.func's strict takes either name of a tied one."""
    shared = nn.Linear(3, 3, seed=0).to(np.float64)
    tied = nn.Sequential(shared, nn.Tanh(), shared)
    given = {name: p * 0.5 for name, p in tied.named_parameters()}
    assert sorted(given) == ["layers.0.W", "layers.0.b"]
    out = nn.functional_call(tied, given, Tensor(X), strict=True)
    halved = np.tanh(X @ (shared.W.data * 0.5) + shared.b.data * 0.5) @ (shared.W.data * 0.5) + shared.b.data * 0.5
    np.testing.assert_allclose(out.data, halved, rtol=1e-13)
    with pytest.raises(KeyError, match="'layers.0.b'"):  # a parameter given under none of its names still counts
        nn.functional_call(tied, {"layers.2.W": given["layers.0.W"]}, Tensor(X), strict=True)


class _Penalised(nn.Module):
    """A forward that reads its own parameters (a weight penalty, as a regularised MAML loss has)."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(2, 2, seed=0)

    def forward(self, x):
        return self.layer(x).sum() + sum((p * p).sum() for p in self.parameters())


def test_forward_sees_the_replacements_as_its_parameters():
    """torch.func's forward lists what it was given under the parameters' names; a computed tensor in W's place
    was no parameter, so the penalty left it out (0 for W of ones, torch's 4 plus the output's)."""
    model = _Penalised()
    x = np.array([[1.0, -2.0]])
    ones = Tensor(np.ones((2, 2)), requires_grad=True) * 1.0  # computed, as a MAML step's weights are
    out = nn.functional_call(model, {"layer.W": ones}, Tensor(x))
    b = model.layer.b.data
    assert out.item() == pytest.approx((x @ np.ones((2, 2)) + b).sum() + 4.0 + (b * b).sum(), rel=1e-12)
    twin = torch.nn.Linear(2, 2).double()
    with torch.no_grad():
        twin.bias.copy_(torch.tensor(b))

    class Twin(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = twin

        def forward(self, x):
            return self.layer(x).sum() + sum((p * p).sum() for p in self.parameters())

    theirs = torch.func.functional_call(
        Twin(), {"layer.weight": torch.ones(2, 2, dtype=torch.float64)}, (torch.tensor(x),)
    )
    assert out.item() == pytest.approx(theirs.item(), rel=1e-12)
    assert [name for name, _ in model.named_parameters()] == ["layer.W", "layer.b"]  # its own back after
    assert model.layer.W is not ones


class _Nested(nn.Module):
    """A forward that calls functional_call on its own layer (a MAML inner step inside a model)."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(2, 2, seed=0)

    def forward(self, x):
        return nn.functional_call(self.layer, {"W": Tensor(np.ones((2, 2)))}, x).sum() + self.layer(x).sum()


def test_a_call_inside_a_call_finds_the_outer_replacement_by_its_name():
    """The outer call's tensor stands in W's place: the inner call named "W" and found no parameter (KeyError)."""
    model = _Nested()
    x = np.array([[1.0, -2.0]])
    outer = Tensor(np.zeros((2, 2)))
    out = nn.functional_call(model, {"layer.W": outer}, Tensor(x))
    b = model.layer.b.data
    assert out.item() == pytest.approx((x @ np.ones((2, 2)) + b).sum() + (x @ np.zeros((2, 2)) + b).sum(), rel=1e-12)
    assert model.layer.W is not outer and [n for n, _ in model.named_parameters()] == ["layer.W", "layer.b"]
