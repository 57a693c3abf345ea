"""from_torch_state_dict's refusal of keys that are not the model's: a state dict whose every key is the model's
under one prefix (DataParallel's `module.`, torch.compile's `_orig_mod.`) is refused saying how to strip it."""

import numpy as np
import pytest

import nn
from nn.export import from_torch_state_dict, to_torch_state_dict


@pytest.mark.parametrize("prefix", ["module.", "_orig_mod."])
def test_a_state_dict_under_a_wrappers_prefix_is_refused_saying_to_strip_it(prefix):
    """The refusal listed the keys alone: missing ['0.bias', ...], unexpected ['module.0.bias', ...]."""
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1))
    before = {name: np.array(value) for name, value in model.state_dict().items()}
    state = {prefix + key: value + 1 for key, value in to_torch_state_dict(model).items()}
    with pytest.raises(ValueError, match=rf"under the prefix '{prefix}'.*k\.removeprefix\('{prefix}'\)"):
        from_torch_state_dict(model, state)
    assert all(np.array_equal(model.state_dict()[name], value) for name, value in before.items())


def test_keys_of_another_model_get_no_prefix_hint():
    with pytest.raises(ValueError, match=r"missing \['weight'\], unexpected \['encoder.weight'\]$"):
        from_torch_state_dict(nn.Linear(2, 3), {"encoder.weight": np.ones((3, 2)), "bias": np.ones(3)})
