"""A model's dtypes as PyTorch's: constant's and masked_fill's fits, float16 norm layers and optimizer steps,
a layer's dtype=None, moments made before a dtype conversion refused, and a shared layer taken to PyTorch and back."""

import numpy as np
import pytest

import nn
from autograd import Tensor


def test_constant_refuses_what_an_integer_tensor_cannot_hold():
    from nn import init

    with pytest.raises(ValueError, match=r"nn.init.constant_: 1e\+300 does not fit int64, which holds"):
        init.constant_(Tensor(np.zeros(3, np.int64)), 1e300)
    with pytest.raises(ValueError, match="nn.init.constant_: an integer of 401 digits does not fit float64"):
        init.constant_(Tensor(np.zeros(3)), 10**400)
    with pytest.raises(ValueError, match="too large to draw from"):
        init.uniform_(Tensor(np.zeros(3)), -1e308, 1e308)


def test_float16_norm_layers_standardize_in_float32_as_pytorchs_half_layers():
    f16 = lambda a: Tensor(np.array(a, np.float16), dtype=np.float16)  # noqa: E731
    np.testing.assert_array_equal(nn.LayerNorm(2, dtype=np.float16)(f16([[300.0, 300.75]])).data, [[-1.0, 1.0]])
    wide = f16([[300, -300, 300, -300]])
    np.testing.assert_array_equal(nn.LayerNorm(4, dtype=np.float16)(wide).data, [[1, -1, 1, -1]])
    np.testing.assert_array_equal(nn.GroupNorm(2, 4, dtype=np.float16)(wide).data, [[1, -1, 1, -1]])
    bn = nn.BatchNorm1d(1, dtype=np.float16)
    out = bn(f16([[300.0], [-300.0]]))
    assert out.dtype == np.float16 and out.data.ravel().tolist() == [1.0, -1.0]
    assert bn.running_var.dtype == np.float16 and np.isfinite(bn.running_var).all()  # was inf; 18000 fits


@pytest.mark.parametrize(
    "make", [nn.RMSprop, nn.Adagrad, nn.Adam, nn.NAdam, nn.Adamax, lambda ps, lr: nn.RMSprop(ps, lr, momentum=0.9)]
)
def test_float16_adaptive_steps_leave_an_entry_of_zero_gradient_alone(make):
    w = Tensor(np.ones(3, np.float16), requires_grad=True, dtype=np.float16)
    (w * Tensor(np.array([1, 0, 1], np.float16), dtype=np.float16)).sum().backward()
    make([w], lr=0.01).step()  # eps rounds to 0 in float16: 0 / 0 there gave NaN
    assert np.isfinite(w.data).all() and w.data[1] == 1


def test_float16_adam_steps_0_where_the_square_of_a_small_gradient_underflows():
    w = Tensor(np.ones(4), requires_grad=True, dtype=np.float16)
    w.grad = np.array([5e-3, 1e-3, -2e-3, 1.0], np.float16)  # 0.001 * g**2 is 0 in float16 for the first three
    nn.Adam([w], lr=1e-3).step()
    assert w.data[:3].tolist() == [1.0, 1.0, 1.0] and w.data[3] < 1  # m / 0 was -inf, -inf, inf


def test_clipping_takes_create_graph_gradients():
    a, b = Tensor(np.array([5.0, -5.0]), requires_grad=True), Tensor(np.array([5.0, -5.0]), requires_grad=True)
    (a * a).sum().backward()
    (b * b * b).sum().backward(create_graph=True)
    nn.clip_grad_value_([a, b], 1.0)
    assert a.grad.tolist() == [1.0, -1.0] and b.grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("make", [nn.Linear, lambda i, o, dtype: nn.Conv1d(i, o, 1, dtype=dtype), nn.Embedding])
def test_a_layers_dtype_none_is_float32_and_longdouble_is_refused(make):
    assert all(p.dtype == np.float32 for p in make(3, 2, dtype=None).parameters())
    with pytest.raises(TypeError, match="float16, float32 or float64"):
        make(3, 2, dtype=np.longdouble)


def test_masked_fill_keeps_the_tensors_dtype():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    mask = np.array([True, False, True])
    assert x.masked_fill(mask, np.float64(2.0)).dtype == np.float32
    assert x.masked_fill(mask, Tensor(np.array(2.0), requires_grad=True)).dtype == np.float32


def test_a_shared_layer_goes_to_pytorch_and_back_under_each_name():
    torch = pytest.importorskip("torch", reason="PyTorch's state_dict names a shared module twice")

    class Twice(nn.Module):
        def __init__(self):
            self.a = nn.Linear(2, 2, seed=0)
            self.b = self.a

    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(2, 2)
            self.b = self.a

    model = Twice()
    assert sorted(nn.export.to_torch_state_dict(model)) == sorted(Theirs().state_dict())
    nn.export.from_torch_state_dict(model, Theirs().state_dict())
    assert repr(model).count("Linear(2 -> 2") == 2


def test_a_0_d_parameters_moments_made_before_a_dtype_conversion_are_refused():
    class Scale(nn.Module):
        def __init__(self):
            self.t = Tensor(np.array(1.0, np.float32), requires_grad=True)

        def forward(self, x):
            return (x * self.t).sum()

    model = Scale()
    opt = nn.Adam(model.parameters())
    model(Tensor(np.ones(2, np.float32))).backward()
    opt.step()
    model.double()
    model(Tensor(np.ones(2))).backward()
    with pytest.raises(TypeError, match="convert the model first"):
        opt.step()


@pytest.mark.parametrize(
    ("data", "value"), [(np.ones(2, np.float16), 1e5), (np.arange(2, dtype=np.int8), 300), (np.arange(2), np.nan)]
)
def test_masked_fill_refuses_a_value_the_tensors_dtype_cannot_hold(data, value):
    with pytest.raises(ValueError, match="masked_fill"):
        Tensor(data, dtype=data.dtype).masked_fill(np.array([True, False]), value)
