"""mnist checks each IDX file's header (rank, 28 x 28, uint8, a bound on the count; the labels'
count against the images') before reading its data: a small gzip whose header declares a huge
array of another shape used to be decompressed in full, up to 1032 times its size, and only then
refused."""

import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest
from test_nn_data import write_mnist

import nn
from nn.idx import IDXError

MIB = 2**20


def zeros_gzip(header: bytes, size: int) -> bytes:
    """A gzip of `header` and `size` zero bytes, compressed as they stream (about a thousandth of `size`)."""
    packer, out, block = zlib.compressobj(9, zlib.DEFLATED, 31), [], bytes(MIB)
    out.append(packer.compress(header))
    for _ in range(size // MIB):
        out.append(packer.compress(block))
    out.append(packer.compress(bytes(size % MIB)) + packer.flush())
    return b"".join(out)


def peak_of_refused(folder: Path, match: str) -> int:
    tracemalloc.start()
    try:
        with pytest.raises(IDXError, match=match):
            nn.data.mnist(folder)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def write_gz(folder: Path, name: str, raw: bytes) -> None:
    (folder / f"{name}.gz").unlink()
    (folder / f"{name}.gz").write_bytes(raw)


def test_images_of_another_shape_are_refused_from_the_header_before_their_data_is_read(tmp_path):
    write_mnist(tmp_path)
    size = 64 * MIB
    write_gz(tmp_path, "t10k-images-idx3-ubyte", zeros_gzip(b"\0\0\x08\x01" + struct.pack(">I", size), size))
    peak = peak_of_refused(
        tmp_path, r"t10k-images-idx3-ubyte\.gz: expected 28 x 28 uint8 images, found shape \(67108864,\)"
    )
    assert peak < 8 * MIB, peak


def test_more_images_than_mnist_reads_are_refused_from_the_header(tmp_path):
    write_mnist(tmp_path)
    count = 300_001
    header = b"\0\0\x08\x03" + struct.pack(">3I", count, 28, 28)
    # a body of 16 MiB, short of the 235 MB declared: read before the header's count is checked, it would pass the
    # bound below or be refused as short, not for the count (compressing all 235 MB took seconds and showed no more)
    write_gz(tmp_path, "train-images-idx3-ubyte", zeros_gzip(header, 16 * MIB))
    assert peak_of_refused(tmp_path, r"declares 300,001 images, more than the 300,000 mnist reads") < 8 * MIB


def test_labels_that_do_not_match_the_images_are_refused_from_the_header(tmp_path):
    write_mnist(tmp_path)
    size = 64 * MIB
    write_gz(tmp_path, "train-labels-idx1-ubyte", zeros_gzip(b"\0\0\x08\x01" + struct.pack(">I", size), size))
    peak = peak_of_refused(
        tmp_path, r"train-labels-idx1-ubyte\.gz: expected 6 uint8 labels, one per image of train-images"
    )
    assert peak < 8 * MIB, peak


def test_the_mnist_headers_are_checked_in_raw_files_too(tmp_path):
    write_mnist(tmp_path, gz=False)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\0\0\x0d\x03" + struct.pack(">3I", 1, 28, 28) + bytes(4 * 784))
    with pytest.raises(IDXError, match=r"expected 28 x 28 uint8 images, found shape \(1, 28, 28\) of >f4"):
        nn.data.mnist(tmp_path)
