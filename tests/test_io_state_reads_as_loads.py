"""What a class's own state_dict() gives (nn.save writes it, nn.load checks a file against it) is read as every load
reads a value (nn.export_read.read_value): io_state read it by itself, by other rules, so one bad value got two
answers. A masked array with masked entries was saved with the values it hides (Module.load_state_dict refuses
it), a torch tensor that requires grad or of bfloat16 raised torch's own error naming no entry (a load reads both),
and a ragged list was a TypeError "must be an array" where a load says ValueError "is no array"."""

import numpy as np
import pytest
from torch_reference import torch

import nn


class GivesItRaw(nn.Module):
    """A Linear and an array kept as a plain attribute, which its state_dict gives as it is."""

    def __init__(self, scale):
        super().__init__()
        self.lin, self.scale = nn.Linear(2, 3, seed=0), scale

    def state_dict(self):
        return nn.Module.state_dict(self) | {"scale": self.scale}

    def load_state_dict(self, state, strict=True):
        state = dict(state)
        self.scale = state.pop("scale")
        return nn.Module.load_state_dict(self, state, strict)


BAD = {
    "ragged": lambda: [[1.0], [1.0, 2.0]],
    "masked": lambda: np.ma.masked_array([1.0, 2.0, 3.0], [0, 1, 0]),
    "None": lambda: None,
    "str": lambda: "abc",
}


@pytest.mark.parametrize("kind", BAD)
def test_a_bad_value_gets_the_answer_a_load_gives(tmp_path, kind):
    linear = nn.Linear(2, 3, seed=0)
    with pytest.raises((TypeError, ValueError)) as loading:
        linear.load_state_dict(linear.state_dict() | {"b": BAD[kind]()})
    with pytest.raises(type(loading.value)) as saving:
        nn.save(GivesItRaw(BAD[kind]()), tmp_path / "m.npz")
    said = str(loading.value).removeprefix("cannot load this state into Linear: b ")
    assert str(saving.value).endswith(f"GivesItRaw.state_dict()['scale'] {said}"), (saving.value, loading.value)
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize(
    "scale",
    [
        lambda: torch.tensor([0.5, 2.0, 3.0], requires_grad=True),
        lambda: torch.tensor([0.5, 2.0, 3.0], dtype=torch.bfloat16),
    ],
    ids=["torch-grad", "torch-bfloat16"],
)
def test_tensors_are_read_as_a_load_reads_them(tmp_path, scale):
    path = tmp_path / "m.npz"
    nn.save(GivesItRaw(scale()), path)
    np.testing.assert_array_equal(np.load(path)["scale"], [0.5, 2.0, 3.0])
    loaded = nn.load(GivesItRaw(scale()), path)
    np.testing.assert_array_equal(np.asarray(loaded.scale), [0.5, 2.0, 3.0])
