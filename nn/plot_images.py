"""Plots of a classifier's insides, as PNG with matplotlib: learned weights or filters as a grid of
small images, and the confusion matrix of its predictions."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np

from .plot import _pyplot, checked_path


def plot_images(
    images: np.ndarray,
    path: str | os.PathLike,
    title: str = "",
    columns: int = 8,
    labels: Sequence[str] | None = None,
) -> None:
    """A grid of images (a stack of 2-d arrays: a first layer's filters, a Linear layer's weights
    reshaped to the input's image), each `labels[i]` above image i if given. Colours run from blue
    (negative) through white (0) to red (positive), each image scaled by its own largest |value|, so
    that a filter of small weights shows its pattern too; a colour bar says so."""
    images = np.asarray(images, dtype=float)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"plot_images needs a stack of 2-d images, shape (n, height, width); got {images.shape}")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"plot_images got {len(labels)} labels for {len(images)} images: give one per image")
    checked_path(path)
    plt = _pyplot()
    columns = min(columns, len(images))
    rows = math.ceil(len(images) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.2 * columns + 0.8, 1.2 * rows + 0.6), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, (ax, image) in enumerate(zip(axes.flat, images)):
        bound = float(np.abs(image).max()) or 1.0
        shown = ax.imshow(image / bound, cmap="coolwarm", vmin=-1, vmax=1)
        if labels is not None:
            ax.set_title(labels[i], fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    # one key for every image: each was divided by its own largest |value|, so the key runs from -1 to 1
    key = fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.8, ticks=[-1, 0, 1])
    key.set_label("value ÷ the image's\nlargest |value|")
    fig.savefig(path, dpi=100, bbox_inches="tight")  # tight_layout leaves the colour bar's label out
    plt.close(fig)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, classes: int) -> np.ndarray:
    """counts[i, j]: how many examples of class i were predicted as j."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(labels), np.asarray(predictions)), 1)
    return counts


def plot_confusion(labels: np.ndarray, predictions: np.ndarray, path: str | os.PathLike, classes: int = 10) -> None:
    """The confusion matrix as a labelled heat map: rows the true class, columns the prediction."""
    counts = confusion_matrix(labels, predictions, classes)
    checked_path(path)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5))
    shown = ax.imshow(np.log1p(counts), cmap="Blues")
    for i, j in np.ndindex(counts.shape):
        if counts[i, j]:
            light = counts[i, j] > counts.max() ** 0.5
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7, color="white" if light else "black")
    ax.set_xticks(range(classes))
    ax.set_yticks(range(classes))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(f"confusion matrix: {np.trace(counts)} of {counts.sum()} right")
    fig.colorbar(shown, ax=ax, label="log(1 + count)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
