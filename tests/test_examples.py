"""The examples run and reach their figures (the full MNIST lab is marked slow)."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

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


@pytest.mark.slow
@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason=f"the real MNIST files are not at {MNIST_DIR}")
def test_mnist_default_configuration_reaches_98_percent(tmp_path):
    lines = run("mnist.py", "--data-dir", str(MNIST_DIR), "--out-dir", str(tmp_path))
    assert lines[-1].startswith("test accuracy: ") and figure(lines, "test accuracy") >= 0.98
    assert (tmp_path / "mnist_curves.png").exists() and (tmp_path / "mnist_weights.png").exists()
