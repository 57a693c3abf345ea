"""The examples run, explain their flags, refuse bad ones in one line, and reach their figures:
each script's main(argv) returns them (the full-size runs are marked slow)."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from test_nn_data import write_mnist

import nn

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"
# the scripts (helpers such as plots.py have no main); draw_graph.py is tested with viz
SCRIPTS = sorted(p.stem for p in EXAMPLES.glob("*.py") if "def main(" in p.read_text() and p.stem != "draw_graph")


@pytest.fixture
def example(monkeypatch):
    """Import examples/<name>.py as a module, as `python examples/<name>.py` would find its helpers."""
    monkeypatch.syspath_prepend(str(EXAMPLES))

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


def usage_error(example, capsys, script: str, *argv: str) -> str:
    """The last line main(argv) writes on its way out with argparse's usage error (exit status 2)."""
    with pytest.raises(SystemExit) as exit:
        example(script).main(list(argv))
    assert exit.value.code == 2
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr
    return stderr.splitlines()[-1]


def test_every_example_but_the_shared_helpers_is_a_script_with_a_main():
    assert {"lesson", "mnist", "moons", "neuron", "regression", "spirals"} <= set(SCRIPTS)
    assert {p.stem for p in EXAMPLES.glob("*.py")} - set(SCRIPTS) == {"plots", "flags", "draw_graph"}


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_says_what_the_script_does(example, capsys, script):
    module = example(script)
    with pytest.raises(SystemExit) as exit:
        module.main(["--help"])
    assert exit.value.code == 0
    help_text = capsys.readouterr().out
    assert help_text.startswith(f"usage: {script}.py") and module.__doc__.splitlines()[0] in help_text


@pytest.mark.parametrize("script", SCRIPTS)
def test_an_unknown_flag_is_a_one_line_usage_error(example, capsys, script):
    line = usage_error(example, capsys, script, "--no-such-flag")
    assert line == f"{script}.py: error: unrecognized arguments: --no-such-flag"


BAD_VALUES = {
    ("lesson", "--epochs", "0"): "argument --epochs: expected a whole number of at least 1, got '0'",
    ("lesson", "--lr", "-0.1"): "argument --lr: expected a positive number, got '-0.1'",
    ("lesson", "--batch-size", "four"): "argument --batch-size: expected a whole number of at least 1, got 'four'",
    ("moons", "--steps", "2.5"): "argument --steps: expected a whole number of at least 1, got '2.5'",
    ("moons", "--points", "0"): "argument --points: expected a whole number of at least 1, got '0'",
    ("regression", "--lr", "nan"): "argument --lr: expected a positive number, got 'nan'",
    ("spirals", "--epochs", "-3"): "argument --epochs: expected a whole number of at least 1, got '-3'",
}


@pytest.mark.parametrize("flags", BAD_VALUES, ids=" ".join)
def test_a_bad_value_is_a_usage_error_naming_the_flag(example, capsys, flags):
    script, *argv = flags
    assert usage_error(example, capsys, script, *argv) == f"{script}.py: error: {BAD_VALUES[flags]}"


def test_a_script_runs_from_anywhere(tmp_path):
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "neuron.py")], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "gradcheck against finite differences: True"


def test_neuron_gradients_by_hand_and_by_chainrule_agree(example):
    figures = example("neuron").main([])
    assert figures["gradcheck"] is True
    assert figures["o"] == pytest.approx(np.sqrt(0.5)) and figures["dw1"] == pytest.approx(figures["dw1_by_hand"])


def test_moons_learns_in_a_few_steps_and_plots_where_asked(example, tmp_path):
    moons = example("moons")
    plotted = []
    moons.save_plot = lambda plot, *args, path: plotted.append(path)  # the boundary of a scalar MLP takes seconds
    figures = moons.main(["--steps", "15", "--points", "30", "--out", str(tmp_path / "moons.png")])
    assert figures["train_accuracy"] >= 0.9 and figures["loss"] < 0.3
    assert plotted == [str(tmp_path / "moons.png")]


@pytest.mark.slow
def test_moons_reaches_full_training_accuracy(example, tmp_path):
    figures = example("moons").main(["--out", str(tmp_path / "moons.png")])
    assert figures["train_accuracy"] == 1.0 and (tmp_path / "moons.png").exists()


def test_lesson_reaches_the_lessons_accuracies_and_fit_is_the_same_loop(example):
    figures = example("lesson").main([])
    assert set(figures) == {"one layer", "two layers", "two layers, nn.fit"}
    for net in figures.values():
        assert net["train_accuracy"] >= 0.8 and net["val_accuracy"] >= 0.85
    assert figures["two layers, nn.fit"] == figures["two layers"]


def test_regression_recovers_the_coefficients(example, capsys):
    figures = example("regression").main([])
    # every coefficient to 3 decimals, as the true ones: it printed the fitted w = [0.85, -1.405] beside 0.822
    assert "fitted with mse_loss: w = [0.850, -1.405], b = -1.834" in capsys.readouterr().out
    true = [*figures["true"]["w"], figures["true"]["b"]]
    for loss in ("mse_loss", "l1_loss"):
        assert np.allclose([*figures[loss]["w"], figures[loss]["b"]], true, atol=0.1)
    assert figures["mse_loss"]["val_loss"] < 0.02  # the noise's variance is 0.01


def test_spirals_above_95_percent(example, tmp_path):
    figures = example("spirals").main(["--out", str(tmp_path / "spirals.png")])
    assert figures["val_accuracy"] > 0.95 and figures["train_accuracy"] > 0.95
    assert (tmp_path / "spirals.png").exists()


def test_mnist_without_its_files_says_where_to_get_them(example, tmp_path):
    with pytest.raises(SystemExit) as exit:
        example("mnist").main(["--data-dir", str(tmp_path)])
    assert "yann.lecun.com/exdb/mnist" in str(exit.value.code)


BAD_FLAGS = {
    ("--lr", "0"): "argument --lr: expected a positive number, got '0'",
    ("--lr", "-0.1"): "argument --lr: expected a positive number, got '-0.1'",
    ("--lr", "nan"): "argument --lr: expected a positive number, got 'nan'",
    ("--epochs", "0"): "argument --epochs: expected a whole number of at least 1, got '0'",
    ("--epochs", "2.5"): "argument --epochs: expected a whole number of at least 1, got '2.5'",
    ("--batch-size", "-8"): "argument --batch-size: expected a whole number of at least 1, got '-8'",
    ("--dropout", "1"): r"argument --dropout: expected a probability in \[0, 1\), got '1'",
    ("--dropout", "-0.5"): r"argument --dropout: expected a probability in \[0, 1\), got '-0.5'",
    ("--hidden", "256,abc"): "argument --hidden: expected whole numbers >= 1, comma separated, got '256,abc'",
    ("--hidden", "256,0"): "argument --hidden: expected whole numbers >= 1, comma separated, got '256,0'",
    ("--hidden", "256"): r"argument --hidden: --layers 3 needs 2 sizes, got \[256\]",
    ("--seed", "-1"): "argument --seed: expected a whole number of at least 0, got '-1'",
    ("--data-dir", "no/such/folder"): "argument --data-dir: no folder no/such/folder. MNIST is four files",
    ("--save", "no/such/folder/model.npz"): "argument --save: no/such/folder/model.npz is a folder, or its folder",
    ("--val-size", "6"): "argument --val-size: 6 leaves none of the 6 training images",
}


@pytest.mark.parametrize("flags", BAD_FLAGS, ids=" ".join)
def test_mnist_refuses_bad_flags_with_a_one_line_usage_error(example, capsys, tmp_path, monkeypatch, flags):
    write_mnist(tmp_path)
    monkeypatch.chdir(tmp_path)
    line = usage_error(example, capsys, "mnist", "--data-dir", str(tmp_path), *flags)
    assert re.fullmatch(rf"mnist.py: error: {BAD_FLAGS[flags]}.*", line), line


def test_mnist_plots_go_to_a_new_out_folder_and_a_file_there_is_refused(example, capsys, tmp_path, monkeypatch):
    write_mnist(tmp_path, n_train=40, n_test=10)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "new" / "plots"
    figures = example("mnist").main(["--data-dir", str(tmp_path), "--epochs", "1", "--val-size", "8",
                                     "--out", str(out), "--hidden", "8,4"])  # fmt: skip
    assert "training on 32 images, validating on 8 held out; 10 to test" in capsys.readouterr().out
    assert set(figures) == {"val_accuracy", "test_accuracy"} and 0 <= figures["test_accuracy"] <= 1
    for plot in ("mnist_curves", "mnist_weights", "mnist_confusion", "mnist_first_layer"):
        assert (out / f"{plot}.png").stat().st_size > 1000, plot
    line = usage_error(example, capsys, "mnist", "--data-dir", str(tmp_path), "--out", str(out / "mnist_curves.png"))
    assert line.startswith("mnist.py: error: argument --out: cannot")


def test_save_plot_makes_its_folder_and_a_failed_write_costs_only_the_plot(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    from plots import save_plot

    write = lambda text, path: Path(path).write_text(text)
    save_plot(write, "curves", path=tmp_path / "new" / "plot.png")
    assert (tmp_path / "new" / "plot.png").read_text() == "curves"
    save_plot(write, "curves", path=tmp_path / "new" / "plot.png" / "under-a-file.png")
    assert capsys.readouterr().out.splitlines()[-1].startswith("no plot: cannot write")


@pytest.mark.parametrize("layers, sizes", [(1, [784, 10]), (2, [784, 256, 10]), (3, [784, 256, 128, 10])])
def test_mnist_builds_as_many_linear_layers_as_asked(example, layers, sizes):
    mnist = example("mnist")
    model = mnist.build(layers, [256, 128], "relu", 0.2, seed=0)
    linear = [m for m in model if isinstance(m, nn.Linear)]
    assert [linear[0].W.shape[0]] + [m.W.shape[1] for m in linear] == sizes
    assert sum(isinstance(m, nn.Dropout) for m in model) == layers - 1
    with pytest.raises(ValueError, match=rf"{layers + 1} layers need {layers} hidden sizes"):
        mnist.build(layers + 1, [256, 128][: layers - 1], "relu", 0.0, seed=0)


@pytest.mark.slow
@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason=f"the real MNIST files are not at {MNIST_DIR}")
def test_mnist_default_configuration_reaches_98_percent(example, capsys, tmp_path):
    figures = example("mnist").main(["--data-dir", str(MNIST_DIR), "--out", str(tmp_path / "plots")])
    assert "training on 55000 images, validating on 5000 held out; 10000 to test" in capsys.readouterr().out
    assert figures["test_accuracy"] >= 0.98
    assert (tmp_path / "plots" / "mnist_curves.png").exists() and (tmp_path / "plots" / "mnist_weights.png").exists()
