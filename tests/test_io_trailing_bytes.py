"""A file nn.save wrote with bytes appended (or, for .npz, put before it) is refused by nn.load with a ValueError
naming the file and the fix, and the model and the optimizer are left as they were, bit for bit. zipfile finds a
zip's end record in its last 64 KiB and skips what follows, and the checksum covers the entries alone, so a .npz
with junk appended loaded as if whole; a .safetensors file said only "its data has 64 bytes, but its header
accounts for 24". Only the last 64 KiB and 22 bytes are read to tell."""

import numpy as np
import pytest

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
