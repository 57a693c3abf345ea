"""A .npz file nn.save wrote carries a checksum over every entry (its zip comment) that nn.load
verifies, so a corrupted zip directory that hides entries is refused rather than loaded with an
optimizer's moments reset; np.savez's files, which have none, still load."""

import os
import random
import zipfile

import numpy as np
import pytest

import autograd
import nn
from nn.functional import cross_entropy
from nn.io_checksum import CHECKSUM


def trained() -> tuple[nn.Module, nn.SGD]:
    """A model, its SGD with momentum buffers after two steps, and a StepLR on it."""
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 2, seed=1))
    optimizer = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = nn.schedulers.StepLR(optimizer, step_size=1, gamma=0.5)
    x, y = np.random.default_rng(0).normal(size=(8, 3)), np.array([0, 1] * 4)
    for _ in range(2):
        optimizer.zero_grad()
        cross_entropy(model(autograd.Tensor(x)), y).backward()
        optimizer.step()
        scheduler.step()
    return model, optimizer


def fresh() -> tuple[nn.Module, nn.SGD]:
    model = nn.Sequential(nn.Linear(3, 4, seed=5), nn.ReLU(), nn.Linear(4, 2, seed=6))
    optimizer = nn.SGD(model.parameters(), lr=0.3, momentum=0.9)
    nn.schedulers.StepLR(optimizer, step_size=1, gamma=0.5)
    return model, optimizer


def snapshot(model: nn.Module, optimizer: nn.SGD) -> dict[str, np.ndarray]:
    state = {f"model.{k}": np.array(v) for k, v in model.state_dict().items()}
    state |= {f"opt.{k}": np.array(v) for k, v in optimizer.state_dict().items()}
    for k, s in enumerate(optimizer.schedulers):
        state |= {f"schedule.{k}.{n}": np.array(v) for n, v in s.state_dict().items()}
    return state


def same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_a_flipped_bit_in_an_entrys_comment_length_that_hides_later_entries_is_refused(tmp_path):
    path = tmp_path / "ckpt.npz"
    saved, optimizer = trained()
    nn.save(saved, path, optimizer=optimizer)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        name = archive.infolist()[-2].filename.encode()
    record = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    data[record + 33] ^= 0x08  # the high byte of its comment's length: the records after it become its comment
    path.write_bytes(bytes(data))
    model, optimizer = fresh()
    before = snapshot(model, optimizer)
    with pytest.raises(ValueError, match=r"ckpt\.npz .*has a comment, which no \.npz writer gives"):
        nn.load(model, path, optimizer=optimizer)
    assert same(snapshot(model, optimizer), before)


def test_an_npz_short_of_an_entry_nn_save_wrote_is_refused_as_corrupted(tmp_path):
    """The entry left out is one a fresh optimizer may lack (a momentum buffer): only the checksum tells."""
    path, short = tmp_path / "ckpt.npz", tmp_path / "short.npz"
    saved, optimizer = trained()
    nn.save(saved, path, optimizer=optimizer)
    with zipfile.ZipFile(path) as full, zipfile.ZipFile(short, "w") as out:
        out.comment = full.comment
        for member in full.infolist():
            if member.filename != "_optimizer.state.3.buffer.npy":
                out.writestr(member, full.read(member))
    model, again = fresh()
    before = snapshot(model, again)
    with pytest.raises(ValueError, match=r"short\.npz is corrupted: its data does not match the checksum"):
        nn.load(model, short, optimizer=again)
    assert same(snapshot(model, again), before)


def test_every_single_bit_flip_is_refused_or_loads_exactly_what_was_saved(tmp_path):
    path = tmp_path / "ckpt.npz"
    saved, optimizer = trained()
    nn.save(saved, path, optimizer=optimizer)
    expected, good, draw = snapshot(saved, optimizer), path.read_bytes(), random.Random(0)
    directory = good.rfind(b"PK\x01\x02", 0, good.rfind(b"PK\x05\x06"))  # the zip's directory and end records
    places = draw.sample(range(len(good)), 150) + list(range(directory - 200, len(good)))
    fd = os.open(path, os.O_RDWR)
    try:
        for at in places:
            bit = draw.randrange(8)
            os.pwrite(fd, bytes([good[at] ^ 1 << bit]), at)
            model, again = fresh()
            before = snapshot(model, again)
            try:
                nn.load(model, path, optimizer=again)
            except ValueError as e:
                assert str(path) in str(e) and same(snapshot(model, again), before), (at, bit)
            else:
                assert same(snapshot(model, again), expected), (at, bit)
            os.pwrite(fd, good[at : at + 1], at)
    finally:
        os.close(fd)


def test_the_checksum_is_the_zip_comment_and_numpy_reads_the_file(tmp_path):
    path, (saved, _) = tmp_path / "m.npz", trained()
    nn.save(saved, path)
    with zipfile.ZipFile(path) as archive:
        assert archive.comment.startswith(f"{CHECKSUM} ".encode()) and len(archive.comment) == 24
    with np.load(path) as arrays:
        assert same(dict(arrays), {k: np.array(v) for k, v in saved.state_dict().items()})


def test_an_npz_of_np_savez_without_a_checksum_still_loads(tmp_path):
    path, (saved, _) = tmp_path / "theirs.npz", trained()
    np.savez(path, **saved.state_dict())
    model = fresh()[0]
    nn.load(model, path)
    assert same(model.state_dict(), saved.state_dict())


def test_a_zip_comment_other_than_the_checksum_is_refused(tmp_path):
    path, (saved, _) = tmp_path / "m.npz", trained()
    nn.save(saved, path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.comment = b"chainrule.crc32 0000000"
    model = fresh()[0]
    before = {k: np.array(v) for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match=r"m\.npz .*its zip comment b'chainrule\.crc32 0000000' is not the checksum"):
        nn.load(model, path)
    assert same(model.state_dict(), before)
