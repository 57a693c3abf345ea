"""Differential cases of the shapes ops against PyTorch: tests/test_torch_reference_ops.py reads
CASES, name -> (chainrule, torch, inputs), as its TENSOR_CASES."""

from torch_reference import torch  # noqa: F401 (without torch: skipped)

CASES: dict = {}
