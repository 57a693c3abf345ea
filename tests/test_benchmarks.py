"""Each script in benchmarks/ runs with its smallest settings and prints its table.

No figure is checked (timings on a shared machine prove nothing); what is checked is that the
scripts still run against the current engine and its peers, and print what the README quotes.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
MNIST = ROOT.parent / "shared" / "data" / "mnist"


def run(script: str, *flags: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *flags], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def needs(module: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(importlib.util.find_spec(module) is None, reason=f"needs {module}")


@needs("micrograd")
def test_scalar_prints_its_tables() -> None:
    out = run("scalar.py", "--points", "6", "--rounds", "1", "--repeats", "1", "--chain", "1000", "--big-steps", "1")
    assert "| step |" in out and "| build |" in out and "micrograd" in out
    assert "MLP 2-64-64-1: chainrule: loss" in out


@pytest.mark.slow  # 6 s: the whole benchmark at a small size, in CI's slow set
@needs("torch")
def test_tensor_prints_both_tables() -> None:
    out = run("tensor.py", "--batches", "2", "--rounds", "1", "--seconds", "0.01")
    assert "each engine in its own process" in out and "1 thread, all engines in one process" in out
    assert out.count("| 2 |") == 2


@needs("torch")
def test_compiled_prints_its_table() -> None:
    out = run("compiled.py", "--batches", "2", "--rounds", "1", "--seconds", "0.01")
    assert "| 2 |" in out and "compiled / GEMM floor" in out


@pytest.mark.slow  # about 6 s: loading all of MNIST and two processes importing torch
@needs("torch")
@pytest.mark.skipif(not MNIST.is_dir(), reason=f"needs MNIST in {MNIST}")
def test_cnn_prints_training_and_layers() -> None:
    out = run("cnn.py", "--data-dir", str(MNIST), "--batches", "3", "--repeats", "1", "--threads", "1")
    assert "s an epoch (55,000)" in out and out.count("x\n") >= 6  # two training rows, four layers


def test_cnn_refuses_too_few_batches_to_time() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "cnn.py"), "--batches", "2"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "--batches must be at least 3" in result.stderr


@pytest.mark.slow  # about 9 s: loading all of MNIST and two processes importing torch
@needs("torch")
@pytest.mark.skipif(not MNIST.is_dir(), reason=f"needs MNIST in {MNIST}")
def test_mnist_prints_its_epochs() -> None:
    out = run("mnist.py", "--data-dir", str(MNIST), "--epochs", "1", "--limit", "256")
    assert "median seconds per epoch" in out and "final test accuracy" in out


def test_scalar_floor_computes_chainrules_gradients(monkeypatch: pytest.MonkeyPatch) -> None:
    """The floor is a reference only if it differentiates the same step: same loss, same gradients."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    pytest.importorskip("micrograd")  # benchmarks/scalar.py imports it
    import scalar
    import scalar_floor

    import autograd

    data = scalar.moons(6, noise=0.1, seed=0)
    ours, floor = (scalar.MLP(value, [2, 4, 4, 1], seed=1) for value in (autograd.Value, scalar_floor.TapeValue))
    assert floor.step(*data) == pytest.approx(ours.step(*data), rel=1e-12)
    for p, q in zip(ours.parameters(), floor.parameters()):
        assert q.grad == pytest.approx(p.grad, rel=1e-9, abs=1e-12)


@pytest.mark.slow  # 1-5 s: a compiled step recorded, as fit records it
def test_instructions_fit_epoch_trains_the_mnist_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The callgrind workload of fit's compiled MNIST step (run here without valgrind): each call is one replayed
    step of Adam on the benchmark's model, and moves every weight."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import instructions

    epoch = instructions.fit_epoch()
    before = [p.data.copy() for p in epoch.model.parameters()]
    epoch()
    assert all(not np.array_equal(b, p.data) for b, p in zip(before, epoch.model.parameters()))


@pytest.mark.slow  # about 3 s: loading all of MNIST in a process of its own
@pytest.mark.skipif(not MNIST.is_dir(), reason=f"needs MNIST in {MNIST}")
def test_fit_cpu_prints_each_checkouts_epoch() -> None:
    out = run("fit_cpu.py", "--data-dir", str(MNIST), "--images", "64", "--rounds", "1", str(ROOT))
    assert "cnn, one epoch of 64 images, 1 BLAS threads" in out and f"{ROOT}: " in out and "for 55,000 images" in out


@pytest.mark.parametrize("engine", [[], ["--eager"]])
def test_check_costs_prints_every_check(engine: list[str]) -> None:
    out = run("check_costs.py", "--batch", "2", "--rounds", "1", "--seconds", "0.01", *engine)
    assert "| the step (" in out and "| every product's result read for a partial overflow |" in out
    assert "| all of these at once |" in out and "| numpy, buffered |" in out


def test_check_costs_stubs_what_the_engine_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stub set over a name the engine no longer has would time nothing: each names a function that exists."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import check_costs

    for stubs in check_costs._stubs().values():
        for module, name, _ in stubs:
            assert callable(getattr(module, name)), f"{module.__name__}.{name}"


def test_check_costs_relu_stubs_leave_out_the_eager_rules_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """With "relu's NaN and infinity looks" stubbed, an eager relu backward reads nothing for them (no np.vdot):
    its rule's one read of g and x together (rule_functions.gated_off_nan, bound in op_table) was left in, so
    that the eager variant timed a look it still made."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import check_costs

    from autograd import Tensor

    for module, name, stub in check_costs._stubs()["relu's NaN and infinity looks"]:
        monkeypatch.setattr(module, name, stub)
    from autograd import rule_functions

    reads = []
    vdot = np.vdot
    # the rule reads through scaled_sums.vdot (np.vdot without its dispatch), bound in rule_functions: both watched
    monkeypatch.setattr(np, "vdot", lambda a, b: reads.append(1) or vdot(a, b))
    monkeypatch.setattr(rule_functions, "vdot", lambda a, b: reads.append(1) or vdot(a, b))
    x = Tensor(np.linspace(-1.0, 1.0, 12).reshape(3, 4), requires_grad=True)
    x.relu().backward(np.ones((3, 4)))
    assert reads == [] and np.array_equal(x.grad, (x.data > 0) * 1.0)
