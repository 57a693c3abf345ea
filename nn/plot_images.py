"""Plots of a classifier's insides, as PNG with matplotlib: learned weights or filters as a grid of
small images, and the confusion matrix of its predictions."""

from __future__ import annotations

import math
import os

import numpy as np

from .plot import _pyplot, checked_path


def plot_images(images: np.ndarray, path: str | os.PathLike, title: str = "", columns: int = 8) -> None:
    """A grid of grey images (a stack of 2-d arrays: a first layer's filters, a Linear layer's
    weights reshaped to the input's image), each scaled on its own, blue below 0 and red above."""
    images = np.asarray(images, dtype=float)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"plot_images needs a stack of 2-d images, shape (n, height, width); got {images.shape}")
    checked_path(path)
    plt = _pyplot()
    columns = min(columns, len(images))
    rows = math.ceil(len(images) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.2 * columns, 1.2 * rows + 0.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image in zip(axes.flat, images):
        bound = float(np.abs(image).max()) or 1.0
        ax.imshow(image, cmap="coolwarm", vmin=-bound, vmax=bound)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
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
