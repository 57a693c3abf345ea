"""The IDX format of MNIST (gzip or raw): read with every header field checked."""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array in an IDX file, gzipped (by its first bytes) or raw."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise IDXError(f"{path}: the gzip data is corrupted or cut short ({e})") from None
    if len(raw) < 4:
        raise IDXError(f"{path}: {len(raw)} bytes is too short for an IDX header")
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPES:
        raise IDXError(f"{path}: bad magic number {raw[:4].hex()} (an IDX file starts 0000, a type code, a rank)")
    dtype, rank = np.dtype(_TYPES[raw[2]]), raw[3]
    header = 4 + 4 * rank
    if len(raw) < header:
        raise IDXError(f"{path}: cut short inside its header ({len(raw)} of {header} bytes)")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", rank, offset=4))
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        problem = "cut short" if len(raw) < expected else "longer than its header says"
        raise IDXError(
            f"{path}: {problem}: header says shape {shape}, {expected} bytes in all, the file has {len(raw)}"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(shape)


@dataclass(frozen=True)
class MNIST:
    """Images as float32 in [0, 1], flattened to 784 columns (or 28 x 28); labels as int64."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def mnist(data_dir: str | os.PathLike, flatten: bool = True) -> MNIST:
    """Read MNIST's four files from `data_dir` (each gzipped or raw) and check that they agree:
    28 x 28 images, as many labels as images, labels 0 to 9."""
    data_dir = Path(data_dir)
    paths = {}
    for key, name in FILES.items():
        found = [p for p in (data_dir / f"{name}.gz", data_dir / name) if p.is_file()]
        if not found:
            raise FileNotFoundError(f"no {name}(.gz) in {data_dir}. {WHERE}, and pass that folder.")
        paths[key] = found[0]
    arrays = {key: read_idx(path) for key, path in paths.items()}
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        ipath, lpath = paths[f"{part}_images"], paths[f"{part}_labels"]
        if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
            raise IDXError(f"{ipath}: expected 28 x 28 uint8 images, found shape {images.shape} of {images.dtype}")
        if labels.ndim != 1 or len(labels) != len(images):
            raise IDXError(
                f"{lpath}: expected {len(images)} labels, one per image of {ipath.name}; found shape {labels.shape}"
            )
        if labels.size and labels.max() > 9:
            raise IDXError(f"{lpath}: labels must be 0 to 9, found {labels.max()}")
    images = {
        k: (v.reshape(len(v), -1) if flatten else v).astype(np.float32) / 255
        for k, v in arrays.items()
        if "images" in k
    }
    labels = {k: v.astype(np.int64) for k, v in arrays.items() if "labels" in k}
    return MNIST(**images, **labels)
