"""A compiled step records again after a library class's method it ran was swapped between calls
(`nn.Linear.forward = other` after call 4: eager's losses -1935.4, -11804.2, the replays' -96.8, -121.4, silently),
and its replays check only the methods a recording saw run. Each against eager, bit for bit."""

import math

import numpy as np
import pytest
from compile_faithful_cases import check_replayed, count_replays, linear, run_changing, scaled_step, stepped_on

import autograd
import nn
from autograd import Tensor
from nn import functional as F

FORWARD, CALL, MUL = nn.Linear.forward, nn.Module.__call__, Tensor.__mul__
SWAPS = {  # the class, the name, what the caller sets there before call 4 (the old one kept above, put back after)
    "nn.Linear.forward": (nn.Linear, "forward", lambda self, x: FORWARD(self, x) * 20.0),
    "nn.Module.__call__": (nn.Module, "__call__", lambda self, x: CALL(self, x) * 3.0),
    "nn.Linear.__call__ (a subclass over its base's)": (nn.Linear, "__call__", lambda self, x: CALL(self, x) * 3.0),
    "Tensor.__mul__": (Tensor, "__mul__", lambda a, b: MUL(a, b * 10.0)),
    "nn.SGD.step (a replayed method)": (nn.SGD, "step", lambda self, *args: None),
    "Tensor.T (a property)": (Tensor, "T", property(lambda self: self.transpose() * 3.0)),
}


@pytest.mark.parametrize("swap", SWAPS)
def test_a_librarys_method_swapped_between_calls_records_again(swap, monkeypatch):
    owner, name, other = SWAPS[swap]
    had = owner.__dict__.get(name)

    def scenario(compile):
        step, _ = scaled_step(lambda out: out.T * 2.0)
        try:
            return run_changing(compile(step), lambda i: setattr(owner, name, other))
        finally:
            if had is None:
                delattr(owner, name)
            else:
                setattr(owner, name, had)

    check_replayed(scenario, monkeypatch)


def test_replays_check_only_the_library_methods_a_recording_ran(monkeypatch):
    """Tensor's hundreds of methods, nn's modules' and optimizers', guarded on every replay, would cost each one
    a lookup apiece: those the step ran are a Linear's __call__ and forward, SGD's step and zero_grad, and the
    Tensor methods the forward and backward passes took."""
    programs = count_replays(monkeypatch)
    step, _ = scaled_step(lambda out: out * 2.0)
    compiled = autograd.compile(step)
    [compiled(np.ones((4, 3))) for _ in range(3)]
    guarded = {(cls, name) for cls, names, _, _ in programs[0].methods if isinstance(cls, type) for name in names}
    assert {(nn.Linear, "forward"), (nn.Linear, "__call__"), (nn.SGD, "step"), (Tensor, "__mul__")} <= guarded
    assert (Tensor, "__matmul__") in guarded and (Tensor, "conv2d") not in guarded and (Tensor, "sort") not in guarded
    assert len(guarded) < 60


def test_an_unswapped_library_method_replays(monkeypatch):
    replays = count_replays(monkeypatch)
    step, _ = scaled_step()
    compiled = autograd.compile(step, strict=True)
    run_changing(compiled, lambda i: setattr(nn.Linear, "forward", FORWARD), calls=5, after=2, once=False)
    assert len(replays) == 3


def test_a_library_modules_function_the_step_names_swapped_records_again(monkeypatch):
    """`F.mse_loss = other` (nn.functional's, named by the step's code) was kept by nothing: eager's losses 6.9e-6,
    3.4e-4 after a swap to `* 10`, the replays' 6.9e-7, 2.7e-8."""
    mse_loss = F.mse_loss

    def scenario(compile):
        model, opt = linear(nout=1)
        step = compile(lambda x: stepped_on(opt, F.mse_loss(model(Tensor(x)), np.zeros((4, 1)))).item())
        try:
            return run_changing(
                step, lambda i: setattr(F, "mse_loss", lambda a, b: mse_loss(a, b) * 10.0), np.ones((4, 3))
            )
        finally:
            F.mse_loss = mse_loss

    check_replayed(scenario, monkeypatch)


class Helper:
    def apply(self, t):
        return t * 2.0


@pytest.mark.parametrize("whose", ["an nn.Linear's forward", "a helper's method"])
def test_a_method_set_on_the_object_itself_records_again(whose, monkeypatch):
    """`model.forward = other` (PyTorch's way to patch one module) or `helper.apply = other`, set on the object, not
    its class, shadows the class's method the recording ran: replayed silently before (eager's losses -1935.4,
    -11804.2 after a forward `* 20`, a helper's -967.7, -3434.9; the replays' -96.8, -121.4 both)."""

    def scenario(compile):
        helper = Helper()
        step, model = scaled_step(lambda out: helper.apply(out))
        if whose == "a helper's method":
            change = lambda i: setattr(helper, "apply", lambda t: t * 20.0)  # noqa: E731
        else:
            change = lambda i: setattr(model, "forward", lambda x: FORWARD(model, x) * 20.0)  # noqa: E731
        return run_changing(compile(step), change)

    check_replayed(scenario, monkeypatch)


NP_EXP, NP_SUM, MATH_EXP = np.exp, np.sum, math.exp
FUNCTIONS = {  # what the step names, the module, its name there, what the caller sets there before call 4
    "a ufunc (np.exp)": (lambda out: np.exp(out * 0.1), np, "exp", np.sin),
    "numpy's dispatcher (np.sum)": (lambda out: out * float(np.sum([1.0, 2.0])), np, "sum", np.prod),
    "a builtin (math.exp)": (lambda out: out * math.exp(0.5), math, "exp", math.sqrt),
}


@pytest.mark.parametrize("kind", FUNCTIONS)
def test_a_library_modules_builtin_the_step_names_swapped_records_again(kind, monkeypatch):
    """Only Python functions were guarded by identity: `np.exp = np.sin` replayed exp's graph (eager's losses -0.15,
    -0.21, the replays' 7.85, 7.79), `math.exp = math.sqrt` the recorded number (-28.08, -31.17; -65.48, -82.25)."""
    use, module, name, other = FUNCTIONS[kind]
    had = getattr(module, name)

    def scenario(compile):
        step, _ = scaled_step(use)
        try:
            return run_changing(compile(step), lambda i: setattr(module, name, other))
        finally:
            setattr(module, name, had)

    check_replayed(scenario, monkeypatch)
