"""interpolate and Upsample refuse, before any allocation, an output whose arrays no memory holds, naming the
argument and the fix: `size=(10**6, 10**6)` of a 2 x 2 image ended in numpy's "Unable to allocate 7.28 TiB"
from inside the resampling, naming neither interpolate nor its size. The count of what they build is checked
against the peak that tracemalloc measures."""

import numpy as np
import pytest
from test_bounded_inputs import peak_bytes

import nn
from autograd import ShapeError, Tensor
from nn import functional as F
from nn import upsample

SMALL = Tensor(np.ones((1, 1, 2, 2)))
HUGE = [
    ("nearest", dict(size=(10**6, 10**6)), "size \\(1000000, 1000000\\)"),
    ("bilinear", dict(scale_factor=10**6), "scale_factor 1000000"),
    ("bicubic", dict(scale_factor=(3e5, 5e5)), "scale_factor \\(300000.0, 500000.0\\)"),
    ("area", dict(size=(10**6, 10**6)), "size \\(1000000, 1000000\\)"),
]


@pytest.mark.parametrize(("mode", "options", "named"), HUGE)
def test_an_output_no_memory_holds_is_refused_before_it_is_built(mode, options, named):
    with pytest.raises(MemoryError, match=f"interpolate: {named}: an output of shape .* does not fit in memory"):
        F.interpolate(SMALL, mode=mode, **options)


def test_the_refusal_says_how_to_fix_it():
    with pytest.raises(MemoryError, match="give a smaller size, or a smaller input or batch"):
        F.interpolate(SMALL, size=(10**6, 10**6))


def test_a_size_beyond_any_address_space_is_a_value_error():
    with pytest.raises(ValueError, match="interpolate: too many values.*size \\(1000000000000, 1000000000000\\)"):
        F.interpolate(SMALL, size=(10**12, 10**12))


def test_upsample_refuses_a_size_no_input_could_take_when_made_and_a_factor_when_called():
    with pytest.raises(MemoryError, match="interpolate: size \\(1000000, 1000000\\)"):
        nn.Upsample(size=(10**6, 10**6))
    layer = nn.Upsample(scale_factor=10**6)  # the output's size depends on the input: known at the call
    with pytest.raises(MemoryError, match="interpolate: scale_factor 1000000"):
        layer(SMALL)


@pytest.mark.parametrize(
    ("mode", "shape", "size"),
    [
        ("nearest", (1, 2, 20, 20), (200, 150)),
        ("bilinear", (1, 2, 20, 20), (200, 150)),
        ("bicubic", (1, 2, 20, 20), (200, 150)),
        ("nearest", (1, 1, 500), (100000,)),  # one channel: the indices weigh as much as the output (2.2 of it)
        ("bilinear", (1, 1, 100, 200), (1000, 10)),  # upsampled, then shrunk (1.17 of a count of 10 per pass)
    ],
)
def test_the_count_bounds_what_it_and_its_gradient_hold(monkeypatch, mode, shape, size):
    counts = []

    def counting(fn, what, entries, dtype, fix):
        counts.append(entries)

    monkeypatch.setattr(upsample, "check_memory", counting)
    x = Tensor(np.random.default_rng(0).normal(size=shape), requires_grad=True)
    peak = peak_bytes(lambda: F.interpolate(x, size=size, mode=mode).sum().backward())
    assert 0.5 * 8 * counts[0] <= peak <= 8 * counts[0]


@pytest.mark.parametrize(
    ("shape", "options"),
    [
        ((1, 1, 0), dict(mode="nearest")),
        ((1, 1, 0), dict(mode="nearest-exact")),
        ((1, 1, 0), dict(mode="linear")),
        ((1, 1, 3, 0), dict(mode="bicubic")),
        ((1, 1, 0, 4), dict(mode="bilinear", antialias=True)),
        ((1, 1, 0, 4, 4), dict(mode="area")),
    ],
)
def test_an_input_with_an_empty_spatial_axis_is_refused_by_name(shape, options):
    """Every mode but area ended in numpy's "index -1 is out of bounds for axis 2 with size 0"; antialias gave
    zeros (torch refuses both)."""
    with pytest.raises(ShapeError, match="interpolate needs an input of spatial sizes at least 1, got shape"):
        F.interpolate(Tensor(np.ones(shape)), size=(3,) * (len(shape) - 2), **options)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize(("shape", "size"), [((1, 1, 400, 300), (4, 299)), ((1, 2, 20, 20), (200, 150))])
def test_antialias_s_count_bounds_what_it_holds_and_no_more_than_twice(monkeypatch, mode, shape, size):
    """antialias resamples the width first, one product per axis: counted as plain bicubic's height-first
    passes of 22 arrays, the peak of (400, 300) to (4, 299) was 1.27 of the count, and 0.05 of it elsewhere
    (an output of 1/22 of memory refused)."""
    counts = []

    def counting(fn, what, entries, dtype, fix):
        counts.append(entries)

    monkeypatch.setattr(upsample, "check_memory", counting)
    x = Tensor(np.random.default_rng(1).normal(size=shape), requires_grad=True)
    peak = peak_bytes(lambda: F.interpolate(x, size=size, mode=mode, antialias=True).sum().backward())
    assert 0.5 * 8 * counts[0] <= peak <= 1.1 * 8 * counts[0]
