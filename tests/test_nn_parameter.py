"""nn.Parameter: PyTorch's way of declaring a parameter in __init__. It makes a leaf Tensor that
requires grad over the array given (no copy), which a Module takes as its parameter: trained by an
optimizer, saved and loaded, compiled, drawn; requires_grad=False makes it frozen. Against
torch.nn.Parameter in a module of the same computation, weights copied."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed
from torch_reference import DTYPES, assert_close, torch

import autograd
import nn
import viz
from autograd import Tensor
from nn import functional as F


class _Affine(nn.Module):
    """x @ w + b, its parameters declared as PyTorch users do."""

    def __init__(self, dtype=np.float64):
        rng = np.random.default_rng(0)
        self.w = nn.Parameter(rng.standard_normal((3, 2)).astype(dtype))
        self.b = nn.Parameter(Tensor(np.array([0.5, -1.0], dtype)))

    def forward(self, x):
        return (x @ self.w + self.b).tanh()


class _TorchAffine(torch.nn.Module):
    def __init__(self, ours):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor(ours.w.data.copy()))
        self.b = torch.nn.Parameter(torch.tensor(ours.b.data.copy()))

    def forward(self, x):
        return (x @ self.w + self.b).tanh()


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_module_with_parameters_is_torch_s(dtype):
    ours = _Affine(dtype)
    theirs = _TorchAffine(ours)
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(dtype)
    out = ours(Tensor(x))
    (out * out).sum().backward()
    t = theirs(torch.tensor(x))
    (t * t).sum().backward()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()] == ["w", "b"]
    assert_close("forward", out.data, t.detach().numpy(), dtype)
    assert_close("w's gradient", ours.w.grad, theirs.w.grad.numpy(), dtype)
    assert_close("b's gradient", ours.b.grad, theirs.b.grad.numpy(), dtype)


def test_it_holds_the_array_given_and_shares_a_tensor_s():
    array = np.zeros((2, 3), np.float32)
    p = nn.Parameter(array)
    assert type(p) is Tensor and p.requires_grad and p.op is None and np.shares_memory(p.data, array)
    computed = Tensor(array, requires_grad=True) * 2  # of a computed tensor: a new leaf over its numbers
    q = nn.Parameter(computed)
    assert q.op is None and np.shares_memory(q.data, computed.data)
    assert isinstance(p, nn.Parameter) and isinstance(q, nn.Parameter)
    assert not isinstance(Tensor(array), nn.Parameter) and not isinstance(computed, nn.Parameter)
    assert not isinstance(array, nn.Parameter)


def test_requires_grad_false_is_a_frozen_parameter():
    model = _Affine()
    model.w = nn.Parameter(model.w, requires_grad=False)
    assert model.w.frozen and isinstance(model.w, nn.Parameter)
    assert [n for n, _ in model.named_parameters()] == ["w", "b"]
    before = model.w.data.copy()
    opt = nn.SGD(model.parameters(), lr=0.1)
    model(Tensor(np.ones((2, 3)))).sum().backward()
    opt.step()
    np.testing.assert_array_equal(model.w.data, before)
    assert "w" in model.state_dict()


def test_saved_and_loaded(tmp_path):
    model, other = _Affine(), _Affine()
    other.w.data[...] = 7.0
    nn.save(model, tmp_path / "m.npz")
    nn.load(other, tmp_path / "m.npz")
    np.testing.assert_array_equal(other.w.data, model.w.data)


def test_drawn():
    model = _Affine()
    assert "w" in viz.draw(model(Tensor(np.ones((1, 3)))).sum()).source


def test_a_compiled_step_replays_eager_s_numbers(monkeypatch):
    rng = np.random.default_rng(2)
    data = [(rng.standard_normal((4, 3)), rng.integers(0, 2, 4)) for _ in range(6)]

    def scenario(compile):
        model = _Affine()
        opt = nn.Adam(model.parameters(), lr=0.05)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(Tensor(x)), y)
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        return [(run(x, y), [p.data.copy() for p in model.parameters()]) for x, y in data]

    check_replayed(scenario, monkeypatch, replays_at_least=4)


@pytest.mark.parametrize(
    "data, requires_grad, error, message",
    [
        ([1.0, 2.0], True, TypeError, r"nn.Parameter takes a Tensor or a numpy array, got list"),
        (np.arange(3), True, TypeError, r"nn.Parameter needs floating-point data, got int64"),
        (np.zeros(3), "yes", TypeError, r"nn.Parameter: requires_grad must be True or False"),
    ],
)
def test_wrong_data_is_refused(data, requires_grad, error, message):
    with pytest.raises(error, match=message):
        nn.Parameter(data, requires_grad)


def test_an_autograd_tensor_made_in_init_works_too():
    """autograd.randn(...) as torch.randn(...): what PyTorch code writes inside nn.Parameter."""
    p = nn.Parameter(autograd.randn(3, 4))
    assert p.shape == (3, 4) and p.requires_grad
