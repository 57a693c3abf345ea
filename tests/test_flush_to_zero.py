"""chainrule with the processor flushing subnormals to zero (torch.set_flush_denormal(True), or a library built with
-ffast-math, sets the flag for the whole thread): the packages import, and a step agrees with PyTorch's under the
same flag. The import read the logarithm of each dtype's least subnormal, which math.log refused as 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from torch_reference import torch  # noqa: F401  (skips where PyTorch is absent)

ROOT = Path(__file__).resolve().parent.parent

UNDER_FLUSH = """
import numpy as np, torch
assert torch.set_flush_denormal(True), "this processor cannot flush subnormals"
assert 5e-324 * 1.0 == 0.0
import autograd, nn, viz
from autograd import Tensor
x = np.array([1e-310, 0.5, -3.0, 20.0, -800.0])
ours = Tensor(x, requires_grad=True)
theirs = torch.tensor(x, requires_grad=True)
(ours.exp() * ours.tanh() + ours.sigmoid()).sum().backward()
(theirs.exp() * theirs.tanh() + theirs.sigmoid()).sum().backward()
assert np.allclose(ours.grad, theirs.grad.numpy(), rtol=1e-14, atol=0), (ours.grad, theirs.grad)
print("ok")
"""


def test_packages_import_and_agree_with_torch_when_subnormals_are_flushed() -> None:
    done = subprocess.run([sys.executable, "-c", UNDER_FLUSH], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
