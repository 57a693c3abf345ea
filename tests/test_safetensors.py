"""nn.save and nn.load of .safetensors files: the format picked by the suffix, files other tools
read, written atomically; and what happens without the safetensors package. (Crafted, hostile
files are in test_trust_files_safetensors.py, beside test_trust_files.py's .npz ones.)"""

import json
import os
import re
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst
from test_fuzz_readers import loads_or_refuses_naming_it, model, mutated

import nn


@pytest.fixture
def st():
    return pytest.importorskip(
        "safetensors.numpy", reason='safetensors is not installed: pip install -e ".[safetensors]"'
    )


def safetensors_file(header: dict | bytes, data: bytes = b"", length: int | None = None) -> bytes:
    """A .safetensors file by hand: the header's length (or `length`, to lie), the header, the data."""
    text = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
    return (len(text) if length is None else length).to_bytes(8, "little") + text + data


def by_hand(state: dict[str, np.ndarray]) -> bytes:
    """The .safetensors file of a state, written without the library (as the fuzz test's base)."""
    header, data = {}, b""
    codes = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64"}
    for name, array in state.items():
        header[name] = {
            "dtype": codes[array.dtype],
            "shape": list(array.shape),
            "data_offsets": [len(data), len(data) + array.nbytes],
        }
        data += array.tobytes()
    return safetensors_file(header, data)


def same(a: nn.Module, b: nn.Module) -> bool:
    return all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))


def test_a_model_round_trips_and_other_tools_read_its_named_arrays(st, tmp_path):
    saved, path = model(), tmp_path / "model.safetensors"
    nn.save(saved, path)
    arrays = st.load_file(path)
    assert sorted(arrays) == ["layers.0.W", "layers.0.b", "layers.2.W", "layers.2.b"]
    assert all(np.array_equal(arrays[name], value) for name, value in saved.state_dict().items())
    assert arrays["layers.0.W"].dtype == np.float32
    loaded = nn.load(nn.Sequential(nn.Linear(3, 4, seed=5), nn.ReLU(), nn.Linear(4, 2, seed=6)), path)
    assert same(loaded, saved)


def test_a_micrograd_mlp_round_trips_its_values_as_0_d_float64(st, tmp_path):
    micro, path = nn.MLP(2, [16, 16, 1], seed=0), tmp_path / "micro.safetensors"  # moons.py's: 337 entries
    nn.save(micro, path)
    arrays = st.load_file(path)
    assert arrays["layers.0.neurons.2.w.1"].shape == () and arrays["layers.0.neurons.2.w.1"].dtype == np.float64
    copy = nn.load(nn.MLP(2, [16, 16, 1], seed=1), path)
    assert [p.data for p in copy.parameters()] == [p.data for p in micro.parameters()]


def test_a_parameter_in_fortran_order_is_saved_in_its_true_layout(st, tmp_path):
    """The library writes an array's memory as it lies; nn.save hands it C order."""
    saved = nn.Linear(2, 3, dtype=np.float64, seed=0)
    saved.W.data = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    nn.save(saved, tmp_path / "f.safetensors")
    assert np.array_equal(st.load_file(tmp_path / "f.safetensors")["W"], np.arange(6.0).reshape(2, 3))
    assert np.array_equal(nn.load(nn.Linear(2, 3, seed=1), tmp_path / "f.safetensors").W.data, saved.W.data)


def test_metadata_and_the_libraries_padding_are_read(st, tmp_path):
    state = {name: value * 2 for name, value in model().state_dict().items()}
    st.save_file(state, tmp_path / "meta.safetensors", metadata={"format": "np", "note": "from elsewhere"})
    loaded = nn.load(model(), tmp_path / "meta.safetensors")
    assert np.array_equal(loaded.state_dict()["layers.2.W"], state["layers.2.W"])


def test_float16_and_float64_files_are_cast_to_the_parameters_dtype(st, tmp_path):
    W = np.arange(6, dtype=np.float64).reshape(2, 3) / 8
    st.save_file({"W": W, "b": np.ones(3, np.float16)}, tmp_path / "wide.safetensors")
    loaded = nn.load(nn.Linear(2, 3, seed=0), tmp_path / "wide.safetensors")
    assert (
        loaded.W.dtype == np.float32 and np.array_equal(loaded.W.data, W) and np.array_equal(loaded.b.data, np.ones(3))
    )


def test_a_failed_write_leaves_the_old_file_and_no_debris(st, tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    nn.save(model(), path)
    before = path.read_bytes()

    def fail(state, metadata=None):
        raise MemoryError("no room to serialise")

    monkeypatch.setattr(st, "save", fail)
    with pytest.raises(MemoryError):
        nn.save(nn.Sequential(nn.Linear(3, 4, seed=7), nn.ReLU(), nn.Linear(4, 2, seed=8)), path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["model.safetensors"]


def test_save_keeps_the_permissions_of_the_file_it_replaces(st, tmp_path):
    path = tmp_path / "model.safetensors"
    nn.save(model(), path)
    path.chmod(0o600)
    nn.save(model(), path)
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("name", ["model.pt", "model.bin", "model", "model.npz.bak"])
def test_an_unknown_suffix_is_refused_listing_the_supported_ones(tmp_path, name):
    with pytest.raises(ValueError, match=r"nn.save writes .npz and .safetensors files, chosen by the suffix"):
        nn.save(model(), tmp_path / name)
    (tmp_path / name).write_bytes(b"whatever")
    with pytest.raises(ValueError, match=rf"{name}: nn.load reads .npz and .safetensors files, chosen by the suffix"):
        nn.load(model(), tmp_path / name)
    assert os.listdir(tmp_path) == [name]


def test_pytorch_pickles_and_single_arrays_are_named_for_what_they_are(tmp_path):
    (tmp_path / "model.pth").write_bytes(b"\x80\x02 a pickle")
    with pytest.raises(ValueError, match=r"pickles, which nn.load never runs .*nn.export.from_torch_state_dict"):
        nn.load(model(), tmp_path / "model.pth")
    with pytest.raises(ValueError, match=r"never writes: torch.save\(nn.export.to_torch_state_dict\(model, as_tensors"):
        nn.save(model(), tmp_path / "model.pt")  # told how to make PyTorch's file, not how to read one
    np.save(tmp_path / "W.npy", np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"an .npy file, a single array, not named parameters: np.load it"):
        nn.load(model(), tmp_path / "W.npy")
    with pytest.raises(
        ValueError, match=r"chosen by the suffix \(an .npy file, a single array, not named parameters\)$"
    ):
        nn.save(model(), tmp_path / "model.npy")  # it said, as nn.load does: 'np.load it and set the parameter to it'


def test_the_suffix_is_read_in_any_case(st, tmp_path):
    nn.save(model(), tmp_path / "MODEL.SafeTensors")
    assert same(
        nn.load(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)), tmp_path / "MODEL.SafeTensors"), model()
    )


@pytest.mark.parametrize("action", ["save", "load"])
def test_without_the_safetensors_package_an_import_error_names_the_extra(tmp_path, monkeypatch, action):
    path = tmp_path / "model.safetensors"
    if action == "load":
        path.write_bytes(safetensors_file({}))
    for name in [m for m in sys.modules if m == "safetensors" or m.startswith("safetensors.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "safetensors", None)  # what an absent package looks like to import
    target = model()
    before = target.state_dict()
    clone = re.escape('pip install -e ".[safetensors]"')
    with pytest.raises(
        ImportError, match=rf"safetensors is missing; pip install safetensors \(in chainrule's clone: {clone}\)"
    ):
        nn.save(target, path) if action == "save" else nn.load(target, path)
    assert os.listdir(tmp_path) == ([] if action == "save" else ["model.safetensors"])
    assert all(np.array_equal(target.state_dict()[k], v) for k, v in before.items())
    nn.save(target, tmp_path / "still.npz")  # .npz needs nothing more
    assert same(nn.load(model(), tmp_path / "still.npz"), target)


def test_a_file_written_by_hand_loads_as_the_library_writes_it(st, tmp_path):
    (tmp_path / "hand.safetensors").write_bytes(by_hand(model().state_dict()))
    assert same(
        nn.load(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)), tmp_path / "hand.safetensors"), model()
    )
    assert st.load(by_hand(model().state_dict())).keys() == model().state_dict().keys()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=hst.one_of(mutated(by_hand(model().state_dict())), hst.binary(max_size=512)))
def test_load_of_random_and_mutated_files_raises_only_a_value_error_naming_the_file(st, folder, content):
    loads_or_refuses_naming_it(folder / "model.safetensors", content)
