"""docs/ops.md and the README's op lists are written from the op table, and say what it holds."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "op_reference.py"


def _op_reference():
    spec = importlib.util.spec_from_file_location("op_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_op_reference_is_the_tables():
    assert _op_reference().stale() == [], "the op table changed: run `python docs/op_reference.py`"


def test_every_public_op_of_the_table_has_a_row_in_docs_ops_md():
    reference = _op_reference()
    rows = {
        line.split(" | ")[0].removeprefix("| ") for line in reference.ops_md().splitlines() if line.startswith("| ")
    }
    assert {d.name for defs in reference.families().values() for d in defs} <= rows


def test_every_family_has_a_title():
    """A new op_table module's family is titled for readers (the README listed "op_table_special: ..."),
    not named by its module."""
    assert [title for title in _op_reference().families() if title.startswith("op_table")] == []


def test_the_ops_micrograd_learners_meet_first_are_listed_together():
    """The lecture's `+ * ** relu tanh exp` and the README's "also `log sqrt sigmoid abs sin cos`" (its micrograd
    comparison) head the lists, as "arithmetic and core functions", wherever their rules are written: a family is
    the module of the entry's rule, and sigmoid's, moved to op_table_activations, had taken it away from tanh and
    relu to "activations"."""
    core = {d.name for d in _op_reference().families()["arithmetic and core functions"]}
    lesson = {"add", "mul", "power", "relu", "tanh", "exp", "log", "sqrt", "sigmoid", "abs", "sin", "cos"}
    assert lesson <= core, sorted(lesson - core)
