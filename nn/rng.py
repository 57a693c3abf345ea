"""Where nn's random draws come from: a layer's own `seed`, else autograd's default generator,
which `autograd.manual_seed` seeds, so that it makes initialisation and dropout repeatable as
`torch.manual_seed` makes PyTorch's."""

from __future__ import annotations

import numpy as np

import autograd


def generator(seed: int | None) -> np.random.Generator:
    """A generator of its own for a seed; the default one (looked up now) without."""
    return autograd.default_generator() if seed is None else np.random.default_rng(seed)
