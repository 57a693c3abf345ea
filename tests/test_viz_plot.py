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
