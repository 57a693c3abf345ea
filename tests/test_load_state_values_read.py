"""Module.load_state_dict reads each value as nn.export.from_torch_state_dict reads it (export_read): a layer whose
names are torch's (Conv2d, BatchNorm) takes `torch_layer.state_dict()` directly, so a bfloat16 checkpoint, a tensor
that requires grad (`dict(model.named_parameters())`) or a meta tensor reached numpy's conversion and raised
torch's own error naming no key ("Got unsupported ScalarType BFloat16"). A masked array loaded the values under
its mask, silently."""

import numpy as np
import pytest

import nn

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e '.[reference]')")


def masked() -> np.ndarray:
    mask = np.zeros((3, 2, 3, 3), bool)
    mask[0, 0] = True
    return np.ma.masked_array(np.ones((3, 2, 3, 3), np.float32), mask=mask)


def pair() -> tuple[nn.Module, "torch.nn.Module"]:
    return nn.Conv2d(2, 3, 3), torch.nn.Conv2d(2, 3, 3)


def test_a_bfloat16_state_of_torchs_layer_loads_cast_to_the_layers_dtype():
    ours, theirs = pair()
    state = theirs.to(torch.bfloat16).state_dict()
    ours.load_state_dict(state)
    assert ours.weight.data.dtype == np.float32
    assert np.array_equal(ours.weight.data, state["weight"].float().numpy())


def test_parameters_that_require_grad_load_as_torchs_load_state_dict_takes_them():
    ours, theirs = pair()
    ours.load_state_dict(dict(theirs.named_parameters()))
    assert np.array_equal(ours.bias.data, theirs.bias.detach().numpy())


@pytest.mark.parametrize(
    ("value", "error", "says"),
    [
        (lambda: torch.empty(3, 2, 3, 3, device="meta"), ValueError, "weight is a torch.float32 tensor on the meta"),
        (masked, ValueError, "weight is a masked array with 9 masked entries"),
    ],
    ids=["meta", "masked"],
)
def test_what_is_no_array_of_numbers_is_refused_naming_the_key_and_nothing_changes(value, error, says):
    ours, theirs = pair()
    state = {"weight": value() if callable(value) else value, "bias": np.zeros(3, np.float32)}
    before = ours.weight.data.copy(), ours.bias.data.copy()
    with pytest.raises(error, match=f"cannot load this state into Conv2d: {says}"):
        ours.load_state_dict(state)
    assert np.array_equal(ours.weight.data, before[0]) and np.array_equal(ours.bias.data, before[1])
