"""Differential cases of unfold and fold against PyTorch: tests/test_torch_reference_ops.py reads CASES,
name -> (chainrule, torch, inputs), as its TENSOR_CASES; windows that overlap."""

from cases_fold import COLUMNS, IMAGE
from torch_reference import F

import autograd

CASES: dict = {
    "unfold": (lambda t: autograd.unfold(t, 2, padding=1), lambda t: F.unfold(t, 2, padding=1), [IMAGE]),
    "fold": (lambda t: autograd.fold(t, (3, 4), 2), lambda t: F.fold(t, (3, 4), 2), [COLUMNS]),
}
