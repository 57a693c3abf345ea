"""The creation functions take PyTorch's `device=` keyword (`zeros(n, device=x.device)`, device-agnostic code as
ported): the CPU accepted in each of its spellings, any other device refused naming the function; without it,
a TypeError for an unexpected keyword met the ported line."""

import numpy as np
import pytest

import autograd
from autograd import Tensor

CALLS = {
    "tensor": lambda **k: autograd.tensor([1.0, 2.0], **k),
    "zeros": lambda **k: autograd.zeros(2, 3, **k),
    "ones": lambda **k: autograd.ones((2,), **k),
    "full": lambda **k: autograd.full((2,), 1.5, **k),
    "eye": lambda **k: autograd.eye(2, **k),
    "arange": lambda **k: autograd.arange(4, **k),
    "linspace": lambda **k: autograd.linspace(0, 1, 5, **k),
    "zeros_like": lambda **k: autograd.zeros_like(np.ones(2), **k),
    "ones_like": lambda **k: autograd.ones_like(np.ones(2), **k),
    "full_like": lambda **k: autograd.full_like(np.ones(2), 3.0, **k),
    "rand": lambda **k: autograd.rand(2, **k),
    "randn": lambda **k: autograd.randn(2, **k),
    "randint": lambda **k: autograd.randint(0, 5, (3,), **k),
    "rand_like": lambda **k: autograd.rand_like(np.ones(2), **k),
    "randn_like": lambda **k: autograd.randn_like(np.ones(2), **k),
}


def test_every_creation_function_is_listed():
    assert set(CALLS) == set(autograd.creation.__all__) - {"manual_seed", "default_generator"}


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("device", ["cpu", "cpu:0", None, Tensor(1.0).device])
def test_the_cpu_is_taken_and_changes_nothing(name, device):
    autograd.manual_seed(0)
    made = CALLS[name](device=device)
    autograd.manual_seed(0)
    np.testing.assert_array_equal(made.data, CALLS[name]().data)


@pytest.mark.parametrize("name", CALLS)
def test_another_device_is_refused_naming_the_function(name):
    with pytest.raises(ValueError, match=rf"^{name}: chainrule computes with numpy on the CPU, so device 'cuda:0'"):
        CALLS[name](device="cuda:0")


@pytest.mark.parametrize("device", [["cpu"], 3.5, True, None.__class__])
@pytest.mark.parametrize("call", ["zeros", "to"])
def test_a_device_of_no_devices_type_is_a_type_error(call, device):
    """device=['cpu'] or 3.5 was a ValueError 'device ['cpu'] is not available' (torch's is a TypeError): the
    type is wrong, not the device."""
    with pytest.raises(TypeError, match=rf"^{call}: a device is a str, an int or a torch.device, got "):
        autograd.zeros(2, device=device) if call == "zeros" else autograd.zeros(2).to(device=device)


@pytest.mark.parametrize("device", ["cpu:abc", "cpu:", "cpu:0:1", "cpu:-1"])
def test_a_cpu_of_no_index_is_refused_as_torchs(device):
    """'cpu:abc' was taken as the CPU; torch refuses it ('Invalid device string')."""
    with pytest.raises(ValueError, match="zeros: chainrule computes with numpy on the CPU"):
        autograd.zeros(2, device=device)
