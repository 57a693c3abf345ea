"""A user's op whose forward appends to a log every node holds, and the arrays backward's check hashes, counted:
for the tests of what a node notes of its keyword arguments (held arrays changed, declared rereads)."""

from typing import Any

import numpy as np

import autograd.user_rereads


def logging(x: Any, *, log: list) -> Any:
    """x * 2, its input appended to `log`."""
    log.append(np.array(x))
    return x * 2.0


def hashed_arrays(monkeypatch: Any) -> list[int]:
    """The ids of the arrays the check hashes from now on, in order (a list the caller may clear)."""
    hashed: list[int] = []
    bytes_of = autograd.user_rereads._bytes_of
    monkeypatch.setattr(autograd.user_rereads, "_bytes_of", lambda a: hashed.append(id(a)) or bytes_of(a))
    return hashed
