"""viz.evaluate and `python -m viz expr`: a learner's own expression, read with ast and never run."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
import viz
from autograd import topological_order
from viz.expr import ExpressionError

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "viz", *args], capture_output=True, text=True, cwd=cwd,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})  # fmt: skip


def test_the_neuron_as_text_has_micrographs_values_and_labels():
    o = viz.evaluate("tanh(x*w + b)", {"x": 2, "w": -3, "b": 6.8813735870195432})
    o.backward()
    assert math.isclose(o.data, math.sqrt(0.5), rel_tol=1e-12)
    names = {n.label: n for n in topological_order(o)}
    assert set(names) == {"x", "w", "b", "x*w", "x*w + b", "tanh(x*w + b)"}
    assert math.isclose(names["x"].grad, -3 * 0.5, rel_tol=1e-9) and math.isclose(
        names["w"].grad, 2 * 0.5, rel_tol=1e-9
    )


def test_functions_of_two_inputs_parameters_and_remainder():
    y = viz.evaluate(
        "leaky_relu(x * w, 0.2) + maximum(x, b) % 2 + gelu(x, approximate='tanh')", {"x": 1.5, "w": -2.0, "b": 0.5}
    )
    y.backward()
    w = next(n for n in topological_order(y) if n.label == "w")
    assert math.isclose(y.data, -0.6 + 1.5 + autograd.gelu(1.5, approximate="tanh"), rel_tol=1e-12)
    assert math.isclose(w.grad, 0.2 * 1.5) and w.label == "w"


def test_numbers_unary_minus_powers_and_every_function():
    y = viz.evaluate("-x**2 / 4 + exp(log(x)) - sqrt(x) * relu(-x) + sigmoid(x) ** 0.5", {"x": 4.0})
    expected = -16 / 4 + 4.0 - 0 + (1 / (1 + math.exp(-4))) ** 0.5
    assert math.isclose(y.data, expected, rel_tol=1e-12)


def test_a_whole_number_written_out_stays_one_where_a_function_needs_it():
    """Before: 'polygamma(1, y)' (PyTorch's order) was refused with "n must be an int, got float": every number
    written was read as a float, the 1 too. A number a function returns is still a float, so that a power of it
    overflows and never grows a Python int."""
    y = viz.evaluate("polygamma(1, y) * x", {"x": 2.0, "y": 3.0})
    assert math.isclose(y.data, 2 * (math.pi**2 / 6 - 1 - 1 / 4), rel_tol=1e-12)  # trigamma(3) = π²/6 - 1 - 1/4
    with pytest.raises(ExpressionError, match=r"'relu\(10\) \*\* 1000' has no value: the result is too large"):
        viz.evaluate("relu(10) ** 1000 * x", {"x": 1.0})


def test_a_whole_number_is_an_int_only_where_the_function_takes_no_float():
    """Before (s34 review): every whole number written as a function's argument was passed as an int, so that
    'power(10, 100000000)' computed a Python int of 10**8 digits (minutes, where it overflowed at once), and
    'power(10, 400)' raised OverflowError, not ExpressionError; neg(0) was 0, not -0.0 (atan2 of it π, not -π).
    polygamma's n, which takes no float, still gets the int written, its sign too."""
    with pytest.raises(ExpressionError, match=r"'power\(10, 400\)'"):
        viz.evaluate("power(10, 400) * x", {"x": 1.0})
    assert viz.evaluate("atan2(neg(0), -1) * x", {"x": 1.0}).data == -math.pi
    with pytest.raises(ExpressionError, match=r"n must be a whole number from 0 to 160 .*, got -1"):
        viz.evaluate("polygamma(-1, y) * x", {"x": 2.0, "y": 3.0})
    with pytest.raises(ExpressionError, match=r"'power\(10, 100000000\)'"):
        viz.evaluate("power(10, 100000000) * x", {"x": 1.0})


@pytest.mark.parametrize(
    "text, message",
    [
        ("x + y", r"unknown name 'y' in 'x \+ y': give its value: --set y=\.\.\."),
        ("exp + x", r"unknown name 'exp' in 'exp \+ x': call it, exp\(x\)"),
        ("x +", r"cannot read 'x \+': invalid syntax"),
        ("x.data", r"'x.data' is not allowed in an expression: use numbers, names given a value, \+ - \* / \*\*"),
        ("__import__('os').getcwd()", r"is not allowed in an expression"),
        ("x[0]", r"'x\[0\]' is not allowed"),
        ("(lambda: x)()", r"is not allowed"),
        ("x if x else 1", r"is not allowed"),
        ("x // 2", r"'x // 2' is not allowed"),
        ("exp(x, 2)", r"'exp\(x, 2\)': exp takes 1 input, got 2"),
        ("tanh(x=1)", r"'tanh\(x=1\)': tanh\(\) got an unexpected keyword argument 'x'"),
        ("leaky_relu(x, slope=0.1)", r"'slope' is not a parameter of leaky_relu \(negative_slope\)"),
        ("hardtanh(x, 1, 0)", r"min_val 1.0 is greater than max_val 0.0"),
        ("gelu(x, approximate=x)", r"'x': a parameter is a number or a string, written out"),
        ("log(-x)", r"'log\(-x\)': log\(-1.0\) is undefined"),
        ("True + x", r"'True' is not allowed"),
        ("2 * 3", r"'2 \* 3' uses no name given a value"),
        ("isnan(x)", r"'isnan\(x\)' gives True or False, which has no derivative"),
        ("+".join(["x"] * 500), r"nested too deeply"),  # 999 characters, 500 steps deep
        ("+".join(["x"] * 5000), r"9999 characters long, more than the 2000 read"),
    ],
)
def test_what_it_cannot_read_is_one_clear_error(text, message):
    with pytest.raises(ExpressionError, match=message):
        viz.evaluate(text, {"x": 1.0})


def test_names_must_be_names_and_values_numbers():
    with pytest.raises(ExpressionError, match=r"cannot give a value to 'exp': use a name that is not a function"):
        viz.evaluate("exp", {"exp": 1.0})
    with pytest.raises(ExpressionError, match=r"the value of x must be a number, got '2'"):
        viz.evaluate("x", {"x": "2"})


def test_command_line_draws_writes_the_page_and_explains(tmp_path):
    done = run("expr", "tanh(x*w + b)", "--set", "x=2", "w=-3", "b=6.88", "--out", str(tmp_path / "g.svg"),
               "--html", str(tmp_path / "p.html"), "--explain", "x", "--backward")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "tanh(x*w + b) = 0.706419; ∂/∂x = -1.50292, ∂/∂w = 1.00194, ∂/∂b = 0.500972" in done.stdout
    assert "∂tanh(x*w + b)/∂x = -1.503: one path leads from x up to tanh(x*w + b)" in done.stdout
    svg = (tmp_path / "g.svg").read_text()
    assert "∂(x*w)/∂x" in svg and "step 4" in svg  # backward takes b (step 3) first
    assert (tmp_path / "p.html").read_text().count("<svg") == 1


def test_command_line_errors_name_the_problem(tmp_path):
    done = run("expr", "tanh(x*w + z)", "--set", "x=2", "w=-3", "--out", str(tmp_path / "g.svg"))
    assert done.returncode == 1 and "python -m viz expr: unknown name 'z'" in done.stderr
    done = run("expr", "x", "--set", "x2")
    assert done.returncode == 2 and "'x2' is not NAME=NUMBER (as x=2 or w=-3.5" in done.stderr
    done = run("expr", "x", "--set", "2x=1")
    assert done.returncode == 2 and "'2x=1' is not NAME=NUMBER" in done.stderr
    done = run("expr", "x * 2", "--set", "x=1", "--out", str(tmp_path / "g.jpg"))
    assert done.returncode == 1 and "render writes .svg, .png or .pdf, not 'g.jpg'" in done.stderr
    done = run("expr", "sqrt(x)", "--set", "x=0", "--out", str(tmp_path / "g.svg"))
    assert done.returncode == 1 and "backward of sqrt(0.0): the derivative is infinite" in done.stderr
    done = run("expr", "log(x)", "--set", "x=-1", "--out", str(tmp_path / "g.svg"))
    assert done.returncode == 1 and "log(-1.0) is undefined: log needs a positive input" in done.stderr
    done = run("expr", "x * 2", "--set", "x=1", "--explain", "y", "--out", str(tmp_path / "g.svg"))
    assert done.returncode == 1 and "--explain y: the expression uses no value named 'y'" in done.stderr
    assert not list(tmp_path.glob("*")) and not list(tmp_path.glob(".*"))  # nothing written, nothing left behind


@pytest.mark.parametrize("command", [[], ["demo"], ["html"], ["expr"]])
def test_every_command_has_real_help(command):
    done = run(*command, "--help")
    words = " ".join(done.stdout.split())  # argparse wraps lines at the terminal's width
    assert done.returncode == 0 and words.startswith("usage: python -m viz")
    assert {"": "draw your own expression", "demo": "micrograd's neuron", "html": "step by step",
            "expr": "read safely, never run as Python"}[command[0] if command else ""] in words  # fmt: skip


def test_a_step_named_by_a_call_is_written_without_brackets_of_its_own():
    """Before: "∂((round(y))·(sign(x)))/∂(sign(x)) = (round(y))" beside viz expr's steps, each call's name in
    brackets of its own; a call is now written as the rules write ∂tanh(n)/∂n. An expression keeps them."""
    y = viz.evaluate("round(y) * sign(x) + tanh(x) * tanh(y)", {"x": 2.0, "y": 3.0})
    y.backward()
    x = next(n for n in topological_order(y) if n.label == "x")
    told = str(viz.explain(y, x))
    assert "∂(round(y) * sign(x))/∂sign(x) = 3    (input 2 of *: ∂(round(y)·sign(x))/∂sign(x) = round(y))" in told
    assert "∂sign(x)/∂x = 0" in told and "∂(tanh(x) * tanh(y))/∂tanh(x) = " in told
