"""The op table is the one list of elementwise ops: everything else must be derived from it,
and every op in it must be checked. `missing_checks` walks a table against the places that
must know each op; the first test runs it on the real table, the second shows that it fails
for an op added without its checks (a throwaway table)."""

import math
from pathlib import Path

import numpy as np
import pytest
import test_ops
import test_tensor_ops

import autograd
from autograd import Tensor, Value, scalar_ops, tensor_ops, testing
from autograd.op_table import ANYWHERE, TABLE, OpDef

README = (Path(__file__).parent.parent / "README.md").read_text()


def _torch_cases():
    try:
        import test_torch_reference_ops as reference
    except pytest.skip.Exception:  # no torch here: that column is left out, and says so below
        return None
    return reference.SCALAR_CASES, reference.TENSOR_CASES


def missing_checks(table, torch_cases=None):
    """What each op of `table` lacks, as sentences: its engines' ops and methods, its function,
    a gradcheck on each engine, a differential case against PyTorch, a place in the strategies,
    a mention in the README's API section,
    the formulas viz shows."""
    api = README[README.index("## Public API") :]
    gaps = []
    for d in table:
        key = d.symbol or d.name
        wants = {
            "a scalar op (scalar_ops.OPS)": d.name in scalar_ops.OPS,
            "a tensor op (tensor_ops.ELEMENTWISE)": d.name in tensor_ops.ELEMENTWISE,
            "a method on Value and Tensor": d.symbol or (hasattr(Value, d.name) and hasattr(Tensor, d.name)),
            "a function autograd.<name>": d.arity != 1 or hasattr(autograd, d.name),
            "a scalar gradcheck (tests/test_ops.py)": key in test_ops.UNARY or key in test_ops.BINARY,
            "a tensor gradcheck (tests/test_tensor_ops.py)": key in test_tensor_ops.UNARY
            or key in test_tensor_ops.BINARY,
            "a place in the strategies (autograd.testing.KINDS)": key in testing.KINDS,
            "a mention in the README's Public API": f" {key} " in api.replace("`", " "),
            "its formulas, one per input (OpDef.formulas: viz shows them)": len(d.formulas) == d.arity,
        }
        if torch_cases is not None:
            scalar, tensor = torch_cases
            wants["a differential case against PyTorch"] = d.name in scalar and d.name in tensor
        gaps += [f"{d.name} lacks {what}" for what, present in wants.items() if not present]
    return gaps


def test_every_op_of_the_table_is_everywhere_and_checked():
    assert missing_checks(TABLE, _torch_cases()) == []


def test_an_op_added_without_its_checks_is_named_with_what_it_lacks():
    cube_root = OpDef("cbrt", lambda g, o, x: (g / (3 * o * o),), math.cbrt, np.cbrt, (ANYWHERE,))
    gaps = missing_checks([*TABLE, cube_root], ({}, {}))
    assert "cbrt lacks a scalar gradcheck (tests/test_ops.py)" in gaps
    assert "cbrt lacks a place in the strategies (autograd.testing.KINDS)" in gaps
    assert "cbrt lacks a differential case against PyTorch" in gaps
    assert "cbrt lacks its formulas, one per input (OpDef.formulas: viz shows them)" in gaps
    assert all(gap.startswith("cbrt ") or "PyTorch" in gap for gap in gaps)


def test_the_ops_are_listed_once():
    names = [d.name for d in TABLE]
    assert len(names) == len(set(names))
    assert set(scalar_ops.OPS) - {"power_const", "power_base_const"} == set(names)
    assert set(tensor_ops.ELEMENTWISE) == set(names)
