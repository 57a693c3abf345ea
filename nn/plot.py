"""Plots saved as PNG, SVG or PDF (by the path) with matplotlib (from the clone: pip install -e ".[plot]")."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograd import missing_extra

from .module import Module
from .train import History, predict

SUFFIXES = (".png", ".svg", ".pdf")  # what the plots write, chosen by the path's suffix
# each curve of a panel its own dashes and marker, not only its colour: curves that coincide (two models
# with the same validation accuracy at every epoch) would otherwise hide each other
CURVE_STYLES = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"))


def checked_path(path: Any) -> None:
    """ValueError for a path whose suffix is no format the plots write, before any drawing: matplotlib
    would add ".png" to a path without one, and refuse ".txt" only at the end. A file object (a
    notebook's io.BytesIO) is written as PNG."""
    if isinstance(path, str | os.PathLike) and Path(path).suffix.lower() not in SUFFIXES:
        raise ValueError(f"a plot is written as .png, .svg or .pdf, by the path's suffix; got {os.fspath(path)!r}")


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise missing_extra("plots", "matplotlib", "plot") from None
    matplotlib.use("Agg")  # files only: no window, no display needed
    import matplotlib.pyplot as plt

    return plt


def plot_history(history: History, path: str | os.PathLike) -> None:
    """Loss (and the metric, when measured, under its name: accuracy by default) per epoch, for training
    and validation."""
    panels = {"loss": {"train": history.loss, "validation": history.val_loss}}
    if history.accuracy:
        panels[history.metric] = {"train": history.accuracy, "validation": history.val_accuracy}
    plot_curves(panels, path)


def plot_curves(panels: dict[str, dict[str, Sequence[float]]], path: str | os.PathLike, xlabel: str = "epoch") -> None:
    """One panel per name, holding its labelled curves against epochs 1, 2, ... (empty ones skipped)."""
    checked_path(path)
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.5), squeeze=False)
    for ax, (name, curves) in zip(axes[0], panels.items()):
        for (label, curve), (line, marker) in zip(curves.items(), itertools.cycle(CURVE_STYLES)):
            if len(curve):
                ax.plot(range(1, len(curve) + 1), curve, linestyle=line, marker=marker, markersize=3, label=label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        if max((len(c) for c in curves.values()), default=0) == 1:
            ax.set_xticks([1])  # one point: the locator would still draw ticks 0.95 ... 1.05
        ax.set_xlabel(xlabel)
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_decision_boundary(
    model: Module,
    X: np.ndarray,
    y: np.ndarray,
    path: str | os.PathLike,
    resolution: int = 100,
    threshold: float | None = None,
) -> None:
    """The classes a 2-D classifier predicts over the plane, its decision boundary (a contour of its
    scores on a fine grid, smooth rather than a staircase), and the data on top, with a legend.

    Class scores (N, C): the arg max is the class. One score per point: above `threshold` is the
    positive class. By default, as `accuracy` decides from the labels: 0 for labels -1/+1; for
    labels 0/1, 0.5 when the outputs are probabilities (all in [0, 1], as from a sigmoid) and 0
    when they are scores (a model trained with the hinge loss on 2 * y - 1)."""
    checked_path(path)
    plt = _pyplot()
    (x0, y0), (x1, y1) = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    scores = predict(model, np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32))
    labels = np.asarray(y).ravel()
    several = scores.ndim == 2 and scores.shape[1] > 1
    classes = np.arange(scores.shape[1]) if several else np.unique(labels)
    colours = plt.get_cmap("coolwarm" if len(classes) == 2 else "tab10")(np.linspace(0, 1, len(classes)))
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    if several:  # each class where its score beats every other: the margin above 0, smooth
        for c, colour in zip(classes, colours):
            margin = (scores[:, c] - np.delete(scores, c, axis=1).max(axis=1)).reshape(gx.shape)
            if margin.max() > 0:
                ax.contourf(gx, gy, margin, levels=[0, margin.max() + 1], colors=[colour], alpha=0.3)
                ax.contour(gx, gy, margin, levels=[0], colors="k", linewidths=1.2)
        ax.plot([], [], color="k", label="boundary")
    else:
        field = scores.reshape(gx.shape)
        if threshold is None:
            probabilities = classes.min() >= 0 and 0 <= field.min() and field.max() <= 1
            threshold = 0.5 if probabilities else 0.0
        edges = [min(field.min(), threshold) - 1, threshold, max(field.max(), threshold) + 1]
        ax.contourf(gx, gy, field, levels=edges, colors=colours, alpha=0.3)
        ax.contour(gx, gy, field, levels=[threshold], colors="k", linewidths=1.2)
        ax.plot([], [], color="k", label=f"boundary (score = {threshold:g})")
    for c, colour in zip(classes, colours):
        at = labels == c
        ax.scatter(X[at, 0], X[at, 1], color=colour, s=18, edgecolors="k", linewidths=0.4, label=f"class {c:g}")
    ax.set_xlabel("x[0]")
    ax.set_ylabel("x[1]")
    ax.set_title("decision boundary")
    ax.legend(loc="best", fontsize=8, framealpha=0.8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
