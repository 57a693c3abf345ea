"""nn.data and nn.idx as a user meets them: batches that are the caller's own, IDX arrays in the
machine's byte order, mnist at one float32 copy, toy datasets that finish."""

import signal
import struct
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from test_nn_data import write_mnist

import nn
from nn.data import _vertices


@pytest.mark.parametrize("shuffle", [False, True])
def test_a_batch_changed_in_place_changes_neither_the_callers_data_nor_the_next_epoch(shuffle):
    X, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    batches = nn.data.Batches(X, y, batch_size=4, shuffle=shuffle, seed=0)
    for xb, yb in batches:
        xb /= 255  # a normalisation written in place, as a training loop might
        yb[:] = 0
    assert np.array_equal(X, np.arange(12.0).reshape(6, 2)) and np.array_equal(y, np.arange(6))
    assert sorted(np.concatenate([yb for _, yb in batches]).tolist()) == list(range(6))


@pytest.mark.parametrize("code, dtype", [(0x0B, np.int16), (0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64)])
def test_read_idx_gives_its_numbers_in_the_machines_byte_order(tmp_path, code, dtype):
    values = np.array([[1, -2], [300, 7]], dtype)
    path = tmp_path / "numbers-idx2"
    path.write_bytes(
        bytes([0, 0, code, 2]) + struct.pack(">2I", 2, 2) + values.astype(values.dtype.newbyteorder(">")).tobytes()
    )
    array = nn.data.read_idx(path)
    assert array.dtype == dtype and array.dtype.isnative  # a >i4 array is no int32: torch.from_numpy refuses it
    assert np.array_equal(array, values)


def test_make_classification_finds_thousands_of_distinct_vertices_on_17_features():
    # 5,000 random rows of 17 bits were drawn again until distinct, a chance of about e**-95 a draw: it hung
    with deadline(seconds=20):
        X, y = nn.data.make_classification(5000, 17, n_classes=2, n_clusters_per_class=2500, flip_y=0.0, seed=0)
        every = _vertices(np.random.default_rng(0), 2**17, 17)
    assert X.shape == (5000, 17) and np.bincount(y).tolist() == [2500, 2500]
    assert len(np.unique(every, axis=0)) == 2**17 and np.unique(every).tolist() == [0, 1]


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """A TimeoutError, not a hung test, for what runs longer than `seconds` (SIGALRM: POSIX's main thread)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_mnist_holds_one_float32_copy_of_its_images_at_a_time(tmp_path):
    write_mnist(tmp_path, n_train=3000, n_test=10)
    floats = 3000 * 784 * 4
    tracemalloc.start()
    try:
        data = nn.data.mnist(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data.train_images.nbytes == floats and 0 <= data.train_images.min() and data.train_images.max() <= 1
    assert peak < 1.6 * floats  # the uint8 pixels and the float32 images; `/ 255` made a second float32 copy


@pytest.mark.parametrize(
    "call",
    [lambda p: nn.data.mnist(p), lambda p: nn.data.read_idx(p)],
    ids=["mnist", "read_idx"],
)
@pytest.mark.parametrize("path", [None, 5, b"data/mnist"])
def test_a_path_that_is_no_path_is_named_with_its_argument(call, path):
    with pytest.raises(TypeError, match=r"^(mnist: data_dir must be a folder's|read_idx: path must be a file's) path"):
        call(path)


def test_mnist_says_its_data_dir_is_no_folder_and_where_to_get_mnist(tmp_path):
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match=r"^mnist: .*file is no folder\. MNIST is four files"):
        nn.data.mnist(tmp_path / "file")
    with pytest.raises(FileNotFoundError, match=r"^mnist: .*absent is no folder\. .*yann.lecun.com/exdb/mnist"):
        nn.data.mnist(tmp_path / "absent")


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda: nn.data.blobs(2, centers=3), r"blobs: centers \(3\) must be at most n \(2\), a point for each"),
        (
            lambda: nn.data.make_classification(3, 2, n_classes=2, n_clusters_per_class=2),
            r"make_classification: .*\(4 clusters\) must be at most n_samples \(3\), a sample for each cluster",
        ),
    ],
)
def test_more_centres_or_clusters_than_points_are_refused(make, problem):
    # small here: blobs(100, centers=10**9) drew 16 GB of centres without a point, a test of it no less
    with pytest.raises(ValueError, match=problem):
        make()
