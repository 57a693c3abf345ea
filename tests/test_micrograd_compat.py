"""micrograd's users arrive without friction: swapping only the imports, micrograd's own tests, its
README, demo and trace notebook run on chainrule and give micrograd's numbers, compared with micrograd
itself; and the differences the README lists are as it says. The lecture's code: test_micrograd_lecture.py.
"""

from __future__ import annotations

import ast
import importlib.util
import math
import random
from pathlib import Path
from types import ModuleType

import pytest

import nn
from autograd import Value


@pytest.fixture
def micrograd() -> ModuleType:
    """micrograd itself (0.1.0, on PyPI), the reference of the comparisons: its `nn` module, which
    holds `Value`, `Neuron`, `Layer` and `MLP`."""
    return pytest.importorskip("micrograd.nn", reason="compares with micrograd itself: pip install micrograd==0.1.0")


UPSTREAM = Path(__file__).parent / "micrograd_upstream" / "micrograd_test_engine.py"
UPSTREAM_TESTS = [f.name for f in ast.parse(UPSTREAM.read_text()).body if isinstance(f, ast.FunctionDef)]


@pytest.mark.parametrize("name", UPSTREAM_TESTS)
def test_micrograds_own_tests_pass(name: str) -> None:
    pytest.importorskip("torch", reason="micrograd's tests compare with PyTorch: pip install -e '.[reference]'")
    spec = importlib.util.spec_from_file_location("micrograd_test_engine", UPSTREAM)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    getattr(module, name)()


def test_the_upstream_file_is_micrograds_own_but_for_its_import_line() -> None:
    assert UPSTREAM_TESTS == ["test_sanity_check", "test_more_ops"]
    imports = [line for line in UPSTREAM.read_text().splitlines() if "import" in line]
    assert imports == ["import torch", "from autograd import Value"]


# ---- micrograd's README, demo and trace_graph notebook, against micrograd itself ----


def readme_example(Value):
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g.data, a.grad, b.grad


def test_micrograds_readme_example_gives_the_figures_micrograd_checks_against_pytorch() -> None:
    # without micrograd or torch installed too: the figures of micrograd's test_more_ops
    assert readme_example(Value) == pytest.approx((24.70408163265306, 138.83381924198252, 645.5772594752186), abs=1e-9)


def test_micrograds_readme_example(micrograd: ModuleType) -> None:
    ours, theirs = readme_example(Value), readme_example(micrograd.Value)
    assert [f"{x:.4f}" for x in ours] == ["24.7041", "138.8338", "645.5773"]
    assert ours == pytest.approx(theirs, rel=1e-12)


def shape(v) -> tuple:
    """A graph as micrograd's internals show it: op, data and children, recursively (children in order of data)."""
    return (v._op, v.data, tuple(sorted((shape(c) for c in v._prev), key=repr)))


def trace_notebook(Value, Neuron) -> tuple:
    """micrograd's trace_graph.ipynb: its two graphs, with their gradients."""
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    random.seed(1337)
    n = Neuron(2)
    out = n([Value(1.0), Value(-2.0)])
    out.backward()
    return shape(y), x.grad, shape(out), [p.grad for p in n.parameters()]


def test_the_graphs_of_micrograds_trace_notebook_are_micrograds(micrograd: ModuleType) -> None:
    ours = trace_notebook(Value, nn.Neuron)
    assert ours == trace_notebook(micrograd.Value, micrograd.Neuron) and ours[0][0] == "ReLU"


def moons_demo(Value, MLP, steps: int) -> tuple[list[float], list[float], list[float]]:
    """micrograd's demo.ipynb: MLP 2-16-16-1, max-margin loss plus L2, SGD; initial weights, losses, final weights."""
    X, y = nn.data.moons(40, noise=0.1, seed=0)
    X, y = X.astype(float).tolist(), (y * 2 - 1).tolist()
    random.seed(1337)
    model = MLP(2, [16, 16, 1])

    def loss():
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        return data_loss + reg_loss

    initial = [p.data for p in model.parameters()]
    history = []
    for k in range(steps):
        total_loss = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append(total_loss.data)
    return initial, history, [p.data for p in model.parameters()]


def test_micrograds_demo_after_random_seed_gives_micrograds_weights_and_losses(micrograd: ModuleType) -> None:
    ours = moons_demo(Value, nn.MLP, steps=4)
    theirs = moons_demo(micrograd.Value, micrograd.MLP, steps=4)
    assert ours[0] == theirs[0] and len(ours[0]) == 337  # the same initial weights, exactly
    assert ours[1] == pytest.approx(theirs[1], rel=1e-12, abs=1e-12) and ours[1][-1] < ours[1][0]
    assert ours[2] == pytest.approx(theirs[2], rel=1e-12, abs=1e-12)


def test_a_seed_or_generator_of_ones_own_leaves_the_random_module_alone() -> None:
    random.seed(7)
    expected = random.random()
    random.seed(7)
    nn.MLP(2, [3, 1], seed=0)
    nn.Neuron(3, rng=random.Random(1))
    assert random.random() == expected


# ---- where chainrule differs, as the README says ----


def test_backward_twice_doubles_every_gradient_where_micrograds_does_not(micrograd: ModuleType) -> None:
    def once_then_twice(V):
        a, b = V(2.0), V(-3.0)
        e = (a * b + a) * (a * b + a)
        e.backward()
        once = a.grad, e.grad
        e.backward()
        return once, (a.grad, e.grad)

    assert once_then_twice(Value) == ((16.0, 1.0), (32.0, 2.0))  # twice de/da, and the root's own 1 twice
    # micrograd resets the root's grad and adds again through grads that hold the first pass already
    assert once_then_twice(micrograd.Value) == ((16.0, 1), (72.0, 1))


def test_a_grad_reads_not_computed_before_backward() -> None:
    x = Value(2.0)
    y = x * 3
    assert x.grad == 0 and not x.grad_computed and repr(x) == "Value(data=2.0, grad=0.0)"
    y.backward()
    assert x.grad == 3.0 and x.grad_computed


def test_subtraction_negation_and_division_are_ops_of_their_own() -> None:
    a, b = Value(3.0), Value(2.0)
    assert [(a - b)._op, (-a)._op, (a / b)._op, math.isclose((a / b).data, (a * b**-1).data)] == ["-", "neg", "/", True]
