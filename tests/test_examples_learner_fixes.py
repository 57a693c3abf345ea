"""What a learner is told matches what runs: the MNIST lab's weight images and flags, moons' one
accuracy format, notebook 01's order of backward and its node names, and plots that show every curve
and say what their colours mean."""

import json
import re

import numpy as np
import pytest
from test_examples import ROOT, example, usage_error  # noqa: F401 (example is a fixture)
from test_nn_data import write_mnist

import nn

plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture
def saved_figures(monkeypatch) -> list:
    """The figures the plots would write, kept instead of written."""
    saved = []
    monkeypatch.setattr(plt.Figure, "savefig", lambda fig, *a, **k: saved.append(fig))
    return saved


@pytest.mark.parametrize(
    "hidden, count, title",
    [
        ([], 10, "10 class templates: the weights of each digit's score on the pixels (layers.0.W)"),
        ([20], 20, "first layer's weights on the pixels, all 20 units (layers.0.W)"),
        ([40], 32, "first layer's weights on the pixels, the first 32 of its 40 units (layers.0.W)"),
    ],
)
def test_mnist_first_layer_images_are_titled_from_the_real_shape(example, hidden, count, title):  # noqa: F811
    model = example("mnist").build(len(hidden) + 1, hidden, "relu", 0.0, seed=0)
    images, got_title, labels = example("mnist").first_layer_images(model)
    assert images.shape == (count, 28, 28) and got_title == title
    assert labels == ([f"digit {d}" for d in range(10)] if not hidden else None)


def test_one_layer_templates_are_drawn_labelled_by_digit(example, saved_figures, tmp_path):  # noqa: F811
    mnist = example("mnist")
    images, title, labels = mnist.first_layer_images(mnist.build(1, [], "relu", 0.0, seed=0))
    mnist.plot_images(images, tmp_path / "first.png", title, labels=labels)
    (fig,) = saved_figures
    assert [ax.get_title() for ax in fig.axes[:10]] == [f"digit {d}" for d in range(10)]


@pytest.mark.parametrize(
    "flags, named",
    [
        (["--layers", "1"], "--layers"),
        (["--activation", "tanh"], "--activation"),
        (["--hidden", "512"], "--hidden"),
        (["--activation", "tanh", "--layers", "1", "--hidden", "512"], "--layers"),
    ],
)
def test_mnist_cnn_refuses_the_perceptrons_flags_by_name(example, capsys, tmp_path, flags, named):  # noqa: F811
    write_mnist(tmp_path)
    line = usage_error(example, capsys, "mnist", "--data-dir", str(tmp_path), "--out", str(tmp_path), "--model", "cnn",
                       *flags)  # fmt: skip
    assert line.startswith(f"mnist.py: error: argument {named}: --model cnn has fixed layers, sizes and ReLU")
    given = [flag for flag in flags if flag.startswith("--")]
    assert line.endswith(f"leave out {', '.join(f for f in ('--layers', '--hidden', '--activation') if f in given)}, "
                         "which only --model mlp uses")  # fmt: skip


def test_mnist_one_layer_refuses_an_activation_it_would_not_use(example, capsys, tmp_path):  # noqa: F811
    """Before: --layers 1 --activation tanh trained a net with no activation, the flag read only to pick xavier
    over he init, without a word (as --dropout and --hidden with --layers 1 are refused)."""
    write_mnist(tmp_path)
    line = usage_error(example, capsys, "mnist", "--data-dir", str(tmp_path), "--out", str(tmp_path), "--layers", "1",
                       "--activation", "tanh")  # fmt: skip
    assert line == (
        "mnist.py: error: argument --activation: --layers 1 has no hidden layer, so no activation; "
        "leave --activation out"
    )


def test_moons_prints_every_accuracy_as_a_percentage(example, capsys, tmp_path):  # noqa: F811
    moons = example("moons")
    moons.save_plot = lambda plot, *args, path: None  # the boundary of a scalar MLP takes seconds
    moons.main(["--steps", "2", "--points", "10", "--out", str(tmp_path / "moons.png")])
    accuracies = re.findall(r"accuracy:? (\S+)", capsys.readouterr().out)
    assert len(accuracies) == 3 and all(re.fullmatch(r"\d+%,?", a) for a in accuracies), accuracies


def notebook_cells(name: str) -> list[dict]:
    return json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


def test_notebook_01_lists_backwards_order_and_names_the_nodes_explain_prints():
    import viz
    from autograd import backward_order

    cells = ["".join(cell["source"]) for cell in notebook_cells("01-backprop-one-neuron")]
    assert "backward_order(o)" in cells[15] and "`backward_order`" in cells[14]
    scope: dict = {}
    exec(cells[1] + "\n" + cells[13].split("\n\n\no, leaves")[0], scope)  # the imports and make_neuron
    o, leaves = scope["make_neuron"]()
    o.backward()
    explained = str(viz.explain(o, leaves[2]))  # as print shows it
    promised = re.findall(r"`(#\d+)`", cells[18])
    assert promised and all(re.search(rf"{name}(?!\d)", explained) for name in promised)
    numbered = {f"#{step}" for step, node in enumerate(backward_order(o), 1) if not node.label}
    assert set(promised) <= numbered


def test_curves_that_coincide_are_drawn_with_different_dashes_and_markers(saved_figures, tmp_path):
    same = [0.85, 0.85, 0.85]
    nn.plot.plot_curves({"validation accuracy": {"one layer": same, "two layers": same}}, tmp_path / "c.png")
    (fig,) = saved_figures
    lines = fig.axes[0].get_lines()
    assert len({line.get_linestyle() for line in lines}) == 2 and len({line.get_marker() for line in lines}) == 2


def test_images_have_a_colour_key_and_labels_must_match_the_images(saved_figures, tmp_path):
    from nn.plot_images import plot_images

    plot_images(np.arange(3 * 5 * 5, dtype=float).reshape(3, 5, 5) - 30, tmp_path / "filters.png", "three filters")
    (fig,) = saved_figures
    (key,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert "largest |value|" in key.get_ylabel()
    with pytest.raises(ValueError, match="2 labels for 3 images: give one per image"):
        plot_images(np.zeros((3, 5, 5)), tmp_path / "labelled.png", labels=["a", "b"])
    assert len(saved_figures) == 1  # refused before any drawing
