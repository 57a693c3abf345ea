"""Where nn's random draws come from: a layer's own `seed`, else autograd's default generator,
which `autograd.manual_seed` seeds, so that it makes initialisation and dropout repeatable as
`torch.manual_seed` makes PyTorch's."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

import autograd


def generator(seed: int | np.random.Generator | None, owner: str = "", argument: str = "seed") -> np.random.Generator:
    """A generator of its own for a seed; the default one (looked up now) without. `argument`: the
    seed's name in the caller's signature, for messages."""
    check_seed(owner, seed, argument)
    return autograd.default_generator() if seed is None else np.random.default_rng(seed)


def check_seed(owner: str, seed: Any, argument: str = "seed") -> None:
    """Refuse a seed numpy would reject with a SeedSequence message: one is a non-negative int, a
    numpy Generator (drawn from as it is), or None. `owner` (the function or class) starts the message."""
    said = f"{owner}: {argument}" if owner else argument
    # A Generator is kept: np.random.default_rng takes one, so seed=rng has always worked.
    if seed is None or isinstance(seed, np.random.Generator):
        return
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{said} must be an int or a numpy Generator (or None), got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"{said} must be a non-negative int, got {seed}")
