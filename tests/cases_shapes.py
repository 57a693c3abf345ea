"""Gradchecks (first and second derivatives) of the shapes ops: tests/test_tensor_ops.py reads GRADCHECK,
name -> (the op as users call it, inputs), as its TENSOR_ONLY."""

GRADCHECK: dict = {}
