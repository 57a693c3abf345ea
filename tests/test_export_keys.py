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


@pytest.mark.parametrize("prefix", ["module._orig_mod.", "_orig_mod.module."])
def test_nested_wrappers_prefixes_are_named_whole(prefix):
    """DataParallel over a compiled model (or the reverse) nests the two prefixes: the refusal gave no hint."""
    model = nn.Linear(2, 3, seed=0)
    state = {prefix + key: value for key, value in to_torch_state_dict(model).items()}
    with pytest.raises(ValueError, match=rf"under the prefix '{prefix}'.*k\.removeprefix\('{prefix}'\)"):
        from_torch_state_dict(model, state)
    from_torch_state_dict(model, {key.removeprefix(prefix): value for key, value in state.items()})  # as it says


def test_torchs_averaged_model_keys_are_refused_saying_to_take_those_under_module():
    """torch.optim.swa_utils.AveragedModel's state dict is n_averaged and the model's keys under 'module.': the
    refusal gave no hint (and where the first key was under 'module.', a strip that left n_averaged unexpected)."""
    from torch_reference import torch

    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    state = torch.optim.swa_utils.AveragedModel(theirs).state_dict()
    fix = r"\{k\.removeprefix\('module\.'\): v for k, v in state\.items\(\) if k\.startswith\('module\.'\)\}"
    with pytest.raises(ValueError, match=rf"under the prefix 'module\.'.* beside \['n_averaged'\]: take them, {fix}"):
        from_torch_state_dict(model, state)
    taken = {k.removeprefix("module."): v for k, v in state.items() if k.startswith("module.")}  # as it says
    assert np.array_equal(from_torch_state_dict(model, taken).layers[0].W.data, theirs[0].weight.detach().numpy().T)


def test_keys_of_the_model_only_in_part_under_a_prefix_get_no_hint():
    model = nn.Linear(2, 3, seed=0)
    with pytest.raises(ValueError, match=r"unexpected \['module.bias'\]$"):
        from_torch_state_dict(model, {"module.bias": np.ones(3), "weight": np.ones((3, 2))})


def test_a_model_whose_own_child_is_named_module_gets_the_hint_for_one_prefix_more():
    class Holder(nn.Module):
        def __init__(self):
            self.module = nn.Linear(2, 3, seed=0)

    model = Holder()
    state = {"module." + key: value for key, value in to_torch_state_dict(model).items()}  # module.module.weight
    with pytest.raises(ValueError, match=r"under the prefix 'module.'"):
        from_torch_state_dict(model, state)
    with pytest.raises(ValueError, match=r"unexpected \['bias', 'weight'\]$"):  # stripped once too often: no hint
        from_torch_state_dict(model, {k.removeprefix("module."): v for k, v in to_torch_state_dict(model).items()})


@pytest.mark.parametrize("prefix, whose", [("model.", None), ("net.backbone.", None), ("module.", "DataParallel")])
def test_a_prefix_no_wrapper_puts_is_not_called_a_wrappers(prefix, whose):
    """A user's own prefix ('model.', a checkpoint's) was said to be "a wrapper's: DataParallel's and AveragedModel's
    'module.', torch.compile's '_orig_mod.'"; the way to strip it is the same, a wrapper named only where it is."""
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    state = {prefix + key: value for key, value in to_torch_state_dict(model).items()}
    with pytest.raises(ValueError, match=rf"under the prefix '{prefix}'") as info:
        from_torch_state_dict(model, state)
    assert ("a wrapper's" in str(info.value)) == (whose is not None)
    assert whose is None or whose in str(info.value)
