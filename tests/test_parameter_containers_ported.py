"""nn.ParameterList and nn.ParameterDict, as PyTorch's: ported code that builds them (`self.ws =
nn.ParameterList([...])`, a mixture of experts' weights, per-task scales) was an AttributeError. Each tensor added
is made a parameter; the state dict's names are torch's (`ws.0`, `scales.a`), so torch's weights load one to one,
and a few Adam steps follow torch's."""

import numpy as np
import pytest
from torch_reference import torch

import autograd
import nn
from autograd import Tensor
from nn.export import from_torch_state_dict


def _model(ns):
    class Experts(ns.Module):
        def __init__(self):
            super().__init__()
            self.ws = ns.ParameterList([ns.Parameter(torch.randn(3, 2) if ns is torch.nn else autograd.randn(3, 2))])
            self.ws.append(ns.Parameter(torch.randn(3, 2) if ns is torch.nn else autograd.randn(3, 2)))
            self.scales = ns.ParameterDict({"a": ns.Parameter(torch.ones(2) if ns is torch.nn else autograd.ones(2))})
            self.scales["b"] = ns.Parameter(torch.ones(2) if ns is torch.nn else autograd.ones(2))

        def forward(self, x):
            out = sum(x @ w for w in self.ws)
            return out * self.scales["a"] + self.scales["b"]

    return Experts()


def test_a_model_of_parameter_containers_loads_torchs_weights_and_follows_its_steps():
    torch.manual_seed(0)
    theirs = _model(torch.nn).double()
    ours = _model(nn).to(np.float64)
    assert (
        list(theirs.state_dict()) == [n for n, _ in ours.named_parameters()] == ["ws.0", "ws.1", "scales.a", "scales.b"]
    )
    from_torch_state_dict(ours, theirs.state_dict())
    opt_t, opt_o = torch.optim.Adam(theirs.parameters(), lr=0.1), nn.Adam(ours.parameters(), lr=0.1)
    x = np.random.default_rng(0).standard_normal((4, 3))
    for _ in range(5):
        opt_t.zero_grad(), opt_o.zero_grad()
        (theirs(torch.from_numpy(x)) ** 2).mean().backward()
        (ours(Tensor(x)) ** 2).mean().backward()
        opt_t.step(), opt_o.step()
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(dict(ours.named_parameters())[name].data, p.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_tensors_and_arrays_added_are_made_parameters_and_other_things_refused():
    frozen = nn.Parameter(autograd.ones(2), requires_grad=False)
    ws = nn.ParameterList([autograd.zeros(2), np.ones(3), frozen])
    ws += [autograd.ones(1)]
    ws.insert(0, autograd.ones(4))
    ws[1] = np.zeros(2)
    assert all(isinstance(w, nn.Parameter) for w in ws) and ws[3] is frozen and len(ws) == 5
    scales = nn.ParameterDict([("a", autograd.ones(1)), ("b", np.ones(2))])
    scales.update({"c": autograd.zeros(1)})
    assert scales.setdefault("d", autograd.ones(1)) is scales["d"] and all(p.requires_grad for p in scales.values())
    with pytest.raises(TypeError, match=r"ParameterList holds parameters .*got float"):
        ws.append(0.5)
    with pytest.raises(TypeError, match=r"ParameterDict holds parameters .*got str"):
        scales.update({"e": autograd.ones(1), "f": "text"})
    assert "e" not in scales  # checked before any is set
