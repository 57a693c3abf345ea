"""Plots saved as PNG with matplotlib (an optional extra: pip install chainrule[plot])."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from .module import Module
from .train import History, predict


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ImportError("plots need matplotlib: pip install chainrule[plot]") from None
    matplotlib.use("Agg")  # files only: no window, no display needed
    import matplotlib.pyplot as plt

    return plt


def plot_history(history: History, path: str | os.PathLike) -> None:
    """Loss (and accuracy, when measured) per epoch, for training and validation."""
    panels = {"loss": {"train": history.loss, "validation": history.val_loss}}
    if history.accuracy:
        panels["accuracy"] = {"train": history.accuracy, "validation": history.val_accuracy}
    plot_curves(panels, path)


def plot_curves(panels: dict[str, dict[str, Sequence[float]]], path: str | os.PathLike, xlabel: str = "epoch") -> None:
    """One panel per name, holding its labelled curves against epochs 1, 2, ... (empty ones skipped)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.5), squeeze=False)
    for ax, (name, curves) in zip(axes[0], panels.items()):
        for label, curve in curves.items():
            if len(curve):
                ax.plot(range(1, len(curve) + 1), curve, marker="o", markersize=3, label=label)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_decision_boundary(
    model: Module, X: np.ndarray, y: np.ndarray, path: str | os.PathLike, resolution: int = 60
) -> None:
    """The classes a 2-D classifier predicts over the plane, with the data on top."""
    plt = _pyplot()
    (x0, y0), (x1, y1) = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    scores = predict(model, grid)
    classes = scores.argmax(axis=1) if scores.ndim == 2 and scores.shape[1] > 1 else (scores.reshape(-1) > 0)
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.contourf(gx, gy, classes.reshape(gx.shape), alpha=0.35, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=18, cmap="coolwarm", edgecolors="k", linewidths=0.4)
    ax.set_title("decision boundary")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
