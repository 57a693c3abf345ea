"""Differential cases of the shapes ops against PyTorch: tests/test_torch_reference_ops.py reads
CASES, name -> (chainrule, torch, inputs), as its TENSOR_CASES."""

from cases_shapes import CUBE, WIDE, X
from torch_reference import F, torch  # without torch: skipped

import autograd

CASES: dict = {
    "roll": (lambda t: t.roll((1, -2), (0, 1)), lambda t: t.roll((1, -2), (0, 1)), [X]),
    "pad": (lambda t: autograd.pad(t, (1, 2, 0, 1), value=0.5), lambda t: F.pad(t, (1, 2, 0, 1), value=0.5), [X]),
    "einsum": (
        lambda a, b: autograd.einsum("iij,jk->i", a, b),
        lambda a, b: torch.einsum("iij,jk->i", a, b),
        [CUBE, WIDE],
    ),
}
