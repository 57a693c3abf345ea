"""Files from elsewhere: nn.load refuses anything that is not a model of this shape, changing nothing
and in memory bounded by the model; nn.save leaves no debris, keeps permissions, names its destination."""

import io
import os
import struct
import subprocess
import sys
import threading
import tracemalloc
import zipfile

import numpy as np
import pytest
from numpy.lib import format as npy

import nn
from autograd import Tensor

MB = 1 << 20


def npy_header(shape: tuple, descr: str = "<f4") -> bytes:
    buf = io.BytesIO()
    npy.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def npz(path, members: dict, compression: int = zipfile.ZIP_STORED) -> None:
    """Members given as bytes, or as (header, megabytes of zeros after it) to stream a bomb."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, content in members.items():
            with archive.open(name, "w", force_zip64=True) as f:
                if isinstance(content, bytes):
                    f.write(content)
                    continue
                header, megabytes = content
                f.write(header)
                for _ in range(megabytes):
                    f.write(bytes(MB))


def small_model() -> nn.Module:
    return nn.Linear(2, 2, seed=0)


def good_b() -> bytes:
    return npy_header((2,)) + np.zeros(2, np.float32).tobytes()


def lying_bomb(path) -> None:
    """A member whose zip entry says 144 bytes, but whose data inflates to 64 MB."""
    npz(path, {"W.npy": (npy_header((2, 2)), 64), "b.npy": good_b()}, zipfile.ZIP_DEFLATED)
    raw = bytearray(path.read_bytes())
    central = raw.index(b"PK\x01\x02")  # W.npy's entry in the central directory
    struct.pack_into("<I", raw, central + 24, len(npy_header((2, 2))) + 16)
    path.write_bytes(bytes(raw))


CRAFTED = {
    "an entry declaring 8 TB": lambda p: npz(p, {"W.npy": npy_header((10**12,), "<f8") + bytes(16), "b.npy": good_b()}),
    "an entry declaring 1 GB over 1 MB": lambda p: npz(
        p, {"W.npy": (npy_header((1 << 28,)), 1), "b.npy": good_b()}, zipfile.ZIP_DEFLATED
    ),
    "a 64 MB entry that fits no parameter": lambda p: npz(
        p, {"W.npy": (npy_header((1 << 24,)), 64), "b.npy": good_b()}, zipfile.ZIP_DEFLATED
    ),
    "a zip bomb behind a small header": lambda p: npz(
        p, {"W.npy": (npy_header((2, 2)), 64), "b.npy": good_b()}, zipfile.ZIP_DEFLATED
    ),
    "a zip bomb whose entry lies about its size": lying_bomb,
    "a bzip2 bomb": lambda p: npz(p, {"W.npy": (npy_header((2, 2)), 16), "b.npy": good_b()}, zipfile.ZIP_BZIP2),
    "thousands of entries": lambda p: npz(p, {f"x{k}.npy": npy_header((1,)) + bytes(4) for k in range(5000)}),
    "not a zip": lambda p: p.write_bytes(os.urandom(4096)),
    "a truncated file": lambda p: (nn.save(small_model(), p), p.write_bytes(p.read_bytes()[:-40])),
    "an entry with no .npy header": lambda p: npz(p, {"W.npy": b"\x93NUMPY\x01\x00\xff\xff" + bytes(64)}),
}


def peak_while(call) -> tuple[BaseException | None, int]:
    """What `call` raised and the most memory it had allocated at once (numpy's arrays included)."""
    tracemalloc.start()
    try:
        call()
        error = None
    except Exception as e:
        error = e
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return error, peak


@pytest.mark.parametrize("kind", CRAFTED)
def test_a_crafted_file_is_refused_by_name_in_bounded_memory(tmp_path, kind):
    path = tmp_path / "crafted.npz"
    CRAFTED[kind](path)
    model = small_model()
    before = [p.data.copy() for p in model.parameters()]
    error, peak = peak_while(lambda: nn.load(model, path))
    assert isinstance(error, ValueError) and str(path) in str(error), repr(error)
    assert peak < 2 * MB, f"{peak / MB:.1f} MB to refuse {kind}"
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before))


def test_many_entries_against_a_big_model_are_named_in_one_short_line(tmp_path):
    path = tmp_path / "many.npz"
    CRAFTED["thousands of entries"](path)
    with pytest.raises(ValueError, match=r"unexpected \['x0', 'x1', 'x10', 'x100', 'x1000'\] and 4995 more$"):
        nn.load(nn.Linear(784, 256), path)


def model_and_file(tmp_path, last):
    """A two-layer model, and a file of other good values for it whose last entry is `last`."""
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 2, seed=1))
    state = {name: value + 1 for name, value in model.state_dict().items()}
    assert list(state)[-1] == "layers.2.b"
    state["layers.2.b"] = last
    np.savez(tmp_path / "model.npz", **state)
    return model, tmp_path / "model.npz"


BAD_LAST = {
    "strings": (np.array(["1", "2"]), "dtype <U1"),
    "bools": (np.array([True, False]), "dtype bool"),
    "complex numbers": (np.array([1 + 2j, 0j]), "dtype complex128"),
    "integers": (np.array([1, 2]), "dtype int64"),
    "objects": (np.array([1.0, None], dtype=object), "Python objects"),
    "NaN": (np.array([np.nan, 1.0]), "1 NaN or infinite value"),
    "infinity": (np.array([1.0, -np.inf]), "1 NaN or infinite value"),
    "a value too large for float32": (
        np.array([1e300, 1.0]),
        r"1e\+300 does not fit float32 .* stored as infinity; load it into a model of a dtype that holds it "
        r"\(model\.double\(\)\)$",
    ),
}


@pytest.mark.parametrize("kind", BAD_LAST)
def test_a_bad_last_entry_leaves_every_parameter_unchanged(tmp_path, kind):
    last, problem = BAD_LAST[kind]
    model, path = model_and_file(tmp_path, last)
    before = model.state_dict()
    with pytest.raises(ValueError, match=rf"model.npz.*layers.2.b.*{problem}"):
        nn.load(model, path)
    assert all(np.array_equal(model.state_dict()[name], value) for name, value in before.items())


def test_load_state_dict_checks_every_entry_before_setting_any():
    model = nn.MLP(2, [2, 1], seed=0)
    state = {name: np.asarray(value) + 1 for name, value in model.state_dict().items()}
    last = list(state)[-1]
    before = model.state_dict()
    for bad in (np.array("x"), np.array(np.nan), np.array(3)):
        with pytest.raises(ValueError, match=rf"cannot load this state into MLP: {last}"):
            model.load_state_dict({**state, last: bad})
        assert model.state_dict() == before
    model.load_state_dict(state)  # Values take 0-d float arrays
    assert [p.data for p in model.parameters()] == [float(v) for v in state.values()]


def test_floats_of_another_width_and_fortran_order_load(tmp_path):
    model = nn.Linear(2, 3, seed=0)
    W = np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3))
    np.savez_compressed(tmp_path / "wide.npz", W=W, b=np.ones(3, np.float16))
    nn.load(model, tmp_path / "wide.npz")
    assert model.W.dtype == np.float32 and np.array_equal(model.W.data, W) and np.array_equal(model.b.data, np.ones(3))


def test_a_save_removes_what_a_killed_save_to_the_same_name_left(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process that has ended: the save it ran was killed mid-way
    stale = tmp_path / f".model.npz.{gone.pid}.0123abcd.tmp"
    running = tmp_path / f".model.npz.{os.getpid()}.0123abcd.tmp"  # a save under way in a live process
    others = [tmp_path / f".other.npz.{gone.pid}.0123abcd.tmp", tmp_path / ".model.npz.notmine.tmp"]
    for path in (stale, running, *others):
        path.write_bytes(b"half a model")
    nn.save(small_model(), tmp_path / "model.npz")
    assert not stale.exists() and running.exists() and all(p.exists() for p in others)
    assert (tmp_path / "model.npz").exists()


@pytest.mark.parametrize("where", ["a missing folder", "a folder that is a file"])
def test_save_errors_name_the_destination_not_the_temporary_file(tmp_path, where):
    (tmp_path / "file").write_bytes(b"")
    destination = tmp_path / ("missing" if where == "a missing folder" else "file") / "model.npz"
    with pytest.raises(OSError) as caught:
        nn.save(small_model(), destination)
    assert caught.value.filename == str(destination) and ".tmp" not in str(caught.value)


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_parameters_named_as_np_savez_arguments_round_trip(tmp_path, suffix):
    """np.savez takes the names as keywords beside its own `file` and `allow_pickle`."""
    if suffix == ".safetensors":
        pytest.importorskip("safetensors")

    class Named(nn.Module):
        def __init__(self, start):
            self.file = Tensor(np.full(2, start), requires_grad=True)
            self.allow_pickle = Tensor(np.full((1, 2), start + 1), requires_grad=True)

    nn.save(Named(1.0), tmp_path / f"m{suffix}")
    loaded = nn.load(Named(0.0), tmp_path / f"m{suffix}")
    assert loaded.file.data.tolist() == [1.0, 1.0] and loaded.allow_pickle.data.tolist() == [[2.0, 2.0]]


def test_save_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "model.npz"
    nn.save(small_model(), path)
    path.chmod(0o600)
    nn.save(nn.Linear(2, 2, seed=1), path)
    assert path.stat().st_mode & 0o777 == 0o600
    mask = os.umask(0o027)
    try:
        nn.save(small_model(), tmp_path / "new.npz")
    finally:
        os.umask(mask)
    assert (tmp_path / "new.npz").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("reader", ["nn.load", "read_idx"])
def test_a_fifo_is_refused_instead_of_waiting_for_a_writer(tmp_path, reader):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    read = (lambda: nn.load(small_model(), fifo)) if reader == "nn.load" else (lambda: nn.data.read_idx(fifo))
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(peak_while(read)[0]), daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # blocked in open(): give it a writer so the thread ends
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join()
    assert isinstance(outcome[0], ValueError) and "not a regular file" in str(outcome[0]), outcome


# .safetensors: the same refusals for crafted files, in the same bounded memory. Its header (8 bytes
# of length, then JSON) is checked against the model before the library is given the file.
