"""conftest marks tests/budget.py's SLOW tests slow by their file under tests/, whatever pytest's rootdir: with
`--rootdir` elsewhere the node ids are relative to it, no file matched SLOW, and its tests ran in the default run."""

from pathlib import Path
from types import SimpleNamespace

import conftest
import pytest

TESTS = Path(__file__).parent
SLOW_ONE = "test_matmul_matrix_vector_and_batched[sa6-sb6]"  # test_tensor_ops.py's one test in budget.SLOW


@pytest.mark.parametrize("rootdir", ["the repository", "elsewhere"])
def test_slow_tests_are_marked_whatever_the_rootdir(rootdir):
    """A node id as pytest writes it under each rootdir (seen: `--rootdir=/tmp` left it unmarked, -m slow took 0)."""
    where = "tests/" if rootdir == "the repository" else "../../work/elsewhere/tests/"
    marks: list = []
    item = SimpleNamespace(
        nodeid=f"{where}test_tensor_ops.py::{SLOW_ONE}", path=TESTS / "test_tensor_ops.py", add_marker=marks.append
    )
    config = SimpleNamespace(option=SimpleNamespace(keyword=""), args=[str(TESTS / "test_tensor_ops.py")])
    conftest.pytest_collection_modifyitems(config, [item])
    assert [mark.name for mark in marks] == ["slow"]
