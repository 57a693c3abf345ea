"""Every dtype numpy has, through nn.save and nn.load in each format: each round-trips exactly (values,
dtype, shape) or is refused up front with one ValueError naming the entry, the dtype and the fix, the
old file kept. A float128 (numpy's longdouble) saved as .safetensors used to reach the library, whose
raw SafetensorError named neither the entry nor a fix. Files crafted with numpy or safetensors
directly, holding such dtypes, are refused by nn.load with a ValueError too."""

import numpy as np
import pytest

import nn

FORMATS = [".npz", ".safetensors"]
DTYPES = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", ">i4",
    "float16", "float32", "float64", ">f8", "longdouble", "complex64", "complex128", "clongdouble",
    "object", "U3", "S3", "V8", "datetime64[s]", "timedelta64[s]", [("a", "f8"), ("b", "i4")],
]  # fmt: skip


class Holding(nn.Module):
    """A model whose own state_dict gives one array, of whatever dtype: what reaches nn.save's writers."""

    def __init__(self, array: np.ndarray) -> None:
        super().__init__()
        self.held = array

    def state_dict(self):
        return {"held": self.held}

    def load_state_dict(self, state, strict=True):
        self.held = np.array(state["held"])


def example(dtype) -> np.ndarray:
    if np.dtype(dtype).kind == "O":
        return np.array([[1.5, 2.0], [3.0, 4.0]], dtype=object)
    return np.array([[1, 0], [0, 1]]).astype(dtype)


def format_ready(suffix: str) -> None:
    if suffix == ".safetensors":
        pytest.importorskip("safetensors.numpy", reason='safetensors is not installed: pip install -e ".[safetensors]"')


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_every_dtype_round_trips_exactly_or_is_refused_before_writing(dtype, suffix, tmp_path):
    format_ready(suffix)
    array, path = example(dtype), tmp_path / f"m{suffix}"
    path.write_bytes(b"the previous checkpoint")
    try:
        nn.save(Holding(array), path)
    except ValueError as e:
        assert str(path) in str(e) and "nn.save did not write it" in str(e) and "held" in str(e)
        assert path.read_bytes() == b"the previous checkpoint"
        assert [p.name for p in tmp_path.iterdir()] == [path.name]
        return
    loaded = Holding(np.zeros_like(array))
    nn.load(loaded, path)
    assert loaded.held.dtype == array.dtype and loaded.held.shape == array.shape
    assert np.array_equal(loaded.held, array)


@pytest.mark.skipif(np.dtype(np.longdouble) == np.float64, reason="longdouble is float64 on this platform")
def test_a_longdouble_buffer_saved_as_safetensors_is_named_with_the_fix(tmp_path):
    format_ready(".safetensors")
    model = nn.Linear(2, 2, seed=0)
    model.register_buffer("scale", np.ones(2, np.longdouble))
    with pytest.raises(ValueError) as error:
        nn.save(model, tmp_path / "m.safetensors")
    message = str(error.value)
    assert f"'scale' is an array of {np.dtype(np.longdouble)}, which the .safetensors format has no dtype" in message
    assert "save as .npz" in message and ".astype(np.float64)" in message
    assert not list(tmp_path.iterdir())


def test_a_longdouble_parameter_saves_exactly_as_npz(tmp_path):
    model = nn.Linear(2, 2, seed=0)
    model.W.data = model.W.data.astype(np.longdouble) / 3
    nn.save(model, tmp_path / "m.npz")
    loaded = nn.Linear(2, 2, seed=1)
    loaded.W.data = loaded.W.data.astype(np.longdouble)
    nn.load(loaded, tmp_path / "m.npz")
    assert loaded.W.data.dtype == np.longdouble and np.array_equal(loaded.W.data, model.W.data)


def _craftable() -> list:
    """(dtype, suffix) of the files a writer can make: numpy's .npz holds every dtype; safetensors' own
    writer refuses those its format has none for (no such file exists; nn.save's refusal is tested above)."""
    try:
        import safetensors.numpy
    except ImportError:  # the .safetensors cases are skipped, saying how to install it
        return [(dtype, suffix) for dtype in DTYPES for suffix in FORMATS]
    cases = [(dtype, ".npz") for dtype in DTYPES]
    for dtype in DTYPES:
        try:
            safetensors.numpy.save({"W": example(dtype)})
        except safetensors.SafetensorError:
            continue
        cases.append((dtype, ".safetensors"))
    return cases


@pytest.mark.parametrize(("dtype", "suffix"), _craftable(), ids=str)
def test_a_crafted_file_of_any_dtype_loads_exactly_or_is_a_value_error(dtype, suffix, tmp_path):
    format_ready(suffix)
    model = nn.Linear(2, 2, seed=0)
    before = model.W.data.copy()
    arrays = {"W": example(dtype), "b": np.zeros(2)}
    path = tmp_path / f"m{suffix}"
    if suffix == ".npz":
        np.savez(path, **arrays)
    else:
        import safetensors.numpy

        safetensors.numpy.save_file(arrays, path)
    try:
        nn.load(model, path)
    except ValueError as e:
        assert str(path) in str(e) and "W" in str(e)
        assert np.array_equal(model.W.data, before)
        return
    assert np.dtype(dtype).kind == "f" and np.array_equal(model.W.data, example(dtype).astype(model.W.data.dtype))
