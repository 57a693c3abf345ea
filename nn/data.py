"""Data: seeded toy datasets (written here, no scikit-learn), minibatches, splits, and MNIST.

Every generator returns (X, y): X float32 of shape (n, features); y int64 class labels, or
float32 targets for regression. Labels are 0..k-1; micrograd's hinge loss wants -1/+1: `2 * y - 1`.
A `seed` is an int (the same data every time) or a numpy Generator; seed=None draws from autograd's
default generator, which autograd.manual_seed seeds, as PyTorch's unseeded draws follow torch.manual_seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd import check_memory

from .arguments import as_examples, check_count, check_flag, check_real, shown
from .idx import MNIST, mnist, read_idx
from .rng import check_seed, generator

__all__ = [
    "MNIST",
    "Batches",
    "blobs",
    "circles",
    "linear_regression",
    "make_classification",
    "mnist",
    "moons",
    "read_idx",
    "spirals",
    "train_val_split",
]


# the float64 arrays of the data's size (samples times features, at least 2) a generator holds at once, by
# its tracemalloc peak: moons, spirals 5, circles 5.5, make_classification 4.8 of them; blobs 4.0,
# linear_regression 2.25, which pass theirs (6 refused linear_regression(3 * 10**8), 7 GB, on 24 GiB)
DATA_ARRAYS = 6


def _drawn(
    owner: str,
    seed: Any,
    counts: dict[str, Any],
    spreads: dict[str, Any],
    extra: Callable[..., int] | None = None,
    arrays: int = DATA_ARRAYS,
) -> tuple[Any, ...]:
    """The generator of a dataset's `seed` (None: autograd's default one), then its counts as ints (each
    at least 1), once they and its spreads (noise, std: finite, at least 0) are checked, and what it builds
    is known to fit in memory: `arrays` arrays of its samples (the first count) by its features (a count
    named so, else 2), and the `extra` entries the counts make (make_classification's shear, features²);
    `moons(10**12)` asked numpy for 3.64 TiB, and its error named neither moons nor n."""
    ints = [check_count(owner, name, n) for name, n in counts.items()]
    for name, x in spreads.items():
        check_real(owner, name, x, low=0)
    sizes = dict(zip(counts, ints))
    features = max(next((n for name, n in sizes.items() if name.endswith("features")), 2), 2)
    entries = arrays * ints[0] * features + (extra(*ints) if extra else 0)
    shown_sizes = ", ".join(f"{name}={n}" for name, n in sizes.items())
    check_memory(
        owner,
        f"{shown_sizes}: the data and the arrays it is drawn in",
        entries,
        np.dtype(np.float64),
        "give fewer samples or features",
    )
    return (generator(seed, owner), *ints)


def _finish(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), y[order]


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (micrograd's demo data), labels 0 and 1."""
    rng, n = _drawn("moons", seed, {"n": n}, {"noise": noise})
    upper = n // 2
    t = np.concatenate([np.linspace(0, np.pi, upper), np.linspace(0, np.pi, n - upper)])
    X = np.stack([np.cos(t), np.sin(t)], axis=1)
    X[upper:] = np.stack([1 - np.cos(t[upper:]), 0.5 - np.sin(t[upper:])], axis=1)
    y = (np.arange(n) >= upper).astype(np.int64)
    return _finish(X + rng.normal(0, noise, X.shape), y, rng)


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A circle inside a circle (radius `factor` of the outer): label 1 inside, 0 outside."""
    check_real("circles", "factor", factor, 0, 1, high_included=False)  # as scikit-learn: 1 would be one circle
    rng, n = _drawn("circles", seed, {"n": n}, {"noise": noise})
    outer = n // 2
    t = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(np.arange(n) < outer, 1.0, factor)
    X = np.stack([np.cos(t), np.sin(t)], axis=1) * radius[:, None]
    y = (np.arange(n) >= outer).astype(np.int64)
    return _finish(X + rng.normal(0, noise, X.shape), y, rng)


def spirals(n: int = 300, n_classes: int = 3, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n_classes` arms of a spiral around the origin, n points in all (CS231n's classic)."""
    rng, n, n_classes = _drawn("spirals", seed, {"n": n, "n_classes": n_classes}, {"noise": noise})
    # each arm needs a point: more arms than points would be empty ones (and a loop over each of them,
    # minutes long for n_classes=10**9, before anything is drawn)
    if n_classes > n:
        raise ValueError(f"spirals: n_classes ({shown(n_classes)}) must be at most n ({n}), a point for each arm")
    sizes = [len(range(k, n, n_classes)) for k in range(n_classes)]
    y = np.repeat(np.arange(n_classes), sizes)
    r = np.concatenate([np.linspace(0.0, 1.0, size) for size in sizes])  # each arm runs out from the centre
    t = y * (2 * np.pi / n_classes) + r * 4 + rng.normal(0, noise, n)
    X = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return _finish(X, y.astype(np.int64), rng)


def blobs(n: int = 100, centers: int = 3, std: float = 1.0, features: int = 2, seed: int = 0) -> tuple:
    """Gaussian blobs of spread `std` around `centers` random centres in [-10, 10]^features."""
    counts = {"n": n, "centers": centers, "features": features}
    rng, n, centers, features = _drawn("blobs", seed, counts, {"std": std}, arrays=5)
    if centers > n:  # centres without a point, each drawn all the same (16 GB of them for centers=10**9)
        raise ValueError(f"blobs: centers ({centers}) must be at most n ({n}), a point for each centre")
    middle = rng.uniform(-10, 10, (centers, features))
    y = np.arange(n) % centers
    return _finish(middle[y] + rng.normal(0, std, (n, features)), y.astype(np.int64), rng)


def linear_regression(
    n: int = 100, features: int = 1, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """y = X @ w + b + noise: returns X, y (shape (n, 1)), and the true w and b to compare against."""
    rng, n, features = _drawn("linear_regression", seed, {"n": n, "features": features}, {"noise": noise}, arrays=3)
    w = rng.uniform(-3, 3, features)
    b = float(rng.uniform(-2, 2))
    X = rng.uniform(-1, 1, (n, features))
    y = X @ w + b + rng.normal(0, noise, n)
    return X.astype(np.float32), y.reshape(-1, 1).astype(np.float32), w, b


def _vertices(rng: np.random.Generator, count: int, dims: int) -> np.ndarray:
    """`count` distinct vertices of the unit hypercube in `dims` dimensions, as rows of 0s and 1s: drawn
    from a permutation of all 2**dims where they are few; up to 62 dimensions as numbers drawn without
    replacement (numpy's choice: the 2**dims of 40 features would not fit in memory, and random rows,
    drawn again until distinct, would never be for thousands of clusters on 17 features); beyond, as
    random rows drawn again until distinct (count rows coincide with a chance below count**2 / 2**64)."""
    if dims <= 16:
        return (rng.permutation(2**dims)[:count, None] >> np.arange(dims)) & 1
    if dims <= 62:
        return (rng.choice(2**dims, count, replace=False)[:, None] >> np.arange(dims)) & 1
    rows = rng.integers(0, 2, (count, dims))
    while len(np.unique(rows, axis=0)) < count:
        rows = rng.integers(0, 2, (count, dims))
    return rows


def make_classification(
    n_samples: int = 100,
    n_features: int = 2,
    n_classes: int = 2,
    n_clusters_per_class: int = 2,
    class_sep: float = 1.0,
    flip_y: float = 0.01,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters at the vertices of a hypercube, as scikit-learn's function of this
    name draws them (the lesson uses n_features=2, flip_y=0.2; the other defaults are its own):
    each cluster sheared by a random matrix around a distinct vertex of side 2 * class_sep,
    clusters dealt to classes in turn, then a fraction `flip_y` of labels drawn at random."""
    counts = {"n_samples": n_samples, "n_features": n_features, "n_classes": n_classes}
    counts["n_clusters_per_class"] = n_clusters_per_class
    check_real("make_classification", "class_sep", class_sep)
    check_real("make_classification", "flip_y", flip_y, 0, 1)
    rng, n_samples, n_features, n_classes, n_clusters_per_class = _drawn(
        "make_classification", seed, counts, {}, lambda n, features, *_: 2 * features * features
    )
    n_clusters = n_classes * n_clusters_per_class
    if n_clusters > n_samples:  # clusters, even classes, without a sample, each still drawn (a loop over them)
        raise ValueError(
            f"make_classification: n_classes * n_clusters_per_class ({n_clusters} clusters) must be at most "
            f"n_samples ({n_samples}), a sample for each cluster"
        )
    if n_features < 64 and n_clusters > 2**n_features:
        raise ValueError(f"make_classification: {n_clusters} clusters need more than {n_features} features")
    centres = (_vertices(rng, n_clusters, n_features) * 2 - 1) * class_sep
    cluster = np.arange(n_samples) % n_clusters
    X = np.empty((n_samples, n_features))
    for k in range(n_clusters):
        rows = cluster == k
        shear = rng.uniform(-1, 1, (n_features, n_features))
        X[rows] = rng.standard_normal((rows.sum(), n_features)) @ shear + centres[k]
    y = cluster % n_classes
    flip = rng.random(n_samples) < flip_y
    y = np.where(flip, rng.integers(0, n_classes, n_samples), y)
    return _finish(X, y.astype(np.int64), rng)


def train_val_split(
    X: np.ndarray, y: np.ndarray, val_fraction: float = 0.2, shuffle: bool = True, seed: int = 0
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """((X_train, y_train), (X_val, y_val)), the last `val_fraction` of the (shuffled) examples for
    validation. Lists are taken as numpy takes them; the parts are arrays."""
    X, y = _pair("train_val_split", X, y)
    check_real("train_val_split", "val_fraction", val_fraction, 0, 1)
    shuffle = check_flag("train_val_split", "shuffle", shuffle)
    rng = generator(seed, "train_val_split")
    order = rng.permutation(len(y)) if shuffle else np.arange(len(y))
    cut = len(y) - int(round(len(y) * val_fraction))
    return (X[order[:cut]], y[order[:cut]]), (X[order[cut:]], y[order[cut:]])


def _pair(owner: str, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """X and y as arrays of as many examples."""
    X, y = as_examples(owner, "X", X), as_examples(owner, "y", y)
    if len(X) != len(y):
        raise ValueError(f"{owner}: {len(X)} examples but {len(y)} labels")
    return X, y


class Batches:
    """Minibatches of (X, y): iterate once per epoch. With `shuffle`, each epoch has a new order
    drawn from the generator seeded by `seed`, so a run repeats exactly (seed=None: autograd's
    default generator as it is when each epoch begins, which autograd.manual_seed seeds). With
    `drop_last`, as PyTorch's DataLoader, the last batch is left out where it would be smaller (its
    examples, shuffled, are others each epoch); one that would leave no batch at all is refused.
    Each batch is a copy of its rows, never a view of X or y, shuffled or not, as the DataLoader's.
    What it was made with is read-only, checked together once: make new Batches to change it."""

    def __init__(
        self,
        X: Any,
        y: Any,
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = 0,
        drop_last: bool = False,
    ) -> None:
        self._X, self._y = _pair("Batches", X, y)
        self._batch_size = check_count("Batches", "batch_size", batch_size)
        self._shuffle = check_flag("Batches", "shuffle", shuffle)
        self._drop_last = check_flag("Batches", "drop_last", drop_last)
        if self.drop_last and len(self.y) < self.batch_size:
            raise ValueError(
                f"Batches: drop_last with {len(self.y)} examples and batch_size={self.batch_size} leaves no batch: "
                f"make batch_size at most {len(self.y)}"
            )
        check_seed("Batches", seed)
        # None: looked up at each epoch, as Dropout does at each call, so a later manual_seed counts
        self._rng = None if seed is None else generator(seed, "Batches")

    X = property(lambda self: self._X, doc="The examples, one a row.")
    y = property(lambda self: self._y, doc="The labels or targets, one an example.")
    batch_size = property(lambda self: self._batch_size, doc="Examples a batch (the last may have fewer).")
    shuffle = property(lambda self: self._shuffle, doc="Whether each epoch draws a new order.")
    drop_last = property(lambda self: self._drop_last, doc="Whether a smaller last batch is left out.")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("X", "y", "batch_size", "shuffle", "drop_last"):  # checked with the rest when made
            raise AttributeError(f"Batches: {name} is read-only, checked with the rest when made: make new Batches")
        super().__setattr__(name, value)

    def __len__(self) -> int:
        whole, part = divmod(len(self.y), self.batch_size)
        return whole + (1 if part and not self.drop_last else 0)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        rng = generator(None) if self._rng is None else self._rng
        # rows picked by index either way: each batch a copy, as PyTorch's DataLoader collates one, so a
        # batch changed in place (xb /= 255) changes neither the caller's arrays nor a later epoch
        order = rng.permutation(len(self.y)) if self.shuffle else np.arange(len(self.y))
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            rows = order[start : start + self.batch_size]
            yield self.X[rows], self.y[rows]
