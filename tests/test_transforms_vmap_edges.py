"""autograd.vmap at its edges: torch.func's names (in_dims, out_dims) given None mean what torch means by them;
each index's notes of what f changed are freed with its run."""

import gc
import weakref

import numpy as np
import pytest

from autograd import randn, vmap
from autograd.tensor_versions import DREW

X = np.random.default_rng(3).normal(size=(3, 2))


def test_out_dims_none_is_a_shared_output_as_torch_s():
    # torch.func.vmap(lambda a: torch.ones(2), out_dims=None)(x).shape == (2,); out_dims=None was taken for "not
    # given" and the output stacked to (3, 2)
    assert vmap(lambda r: np.ones(2), out_dims=None)(X).shape == (2,)
    with pytest.raises(ValueError, match="out_axes is None for output, but f returned different values"):
        vmap(lambda r: r, out_dims=None)(X)


def test_in_dims_none_maps_nothing_and_is_refused():
    # torch refuses in_dims=None (a ValueError); it was taken for "not given" and axis 0 mapped
    with pytest.raises(ValueError, match="no argument is mapped"):
        vmap(lambda r: r, in_dims=None)(X)
    with pytest.raises(TypeError, match="both out_axes .* and out_dims"):
        vmap(np.sin, out_axes=None, out_dims=None)


def test_the_notes_of_each_index_run_are_freed_with_it():
    # each index's notes held weak references whose callbacks held the notes: a cycle left to the garbage collector,
    # one per index, each a weak reference on DREW (a draw) until it ran; now cleared as tracing.trace clears its own
    gc.collect()
    gc.disable()
    try:
        before = weakref.getweakrefcount(DREW)
        vmap(lambda r: r + randn(2, dtype=np.float64), randomness="different")(X)
        assert weakref.getweakrefcount(DREW) == before
    finally:
        gc.enable()
