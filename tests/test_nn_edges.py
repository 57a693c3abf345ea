"""nn at its edges, from an audit against torch.nn and torch.optim: an optimizer state whose second
moments overflowed (a float32 gradient above 1.8e19 once) saves and loads as it steps, GroupNorm takes
a batch of 0, a parameter frozen between backward and step is left alone, and dtype=np.float16 gives
float16 parameters."""

import numpy as np
import pytest

import nn
from autograd import Tensor


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("kind", [nn.Adam, nn.AdamW, nn.RMSprop, nn.Adagrad])
def test_a_state_with_overflowed_second_moments_saves_and_loads(kind, tmp_path):
    model = nn.Linear(2, 1, dtype=np.float32, seed=0)
    opt = kind(model.parameters())
    for g in (1e25, 1.0):  # the first step's squares overflow float32: +inf, as torch's too
        for p in model.parameters():
            p.grad = np.full(p.shape, g, np.float32)
        opt.step()
    again = kind(model.parameters())
    again.load_state_dict(opt.state_dict())  # it refused its own state: "parameters must be finite"
    nn.save(model, tmp_path / "m.npz", optimizer=opt)
    nn.load(model, tmp_path / "m.npz", optimizer=again)
    state = opt.state_dict()
    square = next(k for k in state if k.startswith("state.0.") and np.isinf(state[k]).any())
    broken = dict(state, **{square: np.full_like(state[square], np.nan)})
    with pytest.raises(ValueError, match="NaN or -inf"):
        again.load_state_dict(broken)  # NaN stays refused


def test_group_norm_of_a_batch_of_zero():
    out = nn.GroupNorm(2, 4)(Tensor(np.zeros((0, 4, 3), np.float32)))
    assert out.shape == (0, 4, 3)


@pytest.mark.parametrize("kind", [nn.SGD, nn.Adam, nn.RMSprop, nn.Adagrad])
def test_a_parameter_frozen_between_backward_and_step_is_left_alone(kind):
    w = Tensor(np.ones(2), requires_grad=True)
    opt = kind([w], lr=0.1)
    w.grad = np.ones(2)
    w.requires_grad = False  # frozen: "skipped by optimizers", as the README says
    opt.step()
    assert w.frozen and w.data.tolist() == [1.0, 1.0]


def test_float16_layers_have_float16_parameters():
    layers = [
        nn.Linear(3, 2, dtype=np.float16),
        nn.LayerNorm(3, dtype=np.float16),
        nn.Embedding(4, 2, dtype=np.float16),
    ]
    layers += [nn.Conv2d(1, 2, 3, dtype=np.float16), nn.BatchNorm1d(3, dtype=np.float16)]
    for layer in layers:
        assert {p.dtype for p in layer.parameters()} == {np.dtype(np.float16)}, layer
