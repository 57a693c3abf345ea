"""Fuzz every file reader with random bytes and with mutations of small valid files: each raises
only what it documents (nn.load: ValueError naming the file; read_idx and mnist: IDXError), and
within bounded memory. Each example is a file of a few kilobytes, so CI's 300 examples stay quick."""

import gzip
import io
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_nn_data import idx_bytes, write_mnist

import nn
from nn.idx import IDXError

PEAK = 8 << 20  # bytes: far above these small files' needs, far below what a runaway read takes
fuzz = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def model() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 2, seed=1))


def saved(compressed: bool) -> bytes:
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **model().state_dict())
    return buf.getvalue()


def npz_with_header(header: str) -> bytes:
    """A zip whose one entry is an .npy of this header text, to reach the .npy header parser."""
    raw = header.encode("latin1", "replace")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("layers.0.W.npy", b"\x93NUMPY\x01\x00" + len(raw).to_bytes(2, "little") + raw + bytes(48))
    return buf.getvalue()


IMAGES = idx_bytes(np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8))
VALID = {
    "npz": saved(False),
    "npz, compressed": saved(True),
    "idx": IMAGES,
    "idx, gzipped": gzip.compress(IMAGES),
    "labels": idx_bytes(np.arange(3, dtype=np.uint8)),
}


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """`base` with a few bytes flipped, inserted, deleted or overwritten, or cut short."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "overwrite", "truncate"]))
        if kind == "flip" and where < len(data):
            data[where] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[where : where + draw(st.integers(1, 8))]
        elif kind == "overwrite":
            patch = draw(st.sampled_from([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff"]))
            data[where : where + len(patch)] = patch
        else:
            del data[where:]
    return bytes(data)


def files(*bases: str, magics: tuple[bytes, ...]) -> st.SearchStrategy[bytes]:
    """Random bytes (some behind a format's magic) and mutations of the valid files `bases`."""
    noise = st.tuples(st.sampled_from((b"", *magics)), st.binary(max_size=512)).map(b"".join)
    return st.one_of(noise, *(mutated(VALID[b]) for b in bases))


def within_memory(call, allowed: tuple[type[BaseException], ...]) -> BaseException | None:
    """Run `call`; fail on an exception outside `allowed` or a peak over PEAK; return what it raised."""
    tracemalloc.start()
    try:
        call()
        error = None
    except allowed as e:
        error = e
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < PEAK, f"{peak / 2**20:.1f} MB"
    return error


def loads_or_refuses_naming_it(path, content: bytes) -> None:
    """`content` written to `path` and nn.load-ed into model(): it loads, or raises only a ValueError naming the
    file, within PEAK, the model left as it was (this file's .npz and test_safetensors.py's .safetensors)."""
    path.write_bytes(content)
    target, before = model(), model().state_dict()
    error = within_memory(lambda: nn.load(target, path), (ValueError,))
    if error is not None:
        assert str(path) in str(error)
        assert all(np.array_equal(target.state_dict()[k], v) for k, v in before.items())


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@fuzz
@given(content=st.one_of(files("npz", "npz, compressed", magics=(b"PK\x03\x04", b"\x93NUMPY")),
                         st.text(max_size=200).map(npz_with_header)))  # fmt: skip
def test_load_raises_only_a_value_error_naming_the_file(folder, content):
    loads_or_refuses_naming_it(folder / "model.npz", content)


@fuzz
@given(content=files("idx", "idx, gzipped", magics=(b"\x1f\x8b", b"\x00\x00\x08\x03", b"\x00\x00\x0d\x01")))
def test_read_idx_raises_only_idx_errors(folder, content):
    path = folder / "images-idx3-ubyte"
    path.write_bytes(content)
    error = within_memory(lambda: nn.data.read_idx(path), (IDXError,))
    assert error is None or str(path) in str(error)


MNIST_FILES = {"train-images-idx3-ubyte": "idx", "t10k-labels-idx1-ubyte": "labels"}


def mnist_file(name: str) -> st.SearchStrategy[tuple[str, bytes]]:
    return files(MNIST_FILES[name], magics=(b"\x1f\x8b", b"\x00\x00\x08\x01")).map(lambda content: (name, content))


@fuzz
@given(file=st.sampled_from(sorted(MNIST_FILES)).flatmap(mnist_file))
def test_mnist_raises_only_idx_errors_naming_the_file(folder, file):
    name, content = file
    write_mnist(folder, n_train=3, n_test=3, gz=False)
    (folder / name).write_bytes(content)
    error = within_memory(lambda: nn.data.mnist(folder), (IDXError,))
    assert error is None or name in str(error)
