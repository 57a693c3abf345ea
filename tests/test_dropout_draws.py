"""nn.rng.kept, the draw behind every dropout mask: each entry dropped with probability p, to 2**-32
on numpy's 64-bit bit generators (an entry's top 8 bits eight entries a raw draw, its other 24 drawn
only where those tie with p's) and to 2**-24 on any other (rng.random)."""

import numpy as np
import pytest

from nn.rng import kept

GENERATORS = [np.random.PCG64, np.random.PCG64DXSM, np.random.Philox, np.random.SFC64, np.random.MT19937]


@pytest.mark.parametrize("bit_generator", GENERATORS)
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_each_entry_is_dropped_with_probability_p(bit_generator, p):
    n = 200_000
    keep = kept(np.random.Generator(bit_generator(1)), p, (n,))
    assert keep.dtype == bool and keep.shape == (n,)
    assert abs((~keep).mean() - p) < 5 * np.sqrt(p * (1 - p) / n)  # five standard deviations


@pytest.mark.parametrize("bit_generator", GENERATORS)
def test_entries_are_independent_of_their_neighbours(bit_generator):
    """Eight entries come from one 64-bit draw (a byte each): neighbours must not agree more than chance."""
    keep = kept(np.random.Generator(bit_generator(2)), 0.5, (100_000, 2))
    agree = (keep[:, 0] == keep[:, 1]).mean()
    assert abs(agree - 0.5) < 5 * np.sqrt(0.25 / 100_000)


@pytest.mark.parametrize("bit_generator", GENERATORS[:-1])
def test_an_entry_whose_top_bits_tie_with_p_is_decided_by_its_other_24(bit_generator):
    """p = 128.5 / 256: the 1 in 256 entries whose top 8 bits are 128 are dropped with probability 1/2, by
    their other bits. Keeping them all would drop 128/256, dropping them all 129/256: 7.8 standard deviations
    either side at this size."""
    n, p = 4_000_000, 128.5 / 256
    dropped = (~kept(np.random.Generator(bit_generator(6)), p, (n,))).mean()
    assert abs(dropped - p) < 5 * np.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("shape", [(), (0,), (3,), (5, 7), (2, 3, 5)])
def test_every_shape_odd_counts_and_empty_ones(shape):
    keep = kept(np.random.default_rng(3), 0.5, shape)
    assert keep.shape == shape and keep.dtype == bool


def test_a_tiny_p_drops_almost_nothing_and_p_near_one_keeps_almost_nothing():
    rng = np.random.default_rng(4)
    assert kept(rng, 1e-12, (100_000,)).all()  # below 2**-32: rounds to never dropping
    assert not kept(rng, 1 - 1e-12, (100_000,)).any()  # at least one value in 2**32 is kept, not none


def test_the_same_seed_draws_the_same_mask_and_moves_the_generator_on():
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    first = kept(a, 0.3, (64,))
    np.testing.assert_array_equal(first, kept(b, 0.3, (64,)))
    assert not np.array_equal(first, kept(a, 0.3, (64,)))
