"""A failing gradcheck in pytest shows its table, not gradcheck's source: pytest prints each frame's code,
and gradcheck's docstring alone is 80 lines (a failing property test printed about 180 lines a failure,
the table and hypothesis' falsifying example last). gradcheck, gradcheck_params and judged_gradcheck set
__tracebackhide__."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TESTS = """
import numpy as np
from autograd import Op, Tensor, gradcheck, gradcheck_params
from autograd.testing import judged_gradcheck

wrong = Op("twice_wrong", lambda x: 2 * x, lambda g, out, x: (3 * g,))


def test_gradcheck():
    assert gradcheck(wrong, [np.array([0.5, 1.5])])


def test_judged():
    assert judged_gradcheck(wrong, [np.array([0.5, 1.5])])


def test_params():
    w = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    assert gradcheck_params(lambda: wrong(w).sum(), [w])
"""


def test_a_failing_check_shows_its_table_not_gradchecks_source(tmp_path):
    (tmp_path / "test_user.py").write_text(TESTS)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-p",
            "no:randomly",
            "test_user.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = run.stdout
    assert "3 failed" in out, out[-2000:]
    assert out.count("gradients disagree with finite differences") >= 3
    for source in ("def gradcheck(", "def gradcheck_params(", "def judged_gradcheck(", "verdict(rows"):
        assert source not in out
