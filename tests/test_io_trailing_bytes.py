"""A file nn.save wrote with bytes appended (or, for .npz, put before it) is refused by nn.load with a ValueError
naming the file and the fix, and the model and the optimizer are left as they were, bit for bit. zipfile finds a
zip's end record in its last 64 KiB and skips what follows, and the checksum covers the entries alone, so a .npz
with junk appended loaded as if whole; a .safetensors file said only "its data has 64 bytes, but its header
accounts for 24". The last 64 KiB and 22 bytes are read to tell, and where no end record is there (more
appended), the bytes a file of the model may take, a chunk at a time."""

import os
import re

import numpy as np
import pytest
from test_trust_files import MB, peak_while

import nn


def _saved(tmp_path, suffix):
    source = nn.Sequential(nn.Linear(3, 2, seed=1), nn.BatchNorm1d(2))
    path = tmp_path / f"whole{suffix}"
    nn.save(source, path, optimizer=nn.Adam(source.parameters(), lr=0.01))
    return path.read_bytes()


def _target():
    model = nn.Sequential(nn.Linear(3, 2, seed=0), nn.BatchNorm1d(2))
    return model, nn.Adam(model.parameters(), lr=0.5)


def _refused(path, data):
    path.write_bytes(data)
    model, adam = _target()
    before = [model.state_dict(), adam.state_dict()]
    with pytest.raises(ValueError) as caught:
        nn.load(model, path, optimizer=adam)
    after = [model.state_dict(), adam.state_dict()]
    for old, new in zip(before, after, strict=True):
        assert old.keys() == new.keys() and all(old[k].tobytes() == new[k].tobytes() for k in old)
    return str(caught.value)


@pytest.mark.parametrize("junk", [b"\0", b"JUNK" * 10, b"PK\x05\x06", bytes(60_000)], ids=["1", "40", "sig", "60k"])
@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_bytes_appended_are_refused_naming_the_file_and_the_fix(tmp_path, suffix, junk):
    data = _saved(tmp_path, suffix)
    path = tmp_path / f"appended{suffix}"
    message = _refused(path, data + junk)
    assert message.startswith(f"{path} is not a model saved by nn.save")
    extra = f"{len(junk):,} byte{'s' * (len(junk) != 1)}"
    assert f"it has {extra} after the {len(data):,} its format accounts for" in message, message
    assert f"os.truncate(path, {len(data)})" in message
    path.write_bytes(data)  # the fix it names loads
    model, adam = _target()
    nn.load(model, path, optimizer=adam)


def test_bytes_before_a_npz_are_refused(tmp_path):
    data = _saved(tmp_path, ".npz")
    path = tmp_path / "prefixed.npz"
    message = _refused(path, b"JUNK" * 10 + data)
    assert (
        message.startswith(f"{path} is not a model saved by nn.save")
        and "it has 40 bytes before its first entry" in message
    )


def test_np_savez_files_with_bytes_appended_are_refused_too(tmp_path):
    model = nn.Linear(3, 2, seed=1)
    path = tmp_path / "numpy.npz"
    np.savez(path, **model.state_dict())
    data = path.read_bytes()
    path.write_bytes(data + b"JUNK")
    target = nn.Linear(3, 2, seed=0)
    with pytest.raises(ValueError, match=f"it has 4 bytes after the {len(data):,} its format"):
        nn.load(target, path)


@pytest.mark.parametrize("writer", ["nn.save", "np.savez"])
def test_the_most_bytes_zipfile_still_reads_past_are_refused(tmp_path, writer):
    """zipfile looks for the end record in the last 2**16 + 22 bytes (not 0xFFFF + 22, a comment's most): with
    2**16 bytes after the record and its comment (24 bytes of nn.save's, none of np.savez's) it still finds it and
    loads the file; the check looked one byte less far, found none, and let it load (65,512 bytes after nn.save's
    file, 65,536 after np.savez's)."""
    model = nn.Linear(3, 2, seed=1)
    path = tmp_path / "whole.npz"
    nn.save(model, path) if writer == "nn.save" else np.savez(path, **model.state_dict())
    data = path.read_bytes()
    junk = bytes((1 << 16) - (24 if writer == "nn.save" else 0))
    path.write_bytes(data + junk)
    with pytest.raises(ValueError, match=f"it has {len(junk):,} bytes after the {len(data):,} its format"):
        nn.load(nn.Linear(3, 2, seed=0), path)


FAKE_END = b"PK\x05\x06" + bytes(18)  # an end record's signature and zeros: no central directory ends before it


@pytest.mark.parametrize(
    "junk",
    [bytes((1 << 16) + 1), FAKE_END + bytes(70_000), bytes(300_000)],
    ids=["past zipfile's 64 KiB", "a false end record in it", "past the model's size"],
)
@pytest.mark.parametrize("writer", ["nn.save", "np.savez"])
def test_more_than_64_kib_appended_is_refused_naming_the_bytes_and_the_fix(tmp_path, writer, junk):
    """zipfile looks for the end record in the last 64 KiB (and 22 bytes) alone: with more appended it was "File is
    not a zip file" (65,513 bytes and more after nn.save's file), and past the most a file of the model takes
    (135,300 bytes here) "it has 200,546 bytes, more than a file of these parameters takes", neither saying the file
    was appended to nor how to cut it. Now it is the 64 KiB case's message, whatever the size."""
    model = nn.Linear(3, 2, seed=1)
    path = tmp_path / "whole.npz"
    nn.save(model, path) if writer == "nn.save" else np.savez(path, **model.state_dict())
    data = path.read_bytes()
    path.write_bytes(data + junk)
    with pytest.raises(ValueError) as caught:
        nn.load(nn.Linear(3, 2, seed=0), path)
    message = str(caught.value)
    assert f"it has {len(junk):,} bytes after the {len(data):,} its format accounts for" in message, message
    assert f"os.truncate(path, {len(data)})" in message
    os.truncate(path, len(data))  # the fix it names loads
    assert np.array_equal(nn.load(nn.Linear(3, 2, seed=0), path).W.data, model.W.data)


def test_the_end_is_found_in_a_file_longer_than_the_chunks_it_is_read_in(tmp_path):
    model = nn.Linear(600, 500, seed=1)  # 1.2 MB: the end record is looked for 1 MiB at a time, from the back
    path = tmp_path / "big.npz"
    nn.save(model, path)
    size = path.stat().st_size
    with open(path, "ab") as f:
        f.write(bytes(70_000))
    with pytest.raises(ValueError, match=f"it has 70,000 bytes after the {size:,} its format accounts for"):
        nn.load(nn.Linear(600, 500), path)


def test_gigabytes_appended_are_named_in_bounded_memory(tmp_path):
    """8 GiB of (sparse) zeros after the file: only the model's size is looked through, a chunk at a time."""
    path = tmp_path / "whole.npz"
    nn.save(nn.Linear(3, 2, seed=1), path)
    size = path.stat().st_size
    os.truncate(path, 1 << 33)
    error, peak = peak_while(lambda: nn.load(nn.Linear(3, 2), path))
    assert isinstance(error, ValueError) and f"it has {(1 << 33) - size:,} bytes after the {size:,}" in str(error)
    assert peak < 3 * MB, peak


def test_a_file_of_false_end_records_is_refused_as_fast_as_one_of_zeros(tmp_path):
    """Each end record's signature found further back was read and checked (a seek and a read for one claiming
    zip64): 2 MB of false records before 70 KB of zeros took 1.5 s to refuse, 100 times a file of zeros of that
    size. The first `_CANDIDATES` signatures are checked, enough for any file appended to; more is no file of
    nn.save's: refused as junk, and a file of zeros as no zip file."""
    import time

    false_end = b"PK\x05\x06" + bytes(12) + b"\xff" * 4 + bytes(2)  # its directory's offset zip64's 0xFFFFFFFF
    model = nn.Linear(1000, 1000, seed=1)
    times = {}
    said = {"zeros": "it does not begin as a .npz file does", "false ends": "that end no zip and more"}
    for name, body in [("zeros", bytes(len(false_end) * 100_000)), ("false ends", false_end * 100_000)]:
        path = tmp_path / f"{name}.npz"
        path.write_bytes(body + bytes(70_000))
        start = time.perf_counter()
        with pytest.raises(ValueError, match=said[name]):
            nn.load(model, path)
        times[name] = time.perf_counter() - start
    assert times["false ends"] < 5 * times["zeros"] + 0.05, times


def test_the_end_of_a_zip64_file_of_many_entries_is_found_further_back(tmp_path, monkeypatch):
    """A zip of more than 65,535 entries (a model's state of as many) ends in zip64's records, its classic end record's
    directory offset still the true one, with zip64's 76 bytes between the directory and it: only a record whose
    offset said zip64 (0xFFFFFFFF, a file past 4 GiB) was looked for with its locator, so this one was not found,
    and more than 64 KiB after it was "File is not a zip file". zipfile writes those records from 65,536 entries:
    from 2 here."""
    import zipfile

    model = nn.Linear(3, 2, seed=1)
    path = tmp_path / "whole.npz"
    with monkeypatch.context() as patched:
        patched.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
        nn.save(model, path)
    data = path.read_bytes()
    assert zipfile.stringEndArchive64Locator in data[-100:]  # zip64's records written
    path.write_bytes(data + bytes(70_000))
    with pytest.raises(ValueError, match=f"it has 70,000 bytes after the {len(data):,} its format accounts for"):
        nn.load(nn.Linear(3, 2, seed=0), path)


def test_an_end_record_starting_in_a_chunks_last_bytes_is_found(tmp_path):
    """Each chunk was searched for a signature ending before the chunk's end, and the chunk before it for one
    starting before that: an end record starting in a chunk's last 3 bytes was in neither (found at a chunk's start
    and 4 bytes before its end, not 1, 2 or 3 before), and the file was "not a zip file"."""
    from nn.io_zip_ends import _CHUNK, _earlier_end

    path = tmp_path / "whole.npz"
    nn.save(nn.Linear(3, 2, seed=1), path)
    data = path.read_bytes()
    record = data.rfind(b"PK\x05\x06")
    path.write_bytes(data + bytes(2 * _CHUNK))
    with open(path, "rb") as f:
        found = [_earlier_end(f, len(data) + 2 * _CHUNK, record + gap + _CHUNK) for gap in range(6)]
    assert found == [len(data)] * 6


@pytest.mark.parametrize("junk", [4 * 1024, 16 * MB], ids=["4 KB", "16 MB"])
def test_a_save_followed_by_end_record_signatures_is_said_to_end_in_junk_not_cut_short(tmp_path, junk):
    """A .npz followed by "PK\\x05\\x06" repeated was "cut short: its zip end record declares a comment of 19,280
    bytes, 2 of which follow", a wrong reason: the last signature ends no zip, and the search for one that does gave
    up after its 1,024 candidates as if none were there. It is said to be junk, in bounded time and memory."""
    import time

    path = tmp_path / "whole.npz"
    nn.save(nn.Linear(3, 2, seed=1), path)
    size = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b"PK\x05\x06" * (junk // 4))
    start = time.perf_counter()
    error, peak = peak_while(lambda: nn.load(nn.Linear(3, 2), path))
    message = str(error)
    assert isinstance(error, ValueError) and "cut short" not in message, message
    assert "1,024 zip end-record signatures (PK\\x05\\x06) that end no zip and more" in message, message
    # where the false ones checked begin: the save's own end record, at size - 46, is not among them (4 KB: it was
    # "from byte 533 on", a byte into that record, the first signature not checked)
    begin = int(re.search(r"from byte ([\d,]+) on", message)[1].replace(",", ""))
    assert begin == size if junk == 4 * 1024 else begin > size, (begin, size)
    assert "they are junk (after the file, or a file of another kind)" in message, message
    assert peak < 3 * MB and time.perf_counter() - start < 2, peak
    os.truncate(path, size)  # where nn.save's file ends, the fix of junk after it
    nn.load(nn.Linear(3, 2), path)


def test_a_file_ending_in_an_end_record_that_ends_no_zip_is_not_said_to_be_cut_short(tmp_path):
    """Its comment declared longer than the bytes after it, such a record read as a save cut in its comment."""
    false_end = b"PK\x05\x06" + bytes(16) + (16).to_bytes(2, "little")  # no directory before it, a comment of 16
    path = tmp_path / "other.npz"
    message = _refused(path, b"JUNK" * 10 + false_end)
    assert "cut short" not in message, message
    assert "it has no zip end record: the signature of one at byte 40 ends no zip" in message, message
    assert message.endswith("it is no file nn.save wrote, or a corrupted one: load an intact copy"), message
