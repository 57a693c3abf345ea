"""viz's expressions, files and command line given bad input: one expression error, a type error for what
is no node, a missing folder named by its path (regressions of tests/test_autograd_trust.py's kind)."""

import numpy as np
import pytest

import viz
from autograd import Value
from viz.expr import ExpressionError


@pytest.mark.parametrize(
    "text, message",
    [
        ("-" * 100000 + "1", r"100001 characters long, more than the 2000 read"),
        ("-" * 1999 + "x", r"nested too deeply"),
        ("9**9**9", r"'9\*\*9\*\*9' has no value: the result is too large for a float"),
        ("10**400", r"'10\*\*400' has no value: the result is too large for a float"),
        ("x**1000", r"'x\*\*1000' has no value: the result is too large for a float"),
        ("1/0", r"'1/0' has no value: float division by zero"),
        ("x/0", r"'x/0' has no value"),
        ("x % 0", r"'x % 0' has no value"),
        ("0**-1", r"'0\*\*-1' has no value"),
        ("(-8)**(1/3) + x", r"'\(-8\)\*\*\(1/3\)' has no real value"),
        ("1" + "0" * 400 + " * x", r"the number '10000.*' is too large for a float"),
        ("1e400 * x", r"the number '1e400' is too large for a float"),
        ("exp(1000 * x)", r"'exp\(1000 \* x\)': exp\(1000.0\) overflows"),
    ],
    ids=lambda t: t[:20],
)
def test_expressions_without_a_value_are_one_expression_error(text, message):
    # once MemoryError, OverflowError and ZeroDivisionError, while log(-1) was an ExpressionError
    with pytest.raises(ExpressionError, match=message):
        viz.evaluate(text, {"x": 10.0 if "1000" in text and "exp" not in text else 1.0})


def test_evaluate_takes_a_str_and_a_mapping():
    with pytest.raises(TypeError, match="expression as a str.*got NoneType"):
        viz.evaluate(None, {})
    with pytest.raises(TypeError, match="values as a dict.*got NoneType"):
        viz.evaluate("x+1", None)
    with pytest.raises(ExpressionError, match="cannot give a value to 1"):
        viz.evaluate("x", {1: 2.0})


@pytest.mark.parametrize("call", [viz.draw, lambda r: viz.render(r, "g.svg"), lambda r: viz.save_html(r, "p.html")])
@pytest.mark.parametrize("root", [None, 3.0, np.ones(2)], ids=["None", "float", "array"])
def test_drawing_something_that_is_not_a_node_is_a_type_error(call, root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TypeError, match="takes the Value or Tensor whose graph to draw"):
        call(root)
    assert not list(tmp_path.iterdir())


def _neuron():
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.backward()
    return y


@pytest.mark.parametrize(
    "write",
    [
        lambda root, path: viz.render(root, path),
        lambda root, path: viz.save_html(root, path.with_suffix(".html")),
        lambda root, path: viz.player(root).save(path.with_suffix(".html")),
    ],
    ids=["render", "save_html", "Player.save"],
)
def test_writing_into_a_missing_folder_names_the_path_and_the_folder(write, tmp_path):
    # once named the temporary file beside the destination (".g.svg.abc123"), not the path given
    target = tmp_path / "missing" / "g.svg"
    with pytest.raises(FileNotFoundError, match=r"cannot write '.*missing/g\.(svg|html)'.*folder '.*missing' does not"):
        write(_neuron(), target)
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match=r"'.*file' is a file, not a folder"):
        write(_neuron(), tmp_path / "file" / "g.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize("command", [["demo"], ["html"], ["expr", "x*x", "--set", "x=2"]], ids=lambda c: c[0])
def test_the_command_line_names_a_missing_folder_in_one_line(command, tmp_path, capsys):
    from viz.__main__ import main

    with pytest.raises(
        SystemExit, match=r"python -m viz \w+: cannot write '.*missing.*': the folder .* does not exist"
    ):
        main([*command, "--out", str(tmp_path / "missing" / ("out.html" if command == ["html"] else "out.svg"))])


def test_backward_steps_of_something_that_is_not_a_node_is_a_type_error():
    import viz

    with pytest.raises(TypeError, match="backward_steps takes the Value or Tensor"):
        next(viz.backward_steps(None))
