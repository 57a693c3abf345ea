"""conftest marks tests/budget.py's SLOW tests slow by their file under tests/, whatever pytest's rootdir: with
`--rootdir` elsewhere the node ids were relative to it, no file matched SLOW, and its tests ran in the default run."""

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent
SLOW_ONE = "test_matmul_matrix_vector_and_batched[sa6-sb6]"  # test_tensor_ops.py's one test in budget.SLOW


def test_slow_tests_are_marked_with_the_rootdir_elsewhere(tmp_path):
    """A run of one file, from another directory, with another rootdir: its SLOW test is all `-m slow` collects."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-p",
        "no:cacheprovider",
        "-n",
        "0",
        "-m",
        "slow",
    ]
    command += [f"--rootdir={tmp_path}", str(TESTS / "test_tensor_ops.py")]
    run = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert SLOW_ONE in run.stdout, run.stdout[-2000:] + run.stderr[-2000:]
    assert run.stdout.count("::") == 1, run.stdout[-2000:]
