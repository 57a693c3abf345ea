"""The IDX format of MNIST (gzip or raw): read with every header field checked."""

from __future__ import annotations

import gzip
import math
import os
import stat
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from autograd import type_name

from .arguments import check_flag

_DEFLATE_RATIO = 1032  # deflate's largest expansion: a gzip file holds at most this times its size
_CHUNK = 1 << 20
_MOST_AXES = 64  # numpy's limit on an array's dimensions (NPY_MAXDIMS); IDX's rank byte goes to 255
_MOST_IMAGES = 300_000  # per file, for mnist: MNIST's are 60,000 and 10,000 (EMNIST's digits 240,000)
_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
WHERE = (
    "MNIST is four files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) from Yann LeCun's page "
    "(yann.lecun.com/exdb/mnist) or one of its mirrors; put them, gzipped or not, in one folder"
)


class IDXError(ValueError):
    """A file that is not a whole, well-formed IDX file; the message names the file and the problem."""


Expect = Callable[[tuple[int, ...], np.dtype], str | None]  # a header's shape and dtype: what is wrong, or None


def read_idx(path: str | os.PathLike, expect: Expect | None = None) -> np.ndarray:
    """The array in an IDX file, gzipped (by its first bytes) or raw, in the machine's byte order (IDX's
    is big-endian). The header is read first and the data streamed after it, never more than it
    declares and one byte, so a gzip that expands
    past its header (a bomb) is refused without being decompressed, and memory follows the data
    actually there, not an absurd declared shape. `expect`, given the header's shape and dtype,
    says what is wrong with them, before any data is read (mnist's 28 x 28 images, a bound on
    their count). Raises FileNotFoundError when there is no such file, OSError when it cannot be
    opened, and IDXError (a ValueError) naming the file for any fault in it: bad magic or type
    code, not what `expect` wants, cut short or too long, corrupt gzip."""
    path = _path("read_idx", "path", path, "a file's")
    if not stat.S_ISREG(path.stat().st_mode):  # before opening: opening a FIFO would wait for a writer
        raise IDXError(f"{path}: not a regular file")
    with open(path, "rb") as f:
        info = os.fstat(f.fileno())
        if f.read(2) != b"\x1f\x8b":
            f.seek(0)
            return _read(f, path, info.st_size, f"the file has {info.st_size}", expect)
        f.seek(0)
        most = _DEFLATE_RATIO * info.st_size
        try:
            with gzip.GzipFile(fileobj=f, mode="rb") as stream:
                return _read(stream, path, most, f"a gzip file of {info.st_size} bytes holds at most {most}", expect)
        except (OSError, EOFError, zlib.error) as e:
            raise IDXError(f"{path}: the gzip data is corrupted or cut short ({e})") from None


def _read(stream: BinaryIO, path: Path, most: int, room: str, expect: Expect | None) -> np.ndarray:
    """Parse an IDX stream of at most `most` bytes (`room` says why) from its first byte."""
    head = stream.read(4)
    if len(head) < 4:
        raise IDXError(f"{path}: {len(head)} bytes is too short for an IDX header")
    if head[:2] != b"\0\0":
        raise IDXError(f"{path}: bad magic number {head.hex()} (an IDX file starts 0000, a type code, a rank)")
    if head[2] not in _TYPES:
        known = ", ".join(f"0x{code:02X}" for code in _TYPES)
        raise IDXError(f"{path}: unknown type code 0x{head[2]:02X} in magic number {head.hex()} (IDX has {known})")
    dtype, rank = np.dtype(_TYPES[head[2]]), head[3]
    if rank > _MOST_AXES:
        raise IDXError(f"{path}: the header declares {rank} dimensions; numpy arrays have at most {_MOST_AXES}")
    header = 4 + 4 * rank
    dims = stream.read(4 * rank)
    if len(dims) < 4 * rank:
        raise IDXError(f"{path}: cut short inside its header ({4 + len(dims)} of {header} bytes)")
    shape = struct.unpack(f">{rank}I", dims)
    problem = expect(shape, dtype) if expect is not None else None
    if problem is not None:
        raise IDXError(f"{path}: {problem}")
    expected = header + math.prod(shape) * dtype.itemsize
    said = f"header says shape {shape}, {expected} bytes in all"
    if expected > most:
        raise IDXError(f"{path}: cut short: {said}, {room}")
    # no bytes to read, but numpy refuses a shape whose other axes' bytes overflow its index, even beside a 0
    if math.prod(n for n in shape if n) * dtype.itemsize > np.iinfo(np.intp).max:
        raise IDXError(
            f"{path}: the header says shape {shape}, whose axes (those of 0 aside) span more bytes than numpy "
            f"can index ({np.iinfo(np.intp).max})"
        )
    data = bytearray()
    while len(data) < expected - header:
        chunk = stream.read(min(_CHUNK, expected - header - len(data)))
        if not chunk:
            raise IDXError(f"{path}: cut short: {said}, the file has {header + len(data)}")
        data += chunk
    if stream.read(1):
        raise IDXError(f"{path}: longer than its header says: {said}")
    array = np.frombuffer(data, dtype).reshape(shape)
    # IDX is big-endian; the array is in the machine's order (as torchvision's reader gives it), swapped
    # in place: a >i4 array is no int32 to `dtype == np.int32`, and torch.from_numpy refuses it
    return array if dtype.isnative else array.byteswap(inplace=True).view(dtype.newbyteorder("="))


def _path(owner: str, name: str, path: object, whose: str) -> Path:
    """`path` as a Path; a TypeError naming `owner`'s argument for what is no path (pathlib's own message
    names neither)."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{owner}: {name} must be {whose} path (a str or a pathlib.Path), got {type_name(path)}")
    return Path(path)


@dataclass(frozen=True)
class MNIST:
    """Images as float32 in [0, 1], flattened to 784 columns (or 28 x 28); labels as int64."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def mnist(data_dir: str | os.PathLike, flatten: bool = True) -> MNIST:
    """Read MNIST's four files from `data_dir` (each gzipped or raw) and check that they agree:
    28 x 28 uint8 images, at most 300,000 a file, as many uint8 labels as images, labels 0 to 9;
    each file's header is checked before its data is read, so a file that is not MNIST's costs
    no memory. Raises FileNotFoundError for a missing folder or file (saying where to get MNIST),
    NotADirectoryError for a file as data_dir, and IDXError naming the file for a bad one."""
    flatten = check_flag("mnist", "flatten", flatten)
    data_dir = _path("mnist", "data_dir", data_dir, "a folder's")
    if not data_dir.is_dir():  # else each file's absence said of a folder that is not there, or is a file
        error = NotADirectoryError if data_dir.exists() else FileNotFoundError
        raise error(f"mnist: {data_dir} is no folder. {WHERE}, and pass that folder.")
    paths = {}
    for key, name in FILES.items():
        found = [p for p in (data_dir / f"{name}.gz", data_dir / name) if p.is_file()]
        if not found:
            raise FileNotFoundError(f"no {name}(.gz) in {data_dir}. {WHERE}, and pass that folder.")
        paths[key] = found[0]
    arrays = {}
    for part in ("train", "test"):  # each header checked before its data is read: memory stays MNIST's
        ipath, lpath = paths[f"{part}_images"], paths[f"{part}_labels"]
        images = arrays[f"{part}_images"] = read_idx(ipath, _mnist_images)
        labels = arrays[f"{part}_labels"] = read_idx(lpath, _labels_of(len(images), ipath.name))
        if not len(images):  # flattening would have no row size to infer
            raise IDXError(f"{ipath}: holds no images (shape {images.shape}); MNIST's {part} images are thousands")
        if labels.max() > 9:
            raise IDXError(f"{lpath}: labels must be 0 to 9, found {labels.max()}")
    images = {k: _scaled(v.reshape(len(v), -1) if flatten else v) for k, v in arrays.items() if "images" in k}
    labels = {k: v.astype(np.int64) for k, v in arrays.items() if "labels" in k}
    return MNIST(**images, **labels)


def _scaled(pixels: np.ndarray) -> np.ndarray:
    """uint8 pixels as float32 in [0, 1], divided in place: `/ 255` made a second float32 copy, as large."""
    scaled = pixels.astype(np.float32)
    scaled /= 255
    return scaled


def _mnist_images(shape: tuple[int, ...], dtype: np.dtype) -> str | None:
    if len(shape) != 3 or shape[1:] != (28, 28) or dtype != np.uint8:
        return f"expected 28 x 28 uint8 images, found shape {shape} of {dtype}"
    if shape[0] > _MOST_IMAGES:
        return f"the header declares {shape[0]:,} images, more than the {_MOST_IMAGES:,} mnist reads (MNIST has 60,000)"
    return None


def _labels_of(count: int, images: str) -> Expect:
    def labels(shape: tuple[int, ...], dtype: np.dtype) -> str | None:
        if len(shape) != 1 or shape[0] != count or dtype != np.uint8:
            return f"expected {count} uint8 labels, one per image of {images}; found shape {shape} of {dtype}"
        return None

    return labels
