"""The signs of a table's zeros, which its snapshot's `==` cannot see (compile_containers): a flat list, tuple or
dict of numbers whose 0.0 the caller made -0.0 compared equal, so a step reading it (`1 / x`, `copysign`) replayed
the recorded sign. A flat copy holding a zero keeps their bits too (`signed`)."""

from __future__ import annotations

from array import array
from typing import Any

_NOT_NUMBERS = (TypeError, ValueError, OverflowError, KeyError, IndexError)  # array("d", ...) of what is no float


def signed(copy: Any, x: Any) -> Any:
    """`copy`, the flat copy of the list, tuple or dict `x` in a table's snapshot; where `x` holds a zero, a
    SignedZeros of it, equal to a container equal to it whose zeros have the same signs: the places of its zeros,
    found in C, or, where they are many (a list made as [0.0] * n) and all its items are numbers, all their bits."""
    values = x.values() if isinstance(x, dict) else x
    try:
        if 0 not in values:  # a pass in C: no zero, no sign `==` could miss
            return copy
        listed = list(values)
        if listed.count(0) * _MANY > len(listed):
            bits = _bits(x, None)
            if bits is not None:
                return SignedZeros(copy, None, bits)
    except _NOT_NUMBERS:  # an item whose == refuses 0
        return copy
    places, i = [], -1
    while True:  # each zero's place, found in C
        try:
            i = listed.index(0, i + 1)
        except ValueError:
            break
        places.append(i)
    if isinstance(x, dict):
        keys = list(x)
        places = [keys[i] for i in places]
    bits = _bits(x, places)
    return copy if bits is None else SignedZeros(copy, places, bits)


_MANY = 16  # zeros in more than one item in this many: compared as all the numbers' bits, one pass in C


def _bits(x: Any, places: list[Any] | None) -> bytes | None:
    """The bits of x's items as doubles (at `places` alone, where given), or None where one is no number."""
    try:
        if places is None:
            return array("d", x.values() if isinstance(x, dict) else x).tobytes()
        return array("d", map(x.__getitem__, places)).tobytes()
    except _NOT_NUMBERS:
        return None


class SignedZeros:
    """A flat copy holding zeros, in a table's snapshot: equal to a container `==` takes as equal to the copy whose
    zeros (at `places`; or all its numbers, where None) have the same bits, so that 0.0 made -0.0 is a change."""

    __slots__ = ("copy", "places", "bits")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, copy: Any, places: list[Any] | None, bits: bytes) -> None:
        self.copy, self.places, self.bits = copy, places, bits

    def __len__(self) -> int:
        return len(self.copy)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is SignedZeros:
            return self.bits == other.bits and self.places == other.places and self.copy == other.copy  # type: ignore[attr-defined]
        return self.copy == other and _bits(other, self.places) == self.bits

    def __ne__(self, other: object) -> bool:
        return not self == other
