"""nn.plot: the decision boundary at the right threshold, with labels and legends; whole epochs."""

import numpy as np
import pytest

import nn
from autograd import Tensor

plt = pytest.importorskip("matplotlib.pyplot")
from nn.plot import plot_curves, plot_decision_boundary  # noqa: E402

X = np.array([[-1.0, -1.0], [1.0, 1.0]], np.float32)  # the data at two corners: the middle shows the region


class Constant(nn.Module):
    """A one-score model predicting `value` everywhere (a probability, or a score)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def forward(self, x: Tensor) -> Tensor:
        return x[:, :1] * 0.0 + self.value


def middle_colour(path) -> np.ndarray:
    image = plt.imread(path)[..., :3]
    h, w = image.shape[:2]
    return image[h // 2, w // 2 - 40]  # in the plane, beside the boundary's legend and away from the data


@pytest.mark.parametrize("value, labels, positive", [(0.3, [0, 1], False), (0.7, [0, 1], True), (-0.4, [0, 1], False),
                                                     (0.3, [-1, 1], True), (-0.2, [-1, 1], False)])  # fmt: skip
def test_one_score_is_thresholded_as_accuracy_does(tmp_path, value, labels, positive):
    plot_decision_boundary(Constant(value), X, np.array(labels), tmp_path / "b.png", resolution=20)
    r, _, b = middle_colour(tmp_path / "b.png")
    assert (r > b) == positive  # red: the positive class; blue: the negative one


def test_plots_have_axis_labels_legends_and_whole_epochs(tmp_path, monkeypatch):
    saved = []
    monkeypatch.setattr(plt.Figure, "savefig", lambda fig, *a, **k: saved.append(fig))
    plot_curves({"loss": {"train": [3.0, 2.0, 1.5], "validation": [3.1, 2.2, 1.9]}}, tmp_path / "c.png")
    plot_decision_boundary(Constant(0.3), X, np.array([0, 1]), tmp_path / "b.png", resolution=10)
    curves, boundary = (fig.axes[0] for fig in saved)
    assert all(float(t).is_integer() for t in curves.get_xticks())
    assert boundary.get_xlabel() and boundary.get_ylabel()
    assert [t.get_text() for t in boundary.get_legend().get_texts()] == ["boundary (score = 0.5)", "class 0", "class 1"]


def test_images_and_confusion_plots_are_written(tmp_path):
    from nn.plot_images import confusion_matrix, plot_confusion, plot_images

    plot_images(np.arange(3 * 5 * 5, dtype=float).reshape(3, 5, 5) - 30, tmp_path / "filters.png", "three filters")
    assert (tmp_path / "filters.png").stat().st_size > 1000
    labels, predictions = np.array([0, 1, 2, 2, 1]), np.array([0, 2, 2, 2, 1])
    assert confusion_matrix(labels, predictions, 3).tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 2]]
    plot_confusion(labels, predictions, tmp_path / "confusion.png", classes=3)
    assert (tmp_path / "confusion.png").stat().st_size > 1000
    with pytest.raises(ValueError, match="a stack of 2-d images"):
        plot_images(np.zeros((4, 4)), tmp_path / "flat.png")
