"""nn.save refuses, before writing anything, a name its format cannot hold (which used to give a
file nn.load refuses, replacing the good one, or a bare error naming no file): a NUL or more than
64 KiB in a .npz (zip's names), '__metadata__' in a .safetensors, a lone surrogate in either."""

import warnings

import numpy as np
import pytest

import autograd
import nn


class Keyed(nn.Module):
    def __init__(self, key: str) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a dict of modules: ModuleDict is suggested
            self.d = {key: nn.Linear(2, 2, seed=0)}


class Meta(nn.Module):
    def __init__(self) -> None:
        self.__metadata__ = autograd.Tensor(np.ones(2), requires_grad=True)


@pytest.fixture
def safetensors():
    pytest.importorskip("safetensors.numpy", reason='safetensors is not installed: pip install -e ".[safetensors]"')


def refused_keeping_the_old_file(model: nn.Module, path, match: str) -> None:
    path.write_bytes(b"the previous checkpoint")
    with pytest.raises(ValueError, match=match) as error:
        nn.save(model, path)
    assert str(path) in str(error.value) and "nn.save did not write it" in str(error.value)
    assert path.read_bytes() == b"the previous checkpoint"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_a_nul_in_a_name_is_refused_by_save_as_npz_keeping_the_old_file(tmp_path):
    refused_keeping_the_old_file(Keyed("a\0b"), tmp_path / "m.npz", r"'d\.a\\x00b\.W' holds a NUL character")


def test_a_name_longer_than_a_zip_entrys_is_refused_by_save_as_npz(tmp_path):
    refused_keeping_the_old_file(Keyed("x" * 70_000), tmp_path / "m.npz", r"more than the 65,535 bytes")


def test_a_parameter_named_metadata_is_refused_by_save_as_safetensors_keeping_the_old_file(safetensors, tmp_path):
    refused_keeping_the_old_file(Meta(), tmp_path / "m.safetensors", r"'__metadata__' is the \.safetensors header's")


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_a_lone_surrogate_in_a_name_is_a_value_error_naming_the_path(suffix, tmp_path):
    if suffix == ".safetensors":
        pytest.importorskip("safetensors.numpy")
    refused_keeping_the_old_file(Keyed("\udc80"), tmp_path / f"m{suffix}", r"holds '\\udc80', a lone surrogate")


def test_each_name_saves_and_loads_in_the_format_that_holds_it(safetensors, tmp_path):
    for model, path in ((Keyed("a\0b"), tmp_path / "m.safetensors"), (Meta(), tmp_path / "m.npz")):
        nn.save(model, path)
        again = type(model)("a\0b") if isinstance(model, Keyed) else Meta()
        for p in again.parameters():
            p.data[...] = 0
        nn.load(again, path)
        assert all(np.array_equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values()))
