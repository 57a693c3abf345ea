"""A frozen parameter (requires_grad switched off after being on) stays its module's, as a frozen
Parameter does in PyTorch: saved and loaded with the rest, given to optimizers (which skip it),
counted; a tensor that never required grad is a constant, and a computed one kept as an attribute
(a layer's last output) is no parameter either."""

import numpy as np

import nn
from autograd import Tensor
from nn.export import from_torch_state_dict, to_torch_state_dict


def model(seed: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 3, seed=seed), nn.ReLU(), nn.Linear(3, 1, seed=seed + 1))


def test_a_frozen_weight_is_saved_and_loaded_frozen_or_not(tmp_path):
    trained = model(0)
    trained[0].W.requires_grad = False
    assert trained[0].W.frozen and not Tensor(np.ones(2)).frozen
    nn.save(trained, tmp_path / "frozen.npz")
    assert "layers.0.W" in trained.state_dict() and trained.count_parameters() == 13
    for freeze in (True, False):
        other = model(5)
        other[0].W.requires_grad = not freeze
        nn.load(other, tmp_path / "frozen.npz")
        np.testing.assert_array_equal(other[0].W.data, trained[0].W.data)
        from_torch_state_dict(other, to_torch_state_dict(trained))  # the export's names agree


def test_an_optimizer_of_all_parameters_skips_the_frozen_ones():
    m = model(0)
    m[0].W.requires_grad = False
    before = m[0].W.data.copy()
    opt = nn.SGD(m.parameters(), lr=0.1)
    opt.zero_grad()
    m(Tensor(np.ones((4, 2)))).sum().backward()
    opt.step()
    np.testing.assert_array_equal(m[0].W.data, before)
    assert m[0].W.grad is None and m[2].W.grad is not None
    m[0].W.requires_grad = True  # unfrozen: trained again
    assert not m[0].W.frozen


def test_a_computed_tensor_kept_as_an_attribute_is_no_parameter():
    class Keeps(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2, seed=0)

        def forward(self, x):
            self.out = self.layer(x)  # kept to be looked at, as in the lectures' layers
            return self.out

    m = Keeps()
    m(Tensor(np.ones((1, 2))))
    assert [name for name, _ in m.named_parameters()] == ["layer.W", "layer.b"]
    nn.Adam(m.parameters())  # no "not a leaf" refusal
