"""Differential cases of the reductions ops against PyTorch: tests/test_torch_reference_ops.py reads
CASES, name -> (chainrule, torch, inputs), as its TENSOR_CASES. Products at zeros (one in a row,
two in another); var with numpy's default ddof=0 is torch's correction=0."""

from torch_reference import torch

X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]  # (2, 3)
ZEROS = [[0.5, 0.0, 2.0, -1.5], [0.0, 1.25, 0.0, 0.75], [1.5, -0.5, 0.25, 2.0]]  # one, two, no zero

CASES: dict = {
    "prod": (lambda t: t.prod(axis=1), lambda t: t.prod(dim=1), [ZEROS]),
    "var": (lambda t: t.var(axis=0), lambda t: t.var(dim=0, correction=0), [X]),
    "std": (lambda t: t.std(dim=1, correction=1), lambda t: t.std(dim=1), [X]),
    "norm": (
        lambda t: t.norm(axis=-1, keepdims=True),
        lambda t: torch.linalg.vector_norm(t, dim=-1, keepdim=True),
        [X],
    ),
    "cumsum": (lambda t: t.cumsum(axis=0), lambda t: t.cumsum(dim=0), [X]),
    "cumprod": (lambda t: t.cumprod(dim=1), lambda t: t.cumprod(dim=1), [ZEROS]),
    "median": (lambda t: t.median(), lambda t: t.median(), [X]),
    "logcumsumexp": (lambda t: t.logcumsumexp(0), lambda t: t.logcumsumexp(0), [X]),
}
