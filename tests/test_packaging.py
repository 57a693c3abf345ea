"""chainrule's engine is installed as `autograd`, the top-level name HIPS autograd also uses:
nn and viz refuse to start on the wrong one, with a message that says what to do."""

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("package", ["nn", "viz"])
def test_nn_and_viz_name_a_foreign_autograd(tmp_path, package):
    foreign = tmp_path / "autograd"
    foreign.mkdir()
    (foreign / "__init__.py").write_text("grad = None  # another package of the same name\n")
    project = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), project])}
    run = subprocess.run(
        [sys.executable, "-c", f"import {package}"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert run.returncode == 1
    assert f"{package} needs chainrule's engine" in run.stderr and "pip uninstall autograd" in run.stderr
