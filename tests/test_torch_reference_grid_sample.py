"""grid_sample and affine_grid against torch 2.13: forward, gradients w.r.t. the input and the grid (theta
through affine_grid) and the second derivative, in float64 and float32, every mode, padding_mode and
align_corners, 4-d and 5-d, with grid points outside the input; finite differences in float64; NaN and
infinite grid entries; bad inputs refused with one clear error. Without torch these are skipped."""

import itertools
import tracemalloc
import warnings

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

import autograd
from autograd import ShapeError, Tensor, gradcheck, gradients, raw
from nn import functional as F
from nn import grid_sample as grid_sample_module

TF = torch.nn.functional
PADDING_MODES = ["zeros", "border", "reflection"]
MODES = ["bilinear", "nearest", "bicubic"]
SETTINGS = list(itertools.product(MODES, PADDING_MODES, [False, True]))
SHAPES = {"4d": ((2, 3, 4, 5), (2, 3, 4, 2)), "5d": ((2, 2, 3, 4, 5), (2, 3, 2, 4, 3))}
CASES = [(*setting, *SHAPES[d]) for setting in SETTINGS for d in SHAPES if not (setting[0] == "bicubic" and d == "5d")]


def inputs(shape, grid_shape, seed):
    """An input and a grid whose points reach 1.2 times past the input's edges (reflected up to twice)."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), rng.uniform(-2.5, 2.5, grid_shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode, padding_mode, align_corners, shape, grid_shape", CASES)
def test_grid_sample_matches_torch(mode, padding_mode, align_corners, shape, grid_shape, dtype):
    options = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    x, grid = inputs(shape, grid_shape, 7)
    check(lambda x, g: F.grid_sample(x, g, **options), lambda x, g: TF.grid_sample(x, g, **options), [x, grid], dtype)


@pytest.mark.parametrize("mode, padding_mode, align_corners", SETTINGS)
def test_grid_sample_passes_gradcheck(mode, padding_mode, align_corners):
    x, grid = inputs((1, 2, 3, 4), (1, 2, 3, 2), 8)
    # points kept off the pixels' centres and the edges, where the gradient w.r.t. the grid jumps
    grid = np.round(grid * 4) / 4 + 0.07
    options = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    assert gradcheck(lambda x, g: F.grid_sample(x, g, **options), [x, grid])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (1, 1, 1, 6), (2, 1, 3, 4, 5)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_matches_torch(size, align_corners, dtype):
    rows, cols = (2, 3) if len(size) == 4 else (3, 4)
    theta = np.random.default_rng(9).normal(size=(size[0], rows, cols))
    with warnings.catch_warnings():  # torch's note on unit-size grids with align_corners
        warnings.simplefilter("ignore", UserWarning)
        check(
            lambda t: F.affine_grid(t, size, align_corners=align_corners),
            lambda t: TF.affine_grid(t, size, align_corners=align_corners),
            [theta],
            dtype,
        )


def test_affine_grid_then_grid_sample_is_differentiable_in_theta():
    x, _ = inputs((2, 2, 5, 6), (2, 1, 1, 2), 10)
    theta = np.array([[[0.93, -0.21, 0.11], [0.31, 1.07, -0.053]], [[1.19, 0.13, 0.017], [-0.12, 0.83, 0.21]]])
    options = dict(padding_mode="border", align_corners=False)
    for dtype in DTYPES:
        check(
            lambda x, t: F.grid_sample(x, F.affine_grid(t, (2, 2, 4, 3)), **options),
            lambda x, t: TF.grid_sample(x, TF.affine_grid(t, (2, 2, 4, 3), align_corners=False), **options),
            [x, theta],
            dtype,
        )
    assert gradcheck(lambda t: F.grid_sample(Tensor(x), F.affine_grid(t, (2, 2, 4, 3)), **options), [theta])


@pytest.mark.parametrize(
    "mode, padding_mode", [("bilinear", "zeros"), ("bilinear", "border"), ("nearest", "zeros"), ("bicubic", "zeros")]
)
def test_infinite_grid_entries_follow_torch_where_its_result_is_defined(mode, padding_mode):
    """Under zeros, an infinite coordinate is NaN mixed (inf - floor(inf)) and outside for nearest (0); under
    border, the edge, with no gradient."""
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    grid = np.array([[[[np.inf, 0.0], [0.0, -np.inf], [0.5, 0.5]]]])
    options = dict(mode=mode, padding_mode=padding_mode, align_corners=False)
    theirs = TF.grid_sample(torch.tensor(x), torch.tensor(grid), **options).numpy()
    ours = F.grid_sample(Tensor(x), Tensor(grid), **options).data
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("mode, padding_mode", list(itertools.product(MODES, PADDING_MODES)))
def test_a_nan_grid_entry_gives_nan_for_its_point_only(mode, padding_mode):
    """torch gives NaN under zeros with bilinear, 0 with nearest, and under border and reflection reads memory
    outside the input (a crash in 2.13): never a number made up for a point whose position is unknown."""
    x = Tensor(np.arange(12.0).reshape(1, 1, 3, 4), requires_grad=True)
    grid = Tensor(np.array([[[[np.nan, 0.1], [0.2, 0.3], [0.5, np.nan]]]]), requires_grad=True)
    out = F.grid_sample(x, grid, mode=mode, padding_mode=padding_mode, align_corners=True)
    assert np.isnan(out.data[0, 0, 0, [0, 2]]).all() and np.isfinite(out.data[0, 0, 0, 1])
    gx, gg = (np.asarray(raw(g)) for g in gradients(out.sum(), [x, grid]))
    assert np.isfinite(gx).all()  # no pixel is read for an unknown point
    assert np.isnan(gg[0, 0, [0, 2]]).all() and np.isfinite(gg[0, 0, 1]).all()


def test_bicubic_takes_4d_input_only():
    with pytest.raises(ShapeError, match="mode 'bicubic' is for input \\(N, C, H, W\\)"):
        F.grid_sample(Tensor(np.ones((1, 1, 2, 2, 2))), Tensor(np.zeros((1, 1, 1, 1, 3))), mode="bicubic")


def test_reflection_from_infinity_is_nan():
    out = F.grid_sample(Tensor(np.ones((1, 1, 2, 2))), Tensor(np.array([[[[np.inf, 0.0]]]])), padding_mode="reflection")
    assert np.isnan(out.data).all()


BAD = [
    (np.ones((2, 3, 4)), np.zeros((2, 3, 4, 2)), ShapeError, "takes input \\(N, C, H, W\\)"),
    (np.ones((2, 3, 4, 5)), np.zeros((2, 3, 2)), ShapeError, "takes a grid of 4 axes"),
    (np.ones((2, 3, 4, 5)), np.zeros((2, 3, 4, 3)), ShapeError, "so its size must be 2"),
    (np.ones((2, 3, 4, 5)), np.zeros((1, 3, 4, 2)), ShapeError, "the grid's batch 1 differs from the input's 2"),
    (np.ones((2, 3, 0, 5)), np.zeros((2, 3, 4, 2)), ShapeError, "spatial sizes at least 1"),
    (np.ones((2, 3, 4, 5), np.float32), np.zeros((2, 3, 4, 2)), TypeError, "give both the same dtype"),
    (np.ones((2, 3, 4, 5), np.int64), np.zeros((2, 3, 4, 2), np.int64), TypeError, "float32 or float64"),
]


@pytest.mark.parametrize("x, grid, error, message", BAD)
def test_grid_sample_refuses_bad_inputs(x, grid, error, message):
    with pytest.raises(error, match=message):
        F.grid_sample(Tensor(x, dtype=x.dtype), Tensor(grid, dtype=grid.dtype))


@pytest.mark.parametrize(
    "options, error, message",
    [
        (dict(mode="area"), ValueError, "mode"),
        (dict(padding_mode="wrap"), ValueError, "padding_mode"),
        (dict(align_corners=1), TypeError, "align_corners must be True or False"),
    ],
)
def test_grid_sample_refuses_bad_options(options, error, message):
    with pytest.raises(error, match=message):
        F.grid_sample(Tensor(np.ones((1, 1, 2, 2))), Tensor(np.zeros((1, 1, 1, 2))), **options)


@pytest.mark.parametrize(
    "theta, size, message",
    [
        (np.zeros((2, 2, 3)), (2, 3, 4), "takes size \\(N, C, H, W\\) or \\(N, C, D, H, W\\)"),
        (np.zeros((2, 3, 3)), (2, 3, 4, 5), "takes theta \\(2, 2, 3\\)"),
        (np.zeros((1, 2, 3)), (2, 3, 4, 5), "takes theta \\(2, 2, 3\\)"),
        (np.zeros((2, 2, 3)), (2, 1, 3, 4, 5), "takes theta \\(2, 3, 4\\)"),
    ],
)
def test_affine_grid_refuses_mismatched_shapes(theta, size, message):
    with pytest.raises(ShapeError, match=message):
        F.affine_grid(Tensor(theta), size)


def test_sizes_no_memory_holds_are_refused_before_any_work():
    with pytest.raises(MemoryError, match="affine_grid: size \\(1, 1, 1000000, 1000000\\).*give a smaller size"):
        F.affine_grid(Tensor(np.zeros((1, 2, 3))), (1, 1, 10**6, 10**6))
    big_grid = Tensor(np.zeros((1, 1, 1, 2))).broadcast_to(1, 10**5, 10**5, 2)  # a view: no memory of its own
    with pytest.raises(MemoryError, match="grid_sample: an output of shape \\(1, 1, 100000, 100000\\)"):
        F.grid_sample(Tensor(np.ones((1, 1, 2, 2))), big_grid)


@pytest.mark.parametrize(
    "mode, shape, grid_shape",
    [
        ("bilinear", (1, 1, 6, 6, 6), (1, 12, 12, 12, 3)),  # one channel: the points' arrays weigh most
        ("bilinear", (1, 2, 6, 6, 6), (1, 12, 12, 12, 3)),
        ("bicubic", (1, 1, 8, 8), (1, 60, 60, 2)),
    ],
)
def test_the_count_bounds_what_it_and_its_gradient_hold(monkeypatch, mode, shape, grid_shape):
    """tracemalloc's peak under border padding, the fullest of the measured cases, within the count that
    grid_sample checks (one channel of trilinear held 1.23 of it)."""
    counts = []
    monkeypatch.setattr(
        grid_sample_module, "check_memory", lambda fn, what, entries, dtype, fix: counts.append(entries)
    )

    def forward_and_backward():
        x = Tensor(np.random.default_rng(11).normal(size=shape), requires_grad=True)
        grid = Tensor(np.random.default_rng(12).uniform(-1.1, 1.1, grid_shape), requires_grad=True)
        F.grid_sample(x, grid, mode=mode, padding_mode="border").sum().backward()

    forward_and_backward()  # once untraced: a first call's imports and caches are no part of the op's memory
    tracemalloc.start()
    try:
        forward_and_backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert 0.5 * 8 * counts[0] <= peak <= 8 * counts[0]


def test_a_compiled_step_follows_a_grid_that_changes_with_each_call():
    """The indices and weights come from the grid's values: a replay must not reuse the recorded ones."""
    x = Tensor(np.random.default_rng(13).normal(size=(1, 1, 4, 5)))

    def step(theta):
        out = F.grid_sample(x, F.affine_grid(theta, (1, 1, 3, 3)), padding_mode="reflection")
        loss = (out * out).sum()
        loss.backward()
        return loss

    run = autograd.compile(step, strict=True)
    for k in range(4):
        theta = np.array([[[0.9, 0.1, 0.05 + 0.3 * k], [-0.1, 1.1, 0.02 - 0.2 * k]]])
        compiled, eager = Tensor(theta, requires_grad=True), Tensor(theta, requires_grad=True)
        assert run(compiled).data == step(eager).data
        np.testing.assert_array_equal(compiled.grad, eager.grad)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_a_nan_grid_entry_under_zeros_departs_from_torch_only_as_docs_edge_points_says(mode):
    """docs/edge-points.md: under zeros torch's point is NaN too, and its grid gradient NaN but, with bilinear,
    0 for the NaN x entry itself; chainrule's NaN for both entries (the point is NaN whatever y is)."""
    x, grid = np.arange(12.0).reshape(1, 1, 3, 4), np.array([[[[np.nan, 0.1], [0.2, 0.3]]]])
    options = dict(mode=mode, padding_mode="zeros", align_corners=True)
    given = torch.tensor(grid, requires_grad=True)
    theirs = TF.grid_sample(torch.tensor(x), given, **options)
    theirs.sum().backward()
    ours_grid = Tensor(grid, requires_grad=True)
    ours = F.grid_sample(Tensor(x), ours_grid, **options)
    ours.sum().backward()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(ours_grid.grad[..., 1:, :], given.grad.numpy()[..., 1:, :], rtol=1e-13)
    nan_point = given.grad.numpy()[0, 0, 0]
    assert np.isnan(ours_grid.grad[0, 0, 0]).all() and np.isnan(nan_point[1])
    assert nan_point[0] == 0 if mode == "bilinear" else np.isnan(nan_point[0])


def test_the_look_ups_gradient_adds_repeated_pixels_up_as_np_add_at_did():
    """pixels_added (np.bincount) gives np.add.at's float64 sums bit for bit, each in its terms' order; a
    float32 sum is added in float64 and rounded once (add.at rounded at each term)."""
    rng = np.random.default_rng(5)
    index, g = rng.integers(0, 5, (4, 6)), rng.normal(size=(3, 4, 6))
    expected = np.zeros((3, 5))
    np.add.at(expected, (slice(None), index), g)
    assert np.array_equal(grid_sample_module._pixels_added(g, index=index, pixels=5), expected)
    expected = np.zeros((3, 5))
    np.add.at(expected, (slice(None), index), g.astype(np.float32).astype(np.float64))
    added = grid_sample_module._pixels_added(g.astype(np.float32), index=index, pixels=5)
    assert added.dtype == np.float32 and np.array_equal(added, expected.astype(np.float32))


@pytest.mark.parametrize("mode", MODES)
def test_an_input_of_no_channels_samples_to_no_channels(mode):
    """(2, 0, 3, 4) sampled gives (2, 0, 2, 2) and gradients of the inputs' shapes, as torch: the look-up of
    all corners at once reshaped the channels' rows by -1, which 0 channels cannot fix (a ShapeError)."""
    x, grid = Tensor(np.zeros((2, 0, 3, 4)), requires_grad=True), Tensor(np.full((2, 2, 2, 2), 0.3), requires_grad=True)
    sampled = F.grid_sample(x, grid, mode=mode, align_corners=False)
    sampled.sum().backward()
    assert sampled.shape == tuple(
        TF.grid_sample(torch.zeros(2, 0, 3, 4), torch.tensor(grid.data), mode=mode, align_corners=False).shape
    )
    assert x.grad.shape == (2, 0, 3, 4) and (grid.grad is None or not grid.grad.any())
