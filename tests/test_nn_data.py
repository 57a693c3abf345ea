"""nn.data: toy datasets, batches, splits, and the IDX reader (on files made here, and on MNIST)."""

import gzip
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import nn
from nn.idx import IDXError

MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


@pytest.mark.parametrize(
    "make, classes",
    [
        (lambda: nn.data.moons(101, seed=3), 2),
        (lambda: nn.data.circles(101, seed=3), 2),
        (lambda: nn.data.spirals(101, n_classes=4, seed=3), 4),
        (lambda: nn.data.blobs(101, centers=5, seed=3), 5),
        (lambda: nn.data.make_classification(101, seed=3), 2),
        (lambda: nn.data.make_classification(101, n_features=3, n_classes=3, n_clusters_per_class=1, seed=3), 3),
    ],
)
def test_generators_are_seeded_and_well_formed(make, classes):
    X, y = make()
    X2, y2 = make()
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert X.dtype == np.float32 and X.shape[0] == 101 and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(classes))


def test_linear_regression_returns_its_true_coefficients():
    X, y, w, b = nn.data.linear_regression(500, features=3, noise=0.0, seed=1)
    assert X.shape == (500, 3) and y.shape == (500, 1)
    assert np.allclose(X @ w + b, y.ravel(), atol=1e-5)


def test_make_classification_flips_labels():
    _, clean = nn.data.make_classification(1000, flip_y=0.0, seed=0)
    _, noisy = nn.data.make_classification(1000, flip_y=0.4, seed=0)
    assert np.bincount(clean).tolist() == [500, 500] and 0.1 < np.mean(clean != noisy) < 0.3
    with pytest.raises(ValueError, match="8 clusters need more than 2 features"):
        nn.data.make_classification(n_classes=4)


def test_train_val_split():
    X, y = np.arange(20).reshape(10, 2), np.arange(10)
    (Xt, yt), (Xv, yv) = nn.data.train_val_split(X, y, 0.2, seed=0)
    assert len(yt) == 8 and len(yv) == 2 and sorted(np.concatenate([yt, yv])) == list(range(10))
    assert np.array_equal(Xt[:, 0] // 2, yt)
    (_, yt), _ = nn.data.train_val_split(X, y, 0.2, shuffle=False)
    assert yt.tolist() == list(range(8))


def test_batches_cover_every_example_once_per_epoch_in_a_new_order():
    X, y = np.arange(10).reshape(10, 1), np.arange(10)
    batches = nn.data.Batches(X, y, batch_size=4, seed=0)
    epochs = [[yb.tolist() for _, yb in batches] for _ in range(2)]
    assert len(batches) == 3 and [len(b) for b in epochs[0]] == [4, 4, 2]
    assert all(sorted(sum(e, [])) == list(range(10)) for e in epochs) and epochs[0] != epochs[1]
    again = nn.data.Batches(X, y, batch_size=4, seed=0)
    assert [yb.tolist() for _, yb in again] == epochs[0]
    assert [yb.tolist() for _, yb in nn.data.Batches(X, y, 4, shuffle=False)][0] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="10 examples but 9 labels"):
        nn.data.Batches(X, y[:9])


def test_batches_with_drop_last_leave_out_the_smaller_last_batch_as_pytorchs_dataloader():
    X, y = np.arange(10).reshape(10, 1), np.arange(10)
    batches = nn.data.Batches(X, y, batch_size=4, seed=0, drop_last=True)
    epochs = [[yb.tolist() for _, yb in batches] for _ in range(2)]
    assert len(batches) == 2 and all([len(b) for b in e] == [4, 4] for e in epochs)
    assert len(set(sum(epochs[0], []))) == 8 and sum(epochs[0], []) != sum(epochs[1], [])  # other examples left out
    whole = nn.data.Batches(X, y, batch_size=5, shuffle=False, drop_last=True)
    assert [yb.tolist() for _, yb in whole] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    with pytest.raises(ValueError, match="drop_last with 10 examples and batch_size=11 leaves no batch"):
        nn.data.Batches(X, y, batch_size=11, drop_last=True)
    with pytest.raises(TypeError, match="drop_last must be True or False"):
        nn.data.Batches(X, y, drop_last="yes")


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    return bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_mnist(folder: Path, n_train: int = 6, n_test: int = 3, gz: bool = True, **overrides: bytes) -> None:
    rng = np.random.default_rng(0)
    parts = {
        "train-images-idx3-ubyte": idx_bytes(rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)),
        "train-labels-idx1-ubyte": idx_bytes(rng.integers(0, 10, n_train, dtype=np.uint8)),
        "t10k-images-idx3-ubyte": idx_bytes(rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)),
        "t10k-labels-idx1-ubyte": idx_bytes(rng.integers(0, 10, n_test, dtype=np.uint8)),
    }
    parts.update(overrides)
    for name, raw in parts.items():
        (folder / (name + ".gz" if gz else name)).write_bytes(gzip.compress(raw) if gz else raw)


@pytest.mark.parametrize("gz", [True, False])
def test_mnist_reads_gzipped_or_raw_files(tmp_path, gz):
    write_mnist(tmp_path, gz=gz)
    data = nn.data.mnist(tmp_path)
    assert data.train_images.shape == (6, 784) and data.train_images.dtype == np.float32
    assert 0 <= data.train_images.min() and data.train_images.max() <= 1
    assert data.test_labels.shape == (3,) and data.test_labels.dtype == np.int64
    assert nn.data.mnist(tmp_path, flatten=False).test_images.shape == (3, 28, 28)


def test_read_idx_round_trips_other_types(tmp_path):
    array = np.arange(12, dtype=">i4").reshape(3, 4)
    (tmp_path / "ints").write_bytes(idx_bytes(array, 0x0C))
    assert np.array_equal(nn.data.read_idx(tmp_path / "ints"), array)


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"\x00\x00", "2 bytes is too short for an IDX header"),
        (b"\x12\x34\x08\x01" + b"\x00" * 8, "bad magic number 12340801"),
        (b"\x00\x00\x08\x03\x00\x00", r"cut short inside its header \(6 of 16 bytes\)"),
        (
            idx_bytes(np.zeros(10, np.uint8))[:-3],
            r"cut short: header says shape \(10,\), 18 bytes in all, the file has 15",
        ),
        (idx_bytes(np.zeros(10, np.uint8)) + b"\x00", "longer than its header says"),
        (gzip.compress(idx_bytes(np.zeros(10, np.uint8)), mtime=0)[:-9], "the gzip data is corrupted or cut short"),
        (b"\x1f\x8b" + b"garbage" * 5, "the gzip data is corrupted or cut short"),
    ],
)
def test_bad_idx_files_are_named_with_their_problem(tmp_path, content, problem):
    path = tmp_path / "broken-idx1-ubyte"
    path.write_bytes(content)
    with pytest.raises(IDXError, match=rf"broken-idx1-ubyte: {problem}"):
        nn.data.read_idx(path)


def test_mnist_files_that_disagree_are_named(tmp_path):
    write_mnist(tmp_path, **{"train-labels-idx1-ubyte": idx_bytes(np.zeros(5, np.uint8))})
    with pytest.raises(IDXError, match=r"train-labels-idx1-ubyte.gz: expected 6 uint8 labels, one per image"):
        nn.data.mnist(tmp_path)
    write_mnist(tmp_path, **{"t10k-images-idx3-ubyte": idx_bytes(np.zeros((3, 27, 28), np.uint8))})
    with pytest.raises(IDXError, match=r"t10k-images-idx3-ubyte.gz: expected 28 x 28 uint8 images"):
        nn.data.mnist(tmp_path)
    write_mnist(tmp_path, **{"t10k-labels-idx1-ubyte": idx_bytes(np.full(3, 12, np.uint8))})
    with pytest.raises(IDXError, match="labels must be 0 to 9, found 12"):
        nn.data.mnist(tmp_path)


def test_mnist_refuses_pixels_and_labels_of_other_types(tmp_path):
    write_mnist(tmp_path, **{"train-images-idx3-ubyte": idx_bytes(np.zeros((6, 28, 28), ">f4"), 0x0D)})
    with pytest.raises(IDXError, match=r"train-images-idx3-ubyte.gz: expected 28 x 28 uint8 images.* of >f4"):
        nn.data.mnist(tmp_path)
    write_mnist(tmp_path, **{"t10k-labels-idx1-ubyte": idx_bytes(np.full(3, -1, np.int8), 0x09)})
    with pytest.raises(IDXError, match=r"t10k-labels-idx1-ubyte.gz: expected 3 uint8 labels.* of int8"):
        nn.data.mnist(tmp_path)


def test_an_unknown_idx_type_code_is_named(tmp_path):
    (tmp_path / "odd").write_bytes(b"\x00\x00\x07\x01\x00\x00\x00\x01\x00")
    with pytest.raises(IDXError, match=r"odd: unknown type code 0x07 in magic number 00000701 \(IDX has 0x08, 0x09"):
        nn.data.read_idx(tmp_path / "odd")


@pytest.mark.parametrize("gz", [False, True])
def test_an_absurd_idx_shape_is_refused_before_allocating(tmp_path, gz):
    header = bytes([0, 0, 0x08, 4]) + struct.pack(">4I", *[1 << 16] * 4)  # 2**64 bytes: wraps to 0 in int64
    (tmp_path / "absurd").write_bytes(gzip.compress(header) if gz else header)
    room = r"a gzip file of \d+ bytes holds at most \d+" if gz else "the file has 20"
    with pytest.raises(IDXError, match=rf"absurd: cut short: .* {2**64 + 20} bytes in all, {room}"):
        nn.data.read_idx(tmp_path / "absurd")


def test_a_gzip_expanding_past_its_idx_header_is_refused_without_decompressing_it(tmp_path):
    bomb = gzip.compress(idx_bytes(np.zeros(10, np.uint8))) + gzip.compress(bytes(1 << 20)) * 1024  # 1 GB more
    (tmp_path / "bomb.gz").write_bytes(bomb)
    tracemalloc.start()
    try:
        with pytest.raises(IDXError, match=r"bomb.gz: longer than its header says: header says shape \(10,\)"):
            nn.data.read_idx(tmp_path / "bomb.gz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_missing_mnist_says_where_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no train-images-idx3-ubyte\(.gz\) in .*yann.lecun.com/exdb/mnist"):
        nn.data.mnist(tmp_path)


@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason=f"the real MNIST files are not at {MNIST_DIR}")
def test_the_real_mnist():
    data = nn.data.mnist(MNIST_DIR)
    assert data.train_images.shape == (60000, 784) and data.test_images.shape == (10000, 784)
    assert np.bincount(data.train_labels).tolist()[:3] == [5923, 6742, 5958]
    assert data.test_labels[:5].tolist() == [7, 2, 1, 0, 4]
