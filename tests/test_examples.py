"""The examples run and reach their figures (the full MNIST lab is marked slow)."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_nn_data import write_mnist

import nn

ROOT = Path(__file__).resolve().parents[1]
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"


def run(script: str, *args: str, cwd: Path = ROOT) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def figure(lines: list[str], prefix: str) -> float:
    return float(next(line for line in lines if line.startswith(prefix)).split(":")[-1])


def test_neuron(tmp_path):
    lines = run("neuron.py")
    assert "gradcheck against finite differences: True" in lines


def test_moons_reaches_full_training_accuracy(tmp_path):
    lines = run("moons.py", "--out", str(tmp_path / "moons.png"))
    assert figure(lines, "training accuracy") == 1.0


def test_lesson_reaches_the_lessons_accuracies():
    lines = [line for line in run("lesson.py") if ": final train accuracy" in line]
    assert len(lines) == 2
    for line in lines:
        train, validation = (float(part.split()[-1]) for part in line.split(": final ")[1].split(", "))
        assert train >= 0.8 and validation >= 0.8


def test_regression_recovers_the_coefficients():
    lines = run("regression.py")
    numbers = [[float(x) for x in re.findall(r"-?\d+\.\d+", line)[:3]] for line in lines]
    true, by_mse, by_l1 = numbers
    assert np.allclose(by_mse, true, atol=0.1) and np.allclose(by_l1, true, atol=0.1)


def test_spirals_above_95_percent(tmp_path):
    lines = run("spirals.py", "--out", str(tmp_path / "spirals.png"))
    assert figure(lines, "validation accuracy") > 0.95 and figure(lines, "training accuracy") > 0.95


def test_mnist_without_its_files_says_where_to_get_them(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "mnist.py"), "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "yann.lecun.com/exdb/mnist" in done.stderr


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
def test_mnist_refuses_bad_flags_with_a_one_line_usage_error(tmp_path, flags):
    write_mnist(tmp_path)
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "mnist.py"), "--data-dir", str(tmp_path), *flags],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert re.fullmatch(rf"mnist.py: error: {BAD_FLAGS[flags]}.*", done.stderr.splitlines()[-1])


def test_mnist_plots_go_to_a_new_out_folder_and_a_file_there_is_refused(tmp_path):
    write_mnist(tmp_path, n_train=40, n_test=10)
    lines = run("mnist.py", "--data-dir", str(tmp_path), "--epochs", "1", "--val-size", "8", "--out",
                str(tmp_path / "new" / "plots"), "--hidden", "8,4", cwd=tmp_path)  # fmt: skip
    assert "training on 32 images, validating on 8 held out; 10 to test" in lines
    assert lines[-1].startswith("test accuracy: ") and (tmp_path / "new" / "plots" / "mnist_curves.png").exists()
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "mnist.py"), "--data-dir", str(tmp_path),
                           "--out", str(tmp_path / "new" / "plots" / "mnist_curves.png")],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and done.stderr.splitlines()[-1].startswith("mnist.py: error: argument --out: cannot")


def test_save_plot_makes_its_folder_and_a_failed_write_costs_only_the_plot(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    from plots import save_plot

    write = lambda text, path: Path(path).write_text(text)
    save_plot(write, "curves", path=tmp_path / "new" / "plot.png")
    assert (tmp_path / "new" / "plot.png").read_text() == "curves"
    save_plot(write, "curves", path=tmp_path / "new" / "plot.png" / "under-a-file.png")
    assert capsys.readouterr().out.splitlines()[-1].startswith("no plot: cannot write")


@pytest.mark.parametrize("layers, sizes", [(1, [784, 10]), (2, [784, 256, 10]), (3, [784, 256, 128, 10])])
def test_mnist_builds_as_many_linear_layers_as_asked(monkeypatch, layers, sizes):
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    spec = importlib.util.spec_from_file_location("mnist_example", ROOT / "examples" / "mnist.py")
    mnist = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mnist)
    model = mnist.build(layers, [256, 128], "relu", 0.2, seed=0)
    linear = [m for m in model if isinstance(m, nn.Linear)]
    assert [linear[0].W.shape[0]] + [m.W.shape[1] for m in linear] == sizes
    assert sum(isinstance(m, nn.Dropout) for m in model) == layers - 1
    with pytest.raises(ValueError, match=rf"{layers + 1} layers need {layers} hidden sizes"):
        mnist.build(layers + 1, [256, 128][: layers - 1], "relu", 0.0, seed=0)


@pytest.mark.slow
@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason=f"the real MNIST files are not at {MNIST_DIR}")
def test_mnist_default_configuration_reaches_98_percent(tmp_path):
    lines = run("mnist.py", "--data-dir", str(MNIST_DIR), "--out", str(tmp_path / "plots"))
    assert "training on 55000 images, validating on 5000 held out; 10000 to test" in lines
    assert lines[-1].startswith("test accuracy: ") and figure(lines, "test accuracy") >= 0.98
    assert (tmp_path / "plots" / "mnist_curves.png").exists() and (tmp_path / "plots" / "mnist_weights.png").exists()
