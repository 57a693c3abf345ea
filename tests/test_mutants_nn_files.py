"""Gaps a mutation run over nn/io.py and nn/idx.py found (docs/mutation-testing.md): each refusal
names its problem, the bounds sit exactly where documented, and save's temporary files, modes and
errors are as documented."""

import errno
import gzip
import io
import os
import re
import signal
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from numpy.lib import format as npy
from test_nn_data import idx_bytes, write_mnist

import nn
from nn.idx import IDXError, read_idx


def model() -> nn.Module:
    return nn.Linear(2, 2, seed=0)  # entries W (2, 2) and b (2,), float32


def npy_v1(shape: tuple, data: bytes, pad_to: int = 0) -> bytes:
    """An .npy v1.0 entry whose header text is padded with spaces to make the header `pad_to` bytes in all."""
    text = f"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}"
    text = text.ljust(max(pad_to - 10, len(text) + 1) - 1) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1") + data


def good_b() -> bytes:
    return npy_v1((2,), np.ones(2, np.float32).tobytes())


def write_zip(path: Path, members: dict, compression: int = zipfile.ZIP_STORED) -> None:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def record(raw: bytes, signature: bytes, name_at: int, name: str) -> int:
    """The offset of `name`'s local header (PK\\3\\4) or central directory record (PK\\1\\2)."""
    start = raw.index(signature)
    while raw[start + name_at : start + name_at + len(name)] != name.encode():
        start = raw.index(signature, start + 4)
    return start


def refusal(path: Path) -> str:
    with pytest.raises(ValueError) as caught:
        nn.load(model(), path)
    return str(caught.value)


def test_npy_format_2_entries_load(tmp_path):
    state = model().state_dict()
    members = {}
    for name, array in state.items():
        buf = io.BytesIO()
        npy.write_array(buf, array * 3, version=(2, 0))
        members[f"{name}.npy"] = buf.getvalue()
    write_zip(tmp_path / "v2.npz", members)
    loaded = nn.load(model(), tmp_path / "v2.npz")
    assert np.array_equal(loaded.W.data, state["W"] * 3)


def test_each_bad_entry_is_named_with_its_problem(tmp_path):
    path = tmp_path / "bad.npz"
    version_3 = b"\x93NUMPY\x03\x00" + npy_v1((2, 2), bytes(16))[8:]
    write_zip(path, {"W.npy": version_3, "b.npy": good_b()})
    assert "entry 'W.npy' has a bad .npy header: .npy version (3, 0) is not one nn.save writes" in refusal(path)
    write_zip(path, {"W.npy": npy_v1((2, 2), bytes(16)), "b.npy": good_b()}, zipfile.ZIP_BZIP2)
    assert "entry 'W.npy' is compressed by method 12, not stored or deflated" in refusal(path)
    header = npy_v1((2, 2), b"")
    write_zip(path, {"W.npy": header + bytes(24), "b.npy": good_b()})
    assert f"entry 'W.npy' is {len(header) + 24} bytes by its zip header, {len(header) + 16} by its own" in refusal(
        path
    )
    write_zip(path, {"W.txt": npy_v1((2, 2), bytes(16)), "b.npy": good_b()})
    assert "entry 'W.txt' is not a named .npy array, or comes twice" in refusal(path)
    with open(path, "wb") as f:
        np.save(f, np.zeros(2, np.float32))
    assert refusal(path).endswith(
        "): it is an .npy file, a single array, not named parameters: np.load it and set the parameter to it"
    )


def test_an_encrypted_entry_is_refused_as_such(tmp_path):
    path = tmp_path / "locked.npz"
    write_zip(path, {"W.npy": npy_v1((2, 2), bytes(16)), "b.npy": good_b()})
    raw = bytearray(path.read_bytes())
    for signature, flags_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        at = record(bytes(raw), signature, name_at, "W.npy") + flags_at
        struct.pack_into("<H", raw, at, struct.unpack_from("<H", raw, at)[0] | 0x1)  # bit 0: encrypted
    path.write_bytes(bytes(raw))
    assert "entry 'W.npy' is encrypted" in refusal(path)


def test_an_entry_shorter_than_its_sizes_say_is_named(tmp_path):
    path = tmp_path / "short.npz"
    header = npy_v1((2, 2), b"")
    write_zip(path, {"W.npy": header + bytes(8), "b.npy": good_b()})  # 8 of W's 16 bytes
    raw = bytearray(path.read_bytes())
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        struct.pack_into("<I", raw, record(bytes(raw), signature, name_at, "W.npy") + size_at, len(header) + 16)
    path.write_bytes(bytes(raw))
    assert "entry 'W.npy' does not hold the 16 bytes its header declares" in refusal(path)


def test_a_header_of_exactly_1024_bytes_loads_and_a_longer_one_is_refused(tmp_path):
    path = tmp_path / "long.npz"
    W = np.arange(4, dtype=np.float32).reshape(2, 2)
    write_zip(path, {"W.npy": npy_v1((2, 2), W.tobytes(), pad_to=1024), "b.npy": good_b()})
    assert np.array_equal(nn.load(model(), path).W.data, W)
    write_zip(path, {"W.npy": npy_v1((2, 2), W.tobytes(), pad_to=1032), "b.npy": good_b()})
    assert "it asks to read past the 1,024 bytes allowed here" in refusal(path)


def test_the_size_bound_is_the_documented_one_exactly(tmp_path):
    """A zip padded by an entry of its own to the bound is refused next, for that entry; a byte more, for its size.
    (Padded by bytes before it, it is refused first for them, wherever its size is: io_zip_ends.)"""
    most = (1 << 17) + sum(16 * np.size(p.data) + 2048 + 2 * len(n) for n, p in model().named_parameters())
    padded = tmp_path / "padded.npz"
    state = {f"{name}.npy": npy_v1(p.shape, p.data.tobytes()) for name, p in model().named_parameters()}
    write_zip(padded, state | {"pad.npy": b""})
    unpadded = padded.stat().st_size
    write_zip(padded, state | {"pad.npy": bytes(most - unpadded)})  # past the bound's check, refused next
    assert padded.stat().st_size == most and "entry 'pad.npy' has a bad .npy header" in refusal(padded)
    write_zip(padded, state | {"pad.npy": bytes(most + 1 - unpadded)})
    assert f"it has {most + 1:,} bytes, more than a file of these parameters takes ({most:,})" in refusal(padded)


def test_a_new_file_gets_mode_666_less_the_umask(tmp_path):
    mask = os.umask(0o022)
    try:
        nn.save(model(), tmp_path / "new.npz")
    finally:
        os.umask(mask)
    assert (tmp_path / "new.npz").stat().st_mode & 0o777 == 0o644


def test_the_temporary_file_is_named_as_stale_ones_are_recognized(tmp_path, monkeypatch):
    renamed = []
    replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (renamed.append(Path(src).name), replace(src, dst)))
    nn.save(model(), tmp_path / "model.npz")
    assert re.fullmatch(rf"\.model\.npz\.{os.getpid()}\.[0-9a-f]{{8}}\.tmp", renamed[0])


def test_a_failed_save_reports_its_own_error_even_if_its_temporary_file_is_gone(tmp_path, monkeypatch):
    def full_disk(src, dst):
        os.unlink(src)  # cleaned by someone else meanwhile
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError) as caught:
        nn.save(model(), tmp_path / "model.npz")
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(tmp_path / "model.npz")
    assert caught.value.strerror == "cannot save the model: No space left on device"


def test_a_save_into_a_missing_folder_keeps_the_errno(tmp_path):
    with pytest.raises(OSError) as caught:
        nn.save(model(), tmp_path / "missing" / "model.npz")
    assert caught.value.errno == errno.ENOENT and caught.value.strerror.startswith("cannot save the model: ")


def test_stale_file_cleaning_spares_symlinks_unknowable_pids_and_signals_no_one(tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"someone's data")
    dead = 2**22 + 12345  # above Linux's pid_max: no such process
    link = tmp_path / f".model.npz.{dead}.0123abcd.tmp"
    link.symlink_to(target)
    huge = tmp_path / f".model.npz.{10**30}.0123abcd.tmp"  # os.kill cannot even ask: left alone
    huge.write_bytes(b"")
    ours = tmp_path / f".model.npz.{os.getpid()}.0123abcd.tmp"  # a live process: asked with signal 0 only
    ours.write_bytes(b"")
    received = []
    previous = signal.signal(signal.SIGHUP, lambda *_: received.append("SIGHUP"))
    try:
        nn.save(model(), tmp_path / "model.npz")
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert os.path.lexists(link) and target.read_bytes() == b"someone's data"
    assert huge.exists() and ours.exists() and received == []


def test_idx_data_longer_than_a_read_chunk_round_trips_and_one_byte_more_is_refused(tmp_path):
    array = np.random.default_rng(0).integers(0, 256, (1100, 1000), dtype=np.uint8)  # 1.1 MB: two chunks
    path = tmp_path / "big-idx1-ubyte"
    path.write_bytes(idx_bytes(array))
    assert np.array_equal(read_idx(path), array)
    path.write_bytes(idx_bytes(array) + b"\0")
    with pytest.raises(IDXError, match="longer than its header says"):
        read_idx(path)


def test_a_gzipped_idx_file_cut_inside_its_data_says_how_much_it_has(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(10, dtype=np.uint8))[:13]))
    message = f"{path}: cut short: header says shape (10,), 18 bytes in all, the file has 13"
    with pytest.raises(IDXError, match=f"^{re.escape(message)}$"):
        read_idx(path)


def test_mnist_takes_labels_up_to_9_and_scales_255_to_1(tmp_path):
    images = np.zeros((2, 28, 28), np.uint8)
    images[0, 0, 0] = 255
    write_mnist(tmp_path, **{"train-images-idx3-ubyte": idx_bytes(images)},
                **{"train-labels-idx1-ubyte": idx_bytes(np.array([9, 0], np.uint8))})  # fmt: skip
    data = nn.data.mnist(tmp_path)
    assert data.train_labels.tolist() == [9, 0] and data.train_images.max() == 1.0
    write_mnist(tmp_path, **{"train-labels-idx1-ubyte": idx_bytes(np.array([10, 0, 0, 0, 0, 0], np.uint8))})
    with pytest.raises(IDXError, match="labels must be 0 to 9, found 10"):
        nn.data.mnist(tmp_path)
