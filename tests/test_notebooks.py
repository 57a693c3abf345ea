"""The notebooks in notebooks/: stored without outputs, and each runs from top to bottom.

The execution tests start a Jupyter kernel on this test's own Python (the venv, with chainrule's
editable install) through a kernel spec written to a temporary folder, so that no kernel
registered elsewhere on the machine is used by mistake. They skip when nbclient, nbformat or
ipykernel are missing (pip install -e ".[notebook]").
"""

import json
import re
import sys
import time
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds for any one cell; the slowest (training on MNIST) takes a few
# The notebooks that take more than a few seconds run with the slow tests (python -m pytest -m slow).
SLOW = {"04-mnist"}


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_lesson_is_all_there():
    names = [path.stem for path in NOTEBOOKS]
    assert names == [
        "01-backprop-one-neuron",
        "02-own-framework",
        "03-regression",
        "04-mnist",
        "05-next-cnn",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_stored_without_outputs(path):
    """Outputs make diffs unreadable and go stale: clear them before committing (in Jupyter:
    Edit > Clear All Outputs; or jupyter nbconvert --clear-output --inplace notebooks/*.ipynb)."""
    nb = load(path)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name}, cell {i}: has outputs; clear them before committing"
            assert cell.get("execution_count") is None, f"{path.name}, cell {i}: has an execution count; clear it"
        assert "attachments" not in cell, f"{path.name}, cell {i}: has attachments (images pasted into markdown)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_made_for_learners(path):
    """A Python 3 kernel, short code cells, and a "Try this" list at the end."""
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert len(source(cell).splitlines()) <= 40, f"{path.name}, cell {i}: more than 40 lines"
    last = nb["cells"][-1]
    assert last["cell_type"] == "markdown" and "Try this" in source(last), f"{path.name}: no closing Try this"


@pytest.fixture
def run_notebook(tmp_path, monkeypatch):
    """Execute a notebook in its own folder on a kernel running this Python; returns it and the seconds taken."""
    for module in ("nbclient", "nbformat", "ipykernel"):
        pytest.importorskip(module, reason=f'{module} is not installed: pip install -e ".[notebook]"')
    import nbclient
    import nbformat

    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))  # searched before any other kernel folder
    monkeypatch.delenv("CHAINRULE_FULL", raising=False)

    def run(path: Path) -> tuple[object, float]:
        nb = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(
            nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
        )
        start = time.perf_counter()
        client.execute()  # raises CellExecutionError, naming the cell and the traceback, if a cell fails
        return nb, time.perf_counter() - start

    return run


def outputs(nb) -> str:
    """Everything the notebook printed, joined."""
    return "\n".join(out["text"] for cell in nb.cells for out in cell.get("outputs", []) if out.output_type == "stream")


def images(nb) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))


@pytest.mark.parametrize(
    "path",
    [pytest.param(path, marks=[pytest.mark.slow] if path.stem in SLOW else []) for path in NOTEBOOKS],
    ids=lambda path: path.stem,
)
def test_runs_top_to_bottom(path, run_notebook):
    nb, seconds = run_notebook(path)
    print(f"{path.name}: {seconds:.1f} s")
    text = outputs(nb)
    assert "Traceback" not in text
    if path.stem == "04-mnist" and "MNIST from" in text:  # on real MNIST, even the short run learns
        assert float(re.search(r"3 layers: .* test accuracy ([0-9.]+)", text).group(1)) > 0.9


def test_mnist_runs_on_the_stand_in_without_the_files(run_notebook, tmp_path, monkeypatch):
    """Without MNIST the notebook says where to get it and trains on its synthetic digits instead."""
    monkeypatch.setenv("CHAINRULE_MNIST", str(tmp_path / "no-mnist-here"))
    nb, seconds = run_notebook(NOTEBOOK_DIR / "04-mnist.ipynb")
    print(f"04-mnist.ipynb on the stand-in: {seconds:.1f} s")
    text = outputs(nb)
    assert "yann.lecun.com" in text and "synthetic stand-in" in text
    assert images(nb) >= 5


def test_regression_shows_the_shape_a_hand_written_loss_broadcasts_to():
    """A target of shape (N,) beside predictions (N, 1) makes a hand-written MSE of shape (N, N), silently (a learner
    fitted w = -0.000, b = 1.087 for the true 1.830, 1.232): notebook 03 prints the shape where its loss is
    written, says why, and has a "Try this" of it."""
    cells = load(NOTEBOOK_DIR / "03-regression.ipynb")["cells"]
    loss_cell = next(source(c) for c in cells if "def mse(" in source(c))
    assert "(pred - y).shape" in loss_cell
    assert any("(50, 50)" in source(c) for c in cells if c["cell_type"] == "markdown")
    assert "y.ravel()" in source(cells[-1])
