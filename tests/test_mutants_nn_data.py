"""Gaps a mutation run over nn/data.py found (docs/mutation-testing.md): each generator's shape
without noise, the seeded defaults the examples' figures rest on, splits and batches."""

import numpy as np
import pytest

from nn.data import Batches, blobs, circles, linear_regression, make_classification, moons, spirals, train_val_split

# (shape, class counts, first four rows, first twelve labels, sum of X) of each generator's default call, as seeded
# today: the examples' reported accuracies rest on these (numpy's Generator streams for these draws are stable)
DEFAULTS = {
    moons: ((100, 2), [50, 50], [[1.11196, 0.28587], [0.77638, 0.36066], [0.8146, -0.43665], [-0.01437, 0.32849]],
            [0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0], 75.305263),
    circles: ((100, 2), [50, 50], [[-0.8142, 0.5244], [0.44299, -0.10907], [0.51338, -0.23823], [0.97106, 0.17099]],
              [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1], -5.0756486),
    spirals: ((300, 2), [100] * 3, [[0.0022, 0.04034], [0.0518, -0.07471], [-0.25857, 0.15801], [-0.61131, -0.13602]],
              [0, 1, 2, 1, 2, 1, 1, 0, 0, 2, 0, 0], -1.9097137),
    blobs: ((100, 2), [34, 33, 33], [[-7.75955, -8.94335], [-9.10494, -11.09622], [3.7432, -5.22217],
            [5.00634, 9.76904]], [1, 1, 0, 2, 2, 2, 1, 0, 0, 0, 1, 2], -205.61852),
    make_classification: ((100, 2), [49, 51], [[-0.04837, -0.4444], [-0.75712, 0.0866], [-1.835, -2.96058],
                          [0.68686, 0.21108]], [1, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0], 10.515894),
}  # fmt: skip


@pytest.mark.parametrize("make", DEFAULTS, ids=lambda f: f.__name__)
def test_default_datasets_are_the_seeded_ones(make):
    shape, counts, rows, labels, total = DEFAULTS[make]
    X, y = make()
    assert X.shape == shape and X.dtype == np.float32 and y.dtype == np.int64 and np.bincount(y).tolist() == counts
    assert np.allclose(X[:4], rows, atol=1e-5) and y[:12].tolist() == labels and float(X.sum()) == pytest.approx(total)


def test_moons_without_noise_are_two_half_circles_end_to_end():
    X, y = moons(11, noise=0.0)
    upper, lower = X[y == 0].astype(float), X[y == 1].astype(float)
    assert len(upper) == 5 and len(lower) == 6
    assert np.allclose(np.hypot(*upper.T), 1) and upper[:, 1].min() >= -1e-7
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1) and lower[:, 1].max() <= 0.5 + 1e-7
    for points, ends in ((upper, [[1, 0], [-1, 0]]), (lower, [[0, 0.5], [2, 0.5]])):
        assert all(np.abs(points - end).sum(axis=1).min() < 1e-6 for end in ends)


def test_circles_without_noise_lie_on_their_radii_all_round():
    X, y = circles(11, noise=0.0, factor=0.3)
    radius = np.hypot(*X.astype(float).T)
    assert np.allclose(radius[y == 0], 1) and np.allclose(radius[y == 1], 0.3) and np.bincount(y).tolist() == [5, 6]
    X, _ = circles(400, noise=0.0)
    assert (X[:, 0] < -0.99).any() and (X[:, 0] > 0.99).any() and (X[:, 1] < -0.99).any() and (X[:, 1] > 0.99).any()


def test_spiral_arms_run_from_the_centre_to_radius_1_turning_4_radians():
    X, y = spirals(30, n_classes=3, noise=0.0)
    for k in range(3):
        arm = X[y == k].astype(float)
        r = np.hypot(*arm.T)
        order = np.argsort(r)
        assert np.allclose(r[order], np.linspace(0, 1, 10), atol=1e-6)
        angle = np.arctan2(arm[order, 0], arm[order, 1])[1:]  # x = r sin t, y = r cos t
        expected = k * 2 * np.pi / 3 + 4 * np.linspace(0, 1, 10)[1:]
        assert np.allclose(np.angle(np.exp(1j * (angle - expected))), 0, atol=1e-5)


def test_blobs_without_spread_sit_on_their_centres_in_the_box():
    X, y = blobs(30, centers=3, std=0.0, features=4)
    for k in range(3):
        assert np.ptp(X[y == k], axis=0).max() == 0 and np.abs(X[y == k]).max() <= 10
    spread = blobs(3000, centers=1, std=2.0)[0]
    assert spread.std(axis=0) == pytest.approx([2.0, 2.0], rel=0.1)


def test_make_classification_puts_clusters_on_distinct_vertices_dealt_to_classes():
    X, y = make_classification(400, n_features=3, n_classes=4, n_clusters_per_class=2, class_sep=100, flip_y=0.0)
    vertex = np.where(X > 0, 100, -100)
    assert np.abs(X - vertex).max() < 10  # each point near a vertex of the cube of side 2 * class_sep
    codes = (vertex > 0) @ [1, 2, 4]
    assert len(set(codes)) == 8 and all(len(set(y[codes == c])) == 1 for c in set(codes))
    assert np.bincount(y).tolist() == [100] * 4 and np.bincount(codes).tolist() == [50] * 8
    flipped = make_classification(200, n_classes=2, flip_y=1.0)[1]
    assert set(flipped) == {0, 1}


def test_linear_regression_without_noise_is_exact_and_float32():
    X, y, w, b = linear_regression(50, features=2, noise=0.0)
    assert X.dtype == y.dtype == np.float32 and X.shape == (50, 2) and y.shape == (50, 1)
    assert np.allclose(y[:, 0], X @ w + b, atol=1e-5) and np.abs(X).max() <= 1 and X.min() < -0.9 and X.max() > 0.9
    assert np.abs(w).max() <= 3 and abs(b) <= 2
    X, y, w, b = linear_regression()
    assert X.shape == (100, 1) and w.tolist() == pytest.approx([0.8217701]) and b == pytest.approx(-0.9208531)
    assert np.allclose(y[:3, 0], [-1.62501, -1.61649, -0.42241], atol=1e-5)


def test_train_val_split_defaults():
    X, y = np.arange(10)[:, None], np.arange(10)
    (Xt, yt), (Xv, yv) = train_val_split(X, y)
    assert len(yt) == 8 and len(yv) == 2 and sorted([*yt, *yv]) == list(range(10)) and yt.tolist() != list(range(8))
    assert np.array_equal(yv, train_val_split(X, y, seed=0)[1][1]) and np.array_equal(Xt[:, 0], yt)
    assert train_val_split(X, y, shuffle=False)[1][1].tolist() == [8, 9]
    (_, yt), (_, yv) = train_val_split(X[:2], y[:2])  # a fifth of 2 rounds to none
    assert len(yt) == 2 and len(yv) == 0
    with pytest.raises(ValueError, match="^train_val_split: 10 examples but 9 labels$"):
        train_val_split(X, y[:9])


def test_batches_defaults_and_consecutive_batches_without_shuffle():
    X, y = np.arange(33)[:, None], np.arange(33)
    assert len(Batches(X, y)) == 2 and [len(b) for _, b in Batches(X, y)] == [32, 1]
    assert len(Batches(X, y, batch_size=1)) == 33
    assert next(iter(Batches(X, y)))[1].tolist() == next(iter(Batches(X, y, seed=0)))[1].tolist()
    assert [b.tolist() for _, b in Batches(X[:10], y[:10], 4, shuffle=False)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    with pytest.raises(ValueError, match="^Batches: batch_size must be at least 1, got 0$"):
        Batches(X, y, batch_size=0)


@pytest.mark.parametrize("fraction", [1.2, -0.1, float("nan")])
def test_train_val_split_refuses_a_fraction_outside_0_to_1(fraction):
    with pytest.raises(ValueError, match="val_fraction must be between 0 and 1"):
        train_val_split(np.zeros((10, 1)), np.arange(10), val_fraction=fraction)


def test_batches_refuses_a_batch_size_that_is_not_a_whole_number():
    with pytest.raises(TypeError, match="^Batches: batch_size must be an int, got float 2.5$"):
        Batches(np.zeros((10, 1)), np.arange(10), batch_size=2.5)
