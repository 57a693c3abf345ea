"""nn.state_shares against the plain truth: the entries written in order into the memory they share, each read back.
Random views of one array (slices, reversed and strided views, a transpose, a float32 view of float64 memory, a zero
stride), each given random values of 0 and 1 (so that some agree where they meet): refused exactly where the writes
would leave an entry other than the state says, and the model's memory untouched either way."""

import numpy as np

from nn.state_shares import refuse_differing_shares


def views(base: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    made = []
    for _ in range(rng.integers(2, 5)):
        kind = rng.integers(0, 5)
        if kind == 0:
            low, high = sorted(rng.integers(0, base.size + 1, 2))
            made.append(base[low:high])
        elif kind == 1:
            made.append(base[::-1][rng.integers(0, 5) :: rng.integers(1, 4)])
        elif kind == 2:
            made.append(base.reshape(4, 6).T[rng.integers(0, 3) :])
        elif kind == 3:
            made.append(base.view(np.float32)[rng.integers(0, 10) :: 3])
        else:  # one entry's memory under two indices, and the next entry's too
            made.append(np.lib.stride_tricks.as_strided(base[rng.integers(0, 20) :], (2, 3), (0, 8), writeable=True))
    return made


def left_wrong(base: np.ndarray, entries: list) -> bool:
    """Whether writing the entries in order into a copy of `base` leaves any of them other than its values."""
    copy = base.copy()
    start = base.__array_interface__["data"][0]
    placed = [
        np.ndarray(v.shape, v.dtype, copy, v.__array_interface__["data"][0] - start, v.strides) for _, v, _ in entries
    ]
    for view, (_, _, values) in zip(placed, entries, strict=True):
        view[...] = values
    return any(view.tobytes() != values.tobytes() for view, (_, _, values) in zip(placed, entries, strict=True))


def test_refused_exactly_where_the_writes_in_order_would_leave_an_entry_wrong():
    rng = np.random.default_rng(0)
    outcomes = set()
    for _ in range(600):
        base = np.arange(24, dtype=np.float64)
        entries = [(f"e{k}", v, rng.integers(0, 2, v.shape).astype(v.dtype)) for k, v in enumerate(views(base, rng))]
        try:
            refuse_differing_shares(entries)
            refused = False
        except ValueError:
            refused = True
        assert refused == left_wrong(base, entries), [(v.shape, v.strides, v.dtype) for _, v, _ in entries]
        assert np.array_equal(base, np.arange(24))
        outcomes.add(refused)
    assert outcomes == {True, False}
