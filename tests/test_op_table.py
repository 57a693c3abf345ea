"""The op table is the one list of ops (elementwise and tensor-only): everything else must be derived from it,
and every op in it must be checked. `missing_checks` walks a table against the places that
must know each op; the first test runs it on the real table, the second shows that it fails
for an op added without its checks (a throwaway table)."""

import dataclasses
import functools
import importlib
import math
from pathlib import Path

import numpy as np
import pytest
import test_ops
import test_tensor_ops
from cases_parameters import PARAMETER_CASES

import autograd
from autograd import Tensor, Value, gradients, op_table, scalar_ops, tensor_ops, testing, topological_order
from autograd.op_table import ANYWHERE, TABLE, OpDef

README = (Path(__file__).parent.parent / "README.md").read_text()


def _torch_cases():
    try:
        import test_torch_reference_ops as reference
    except pytest.skip.Exception:  # no torch here: that column is left out, and says so below
        return None
    return reference.SCALAR_CASES, reference.TENSOR_CASES


def missing_checks(table, torch_cases=None):
    """What each op of `table` lacks, as sentences: its engines' ops and methods (or, tensor-only,
    the way users call it), its function, a gradcheck on each engine, a differential case against
    PyTorch, a place in the strategies, a mention in the README's API section, the formulas viz shows."""
    api = README[README.index("## Public API") :].replace("`", " ")
    gaps = []
    for d in table:
        wants = _elementwise_wants(d, api) if d.elementwise else _tensor_only_wants(d, api)
        wants["its formulas, one per input (OpDef.formulas: viz shows them)"] = len(d.formulas) == d.arity
        if torch_cases is not None:
            scalar, tensor = torch_cases
            wants["a differential case against PyTorch"] = d.name in tensor and (d.name in scalar or not d.elementwise)
        gaps += [f"{d.name} lacks {what}" for what, present in wants.items() if not present]
    return gaps


def _elementwise_wants(d, api):
    key, names = d.symbol or d.name, (d.name, *d.aliases)
    return {
        "a scalar op (scalar_ops.OPS)": d.name in scalar_ops.OPS,
        "a tensor op (tensor_ops.OPS)": d.name in tensor_ops.OPS,
        "a method on Value and Tensor": all(hasattr(Value, n) and hasattr(Tensor, n) for n in names),
        "a function autograd.<name>": all(hasattr(autograd, n) for n in names),
        "cases with parameters other than its defaults (tests/cases_parameters.py)": not d.params
        or d.name in {name for name, _, _ in PARAMETER_CASES.values()},
        "a scalar gradcheck (tests/test_ops.py)": key in test_ops.UNARY or key in test_ops.BINARY,
        "a tensor gradcheck (tests/test_tensor_ops.py)": key in test_tensor_ops.UNARY or key in test_tensor_ops.BINARY,
        "a place in the strategies (autograd.testing.KINDS)": key in testing.KINDS,
        "a mention in the README's Public API": f" {key} " in api,
    }


def _tensor_only_wants(d, api):
    owner, _, name = d.api.partition(".")
    wants = {
        "a tensor op (tensor_ops.OPS)": d.name in tensor_ops.OPS,
        "a tensor gradcheck (tests/test_tensor_ops.py TENSOR_ONLY)": d.name in test_tensor_ops.TENSOR_ONLY,
        "a place in the strategies (an op of autograd.testing.TENSOR_KINDS' graphs)": d.name in _ops_in_strategies(),
    }
    if d.api:  # else one of the rules' own ops
        wants[f"its way in for users ({d.api})"] = hasattr({"Tensor": Tensor, "autograd": autograd}[owner], name)
        spelled = "indexing" if name == "__getitem__" else d.symbol or name  # how the README names it
        wants["a mention in the README's Public API"] = f" {spelled}" in api
    return wants


@functools.cache
def _ops_in_strategies():
    """The names of the tensor ops the strategies' tensor steps record, in their graphs and in the
    graphs of their gradients (create_graph: the rules' own ops)."""
    names = set()
    for kind in testing.TENSOR_KINDS.values():
        xs = [Tensor(np.arange(6.0).reshape(2, 3) / 7 + k, requires_grad=True) for k in range(kind.arity)]
        out = kind.apply(*xs, kind.constants[0])
        out = (out * out).sum()  # squared: its gradient depends on the values, so its rules record ops too
        for root in [out, *gradients(out, xs, create_graph=True)]:
            names |= {node.op.name for node in topological_order(root) if node.op is not None}
    return {d.name for d in TABLE if not d.elementwise and (d.symbol or d.name) in names}


def test_every_op_of_the_table_is_everywhere_and_checked():
    assert missing_checks(TABLE, _torch_cases()) == []


def _new_gaps(op, torch_cases):
    """The gaps the table gains with `op` (whatever gaps the real table has, as a README not yet updated)."""
    known = set(missing_checks(TABLE, torch_cases))
    return [gap for gap in missing_checks([*TABLE, op], torch_cases) if gap not in known]


def test_an_op_added_without_its_checks_is_named_with_what_it_lacks():
    cube_root = OpDef("cbrt", lambda g, o, x: (g / (3 * o * o),), math.cbrt, np.cbrt, (ANYWHERE,))
    gaps = _new_gaps(cube_root, ({}, {}))
    assert "cbrt lacks a scalar gradcheck (tests/test_ops.py)" in gaps
    assert "cbrt lacks a place in the strategies (autograd.testing.KINDS)" in gaps
    assert "cbrt lacks a differential case against PyTorch" in gaps
    assert "cbrt lacks its formulas, one per input (OpDef.formulas: viz shows them)" in gaps
    assert all(gap.startswith("cbrt ") for gap in gaps)


def test_an_op_with_parameters_added_without_cases_for_them_is_named():
    scaled = OpDef("scaled", lambda g, o, x, *, k: (g * k,), lambda x, *, k: k * x, np.multiply, params={"k": 2.0})
    assert "scaled lacks cases with parameters other than its defaults (tests/cases_parameters.py)" in _new_gaps(
        scaled, _torch_cases()
    )


def test_a_tensor_only_op_added_without_its_checks_is_named_with_what_it_lacks():
    running_sum = OpDef("running_sum", lambda g, o, x, *, axis: (g,), None, np.cumsum, api="Tensor.running_sum")
    gaps = _new_gaps(running_sum, _torch_cases())
    assert set(gaps) >= {
        "running_sum lacks a tensor op (tensor_ops.OPS)",
        "running_sum lacks a tensor gradcheck (tests/test_tensor_ops.py TENSOR_ONLY)",
        "running_sum lacks a place in the strategies (an op of autograd.testing.TENSOR_KINDS' graphs)",
        "running_sum lacks its way in for users (Tensor.running_sum)",
        "running_sum lacks a mention in the README's Public API",
        "running_sum lacks its formulas, one per input (OpDef.formulas: viz shows them)",
    }
    assert all(gap.startswith("running_sum ") for gap in gaps)


def test_the_ops_are_listed_once():
    names = [d.name for d in TABLE]
    assert len(names) == len(set(names))
    assert set(scalar_ops.OPS) - {"power_const", "power_base_const"} == {d.name for d in TABLE if d.elementwise}
    assert set(tensor_ops.OPS) == set(names)


# what each worked example of docs/adding-an-op.md is called with to compare it with the table's entry
_RECIPE_CALLS = {"sum": {"axis": None, "keepdims": False}}


def _recipe_blocks() -> list[str]:
    recipe = (Path(__file__).parent.parent / "docs" / "adding-an-op.md").read_text()
    return [part.split("```", 1)[0] for part in recipe.split("```python\n")[1:]]


@pytest.mark.parametrize("block", _recipe_blocks(), ids=lambda b: b.split('"')[1])
def test_each_worked_example_of_adding_an_op_is_the_tables_entry(block):
    """docs/adding-an-op.md's entries, as a newcomer copies them, are the table's: log1p once lacked the
    formulas missing_checks asks for; leaky_relu lacked `check=` (negative_slope=nan refused), maximum
    showed one formula of two and a rule of a helper that does not exist, sum lacked adds_up. Each
    block runs in its entry's module and is compared field by field, its functions by their results."""
    name = block.split('"')[1]
    entry = next(d for d in TABLE if d.name == name)
    module = vars(importlib.import_module(entry.vjp.__module__))
    copied = eval(block, {**vars(op_table), **module})  # noqa: S307 (the project's own document)
    for field in dataclasses.fields(OpDef):
        mine, theirs = getattr(copied, field.name), getattr(entry, field.name)
        if callable(theirs) or callable(mine):
            assert callable(mine) == callable(theirs), f"{name}: {field.name} given in one only"
        else:
            assert mine == theirs, f"{name}: {field.name} is {mine!r} in the recipe, {theirs!r} in the table"
    given = {**entry.params, **_RECIPE_CALLS.get(name, {})}
    xs = [np.array([0.5, -0.25, 2.0]), np.array([0.25, -0.25, 3.0])][: entry.arity]
    out = entry.tensor(*xs, **given)
    np.testing.assert_array_equal(copied.tensor(*xs, **given), out)
    for mine, theirs in zip(copied.vjp(out, out, *xs, **given), entry.vjp(out, out, *xs, **given), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    if entry.scalar is not None:
        firsts = [float(x[0]) for x in xs]
        assert copied.scalar(*firsts, **entry.params) == entry.scalar(*firsts, **entry.params)
    if entry.check is not None:
        with pytest.raises(ValueError):
            copied.check(**{p: math.nan for p in entry.params})
