"""chainrule where the processor flushes subnormals to zero (torch.set_flush_denormal(True), or a library built with
-ffast-math, sets the flag for the whole thread). Under it some results near the ends of the float range come out
wrong without a word (float32 hypot(3e38, 3e38)'s slope NaN, where it is 0.7071), so chainrule refuses to compute there,
naming the flag and the way out, and refuses to be imported there (its import failed with "math domain error"; the
numbers its modules work out as they load would keep the flag's zeros). With the flag turned off everything runs as
before, an import refused earlier too. The flag is the thread's: the cases run in a subprocess, one after another."""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from torch_reference import torch  # noqa: F401  (skips where PyTorch is absent)

ROOT = Path(__file__).resolve().parent.parent

RUN_EACH = """
import json, sys
import numpy as np, torch
import autograd, nn, viz
from autograd import Tensor, Value
names = {"np": np, "torch": torch, "autograd": autograd, "nn": nn, "viz": viz, "Tensor": Tensor, "Value": Value}
outcomes = {}
for name, code in json.loads(sys.argv[1]).items():  # the import's last: it takes the package out of sys.modules
    assert torch.set_flush_denormal(True), "this processor cannot flush subnormals"
    try:
        exec(code, dict(names))
    except Exception as e:
        outcomes[name] = f"{type(e).__name__}: {e}"
    else:
        outcomes[name] = "ran"
print(json.dumps(outcomes))
"""

BEFORE = (  # made with the flag off
    "torch.set_flush_denormal(False); t = Tensor(np.array([1e-310, 2e-310, 0.0])); "
    "p = Tensor(np.array([2e-308]), requires_grad=True); p.grad = np.array([1.9e-308]); opt = nn.SGD([p], lr=1.0); "
    "torch.set_flush_denormal(True)"
)

CASES = {
    "a Value": "Value(2.0)",
    "gradients": (
        "torch.set_flush_denormal(False); x = Value(2.0); y = x * x; torch.set_flush_denormal(True); "
        "autograd.grad(lambda v: v * v)(1.0)"
    ),
    "a tensor op": "Tensor(np.array([3e-320, 4e-320])).norm()",
    "a Value's backward, its graph made before": (
        "torch.set_flush_denormal(False); x = Value(2.0); y = x * x; torch.set_flush_denormal(True); y.backward()"
    ),
    "a Tensor's backward, its graph made before": (
        "torch.set_flush_denormal(False); x = Tensor(np.ones(3), requires_grad=True); y = (x * x).sum(); "
        "torch.set_flush_denormal(True); y.backward()"
    ),
    "a drawing": "torch.set_flush_denormal(False); x = Value(2.0); torch.set_flush_denormal(True); viz.draw(x * x)",
    "a compiled step": (
        "torch.set_flush_denormal(False); m = nn.Linear(3, 2); opt = nn.SGD(m.parameters(), lr=0.1)\n"
        "def step(x):\n    opt.zero_grad(); loss = (m(x) ** 2).mean(); loss.backward(); opt.step(); return loss\n"
        "run = autograd.compile(step); x = np.ones((4, 3)); run(x); run(x); run(x)\n"
        "torch.set_flush_denormal(True); run(x)"
    ),
    # the creation functions convert or compute before any op runs (a float32 1e-40 read as 0; linspace's
    # [0, 1e-310, 2e-310, ...] as [0, 0, 0, 0, 4e-310]; arange's step 1e-310 refused as 0)
    "tensor()": "autograd.tensor([1e-40], dtype=np.float32)",
    "full": "autograd.full((1,), 1e-40, dtype=np.float32)",
    "linspace": "autograd.linspace(0.0, 4e-310, 5, dtype=np.float64)",
    "arange": "autograd.arange(0.0, 4e-310, 1e-310, dtype=np.float64)",
    # reads of numbers made before the flag that no op runs: comparisons, argmax, sorting, truth (1e-310 > 0 False;
    # argmax of [1e-310, 2e-310, 0] 0), a cast to float32 (1e-40 read as 0), an optimizer's step (SGD's 2e-308 -
    # 1.9e-308 0), clipping's norm (of [3e-320, 4e-320] 0), accuracy (through argmax)
    "a comparison": f"{BEFORE}; t > 0",
    "argmax": f"{BEFORE}; t.argmax()",
    "argsort": f"{BEFORE}; t.argsort()",
    "bool()": f"{BEFORE}; bool(t[0])",
    "Tensor()": "Tensor(np.array([1e-40]), dtype=np.float32)",
    "an optimizer's step": f"{BEFORE}; opt.step()",
    "clip_grad_norm_": f"{BEFORE}; nn.utils.clip_grad_norm_([p], 1.0)",
    "accuracy": f"{BEFORE}; nn.functional.accuracy(t.reshape(1, 3), np.array([1]))",
    "import autograd": "import sys; del sys.modules['autograd']; import autograd",
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def outcomes() -> dict[str, str]:
    done = run(RUN_EACH, json.dumps(CASES))
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("case", CASES)
def test_flushed_subnormals_are_refused_naming_the_flag(case: str, outcomes: dict[str, str]) -> None:
    said = outcomes[case]
    assert said.startswith("FloatingPointError:") and "torch.set_flush_denormal(False)" in said, said


FLAG_OFF_AFTER_A_REFUSED_IMPORT = (
    "import numpy as np, torch\n"
    "assert torch.set_flush_denormal(True)\n"
    "try:\n    import autograd\nexcept FloatingPointError:\n    pass\nelse:\n    raise AssertionError('imported')\n"
    "torch.set_flush_denormal(False)\n"
    "import autograd\nfrom autograd import Tensor, Value\n"
    "x = Tensor(np.array([3e-320, 4e-320]), requires_grad=True); n = x.norm(); n.backward()\n"
    "assert n.item() == 5e-320 and np.allclose(x.grad, [0.6, 0.8]), (n, x.grad)\n"
    "v = Value(2.0); (v * v).backward(); assert v.grad == 4.0\n"
    "print('ok')"
)


SET_MXCSR = """
unsigned get_csr(void) { return __builtin_ia32_stmxcsr(); }
void set_csr(unsigned v) { __builtin_ia32_ldmxcsr(v); }
"""

ONE_MODE = """
import ctypes, json, sys
import numpy as np
import autograd
from autograd import Tensor
csr = ctypes.CDLL(sys.argv[1])
csr.get_csr.restype = ctypes.c_uint
said = {}
for mode, bit in {"FTZ": 1 << 15, "DAZ": 1 << 6}.items():  # each alone, the register restored between them
    x = Tensor(np.array([1e-300]))
    csr.set_csr(csr.get_csr() | bit)
    try:
        y = x / 1e10
    except FloatingPointError as e:
        said[mode] = str(e)
    else:
        said[mode] = f"ran: {y.data[0]!r}"
    csr.set_csr(csr.get_csr() & ~bit)
print(json.dumps(said))
"""


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64") or shutil.which("cc") is None, reason="x86-64, cc")
def test_either_mode_alone_is_refused(tmp_path: Path) -> None:
    """torch sets both modes; a library may set one (flush-to-zero: subnormal results are 0; denormals-are-zero:
    subnormal inputs read as 0). The probe tells each alone (set by the processor's MXCSR register, through cc), both
    tried in one subprocess: one import of chainrule, one build of the library (a test each ran it on each worker)."""
    source, library = tmp_path / "csr.c", tmp_path / "csr.so"
    source.write_text(SET_MXCSR)
    subprocess.run(["cc", "-shared", "-fPIC", "-msse", str(source), "-o", str(library)], check=True)
    done = run(ONE_MODE, str(library))
    assert done.returncode == 0, done.stderr[-2000:]
    said = json.loads(done.stdout)
    for mode in ("FTZ", "DAZ"):
        assert "torch.set_flush_denormal(False)" in said[mode], (mode, said[mode])


WITHOUT_TORCH = """
import re, sys
import numpy as np, torch
import autograd
from autograd import Tensor
x = Tensor(np.array([1e-300]))
torch.set_flush_denormal(True)  # as a library built with -ffast-math would set it, where PyTorch is not installed
try:
    x / 1e10
except FloatingPointError as e:
    said = str(e)
recipe = re.search(r"without PyTorch, (.+?) restores", said)
assert recipe, said
exec(recipe.group(1).strip("`"))
print((x / 1e10).item())
"""


def test_with_the_flag_turned_off_after_a_refused_import_everything_runs_and_the_recipe_without_pytorch_works():
    """With the flag turned off after a refused import everything runs. chainrule does not need PyTorch, and a
    library built with -ffast-math sets the flag without it: the refusal names a way to turn it off that needs no
    PyTorch, and that way works. One subprocess (each imports PyTorch, seconds), the recipe's part run after the
    first's, the flag off and chainrule imported by then as in any process."""
    glibc = platform.libc_ver()[0] == "glibc"  # the recipe calls glibc's libm
    done = run(FLAG_OFF_AFTER_A_REFUSED_IMPORT + "\n" + (WITHOUT_TORCH if glibc else ""))
    assert done.returncode == 0, done.stderr[-2000:]
    said = done.stdout.split()
    assert said[0] == "ok", said
    if glibc:
        assert float(said[1]) == 1e-310, said
