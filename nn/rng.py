"""Where nn's random draws come from: a layer's own `seed`, else autograd's default generator,
which `autograd.manual_seed` seeds, so that it makes initialisation and dropout repeatable as
`torch.manual_seed` makes PyTorch's."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import repr_of, type_name

from .arguments import is_int


def generator(seed: int | np.random.Generator | None, owner: str = "", argument: str = "seed") -> np.random.Generator:
    """A generator of its own for a seed; the default one (looked up now) without. `argument`: the
    seed's name in the caller's signature, for messages."""
    check_seed(owner, seed, argument)
    if seed is None:
        return autograd.default_generator()
    return np.random.default_rng(seed if isinstance(seed, np.random.Generator) else int(seed))  # int: a 0-d array's


def check_seed(owner: str, seed: Any, argument: str = "seed") -> None:
    """Refuse a seed numpy would reject with a SeedSequence message: one is a non-negative int, a
    numpy Generator (drawn from as it is), or None. `owner` (the function or class) starts the message."""
    said = f"{owner}: {argument}" if owner else argument
    # A Generator is kept: np.random.default_rng takes one, so seed=rng has always worked.
    if seed is None or isinstance(seed, np.random.Generator):
        return
    if not is_int(seed):
        raise TypeError(f"{said} must be an int or a numpy Generator (or None), got {type_name(seed)} {repr_of(seed)}")
    if seed < 0:
        raise ValueError(f"{said} must be a non-negative int, got {seed}")


# numpy's bit generators whose raw draws are 64 random bits each (MT19937's are 32 bits in a uint64)
_RAW_64 = (np.random.PCG64, np.random.PCG64DXSM, np.random.Philox, np.random.SFC64)
_BITS, _LOW = 2**32, 2**24  # an entry's 32 bits: the top 8 drawn for every entry, the other 24 for ties only


def kept(rng: np.random.Generator, p: float, shape: tuple[int, ...]) -> np.ndarray:
    """A boolean array of `shape`, each entry False with probability p, independently: 32 random bits
    an entry against p * 2**32 (p resolved to 2**-32), from a 64-bit bit generator's raw draws (any other
    bit generator serves through rng.random(dtype=float32): 24 bits, p resolved to 2**-24). An entry's
    top 8 bits (eight entries a raw draw) decide it, unless they equal the threshold's, one entry
    in 256: its other 24 bits are drawn then (two such entries a raw draw). The same 32-bit comparison,
    from a quarter of the draws (a 128x256 mask's bits: 29 us to some 8)."""
    if type(rng.bit_generator) not in _RAW_64:
        return rng.random(shape, dtype=np.float32) >= p
    n = math.prod(shape)
    raw = rng.bit_generator.random_raw
    # float(p): a float16 p times 2**32 would be inf; p < 1: at least one value in 2**32 is kept
    top, low = divmod(min(round(float(p) * _BITS), _BITS - 1), _LOW)
    high = raw((n + 7) // 8).view(np.uint8)[:n]
    keep = high > np.uint8(top)
    ties = (high == np.uint8(top)).nonzero()[0]
    if ties.size:
        keep[ties] = raw((ties.size + 1) // 2).view(np.uint32)[: ties.size] >> 8 >= np.uint32(low)
    return keep.reshape(shape)
