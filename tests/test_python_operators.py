"""Python's operators on Values and Tensors, each as PyTorch answers it: a result where PyTorch gives one
(with its gradient), one clear error where it refuses, never Python's bare "unsupported operand"."""

import numpy as np
import pytest

from autograd import Tensor, Value


def test_unary_plus_is_the_node_itself():
    """`+x` is x, as PyTorch's `+t` (it was Python's TypeError, "bad operand type for unary +")."""
    t = Tensor(np.array([1.5, -2.5]), requires_grad=True)
    v = Value(2.0)
    assert +t is t and +v is v
    (+t * 3).sum().backward()
    (+v * 3).backward()
    assert t.grad.tolist() == [3.0, 3.0] and v.grad == 3.0
    with pytest.raises(TypeError, match="bool tensor"):
        +Tensor(np.array([True]))  # noqa: B018 (refused, as PyTorch's and numpy's)
