"""pickle and copy of Values: a leaf's number, label and gradient go across; a computed Value is refused
with words, as a computed Tensor is (pickle failed on its op's rule with a PicklingError naming a lambda)."""

import copy
import pickle

import pytest

from autograd import Tensor, Value


def test_a_leaf_value_pickles_and_copies_whole():
    v = Value(2.5, label="w")
    v.grad = 1.5
    for twin in (pickle.loads(pickle.dumps(v)), copy.copy(v), copy.deepcopy(v)):  # noqa: S301
        assert (twin.data, twin.grad, twin.label) == (2.5, 1.5, "w") and twin is not v


@pytest.mark.parametrize("how", [pickle.dumps, copy.copy, copy.deepcopy])
def test_a_computed_value_is_refused_as_a_computed_tensor_is(how):
    v = Value(2.0)
    with pytest.raises(RuntimeError, match=r"of a Value computed in a graph .*Value\(v.data\)"):
        how(v * 3.0)
    with pytest.raises(RuntimeError, match="computed in a graph"):
        how(Tensor([2.0], requires_grad=True) * 3.0)
