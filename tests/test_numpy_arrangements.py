"""numpy's functions chainrule has as Tensor methods (autograd/numpy_arrangements.py), called on
Tensors with numpy's arguments: numpy's numbers and shapes, and gradients that pass gradcheck (of
the whole output, by random weights). They were refused by name before."""

import numpy as np
import pytest

from autograd import Tensor, gradcheck

RNG = np.random.default_rng(0)
A, V, B = RNG.standard_normal((3, 4)), RNG.standard_normal(3), RNG.standard_normal((4, 2, 3))
CASES = {
    "trace": (lambda x: np.trace(x), A),
    "trace, offset": (lambda x: np.trace(x, 1), A),
    "trace of axes 1 and 2": (lambda x: np.trace(x, 0, 1, 2), B),
    "outer": (lambda x: np.outer(x, V), A),
    "diag of a vector": (lambda x: np.diag(x, 1), V),
    "diag of a matrix": (lambda x: np.diag(x, -1), A),
    "triu": (lambda x: np.triu(x, 1), A),
    "tril of a stack": (lambda x: np.tril(x), B),
    "roll, flat": (lambda x: np.roll(x, 2), A),
    "roll, an axis": (lambda x: np.roll(x, -1, axis=1), A),
    "roll, two axes": (lambda x: np.roll(x, (1, 2), axis=(0, 1)), A),
    "tile": (lambda x: np.tile(x, (2, 1)), A),
    "tile, an int": (lambda x: np.tile(x, 2), V),
    "pad, an int": (lambda x: np.pad(x, 1), A),
    "pad, one pair for every dim": (lambda x: np.pad(x, (1, 2)), A),  # not PyTorch's last-dim pair
    "pad, a pair per dim, a value": (lambda x: np.pad(x, ((0, 1), (2, 0)), constant_values=3.0), A),
    "tensordot": (lambda x: np.tensordot(x, B, axes=1), A),
    "tensordot, axes lists": (lambda x: np.tensordot(x, A, axes=([0], [0])), A),
}


@pytest.mark.parametrize("name", CASES)
def test_numpy_functions_of_chainrule_methods(name):
    f, x = CASES[name]
    ours, theirs = f(Tensor(x)), f(x)
    assert isinstance(ours, Tensor) and ours.shape == theirs.shape
    np.testing.assert_allclose(ours.data, theirs, rtol=1e-15, atol=1e-15)
    assert gradcheck(f, [x])


@pytest.mark.parametrize(
    "call",
    [
        lambda t: np.pad(t, 1, mode="edge"),
        lambda t: np.pad(t, 1.5),  # numpy: pad_width must be of integral type (0.7 padded nothing)
        lambda t: np.trace(t, out=np.zeros(())),
        lambda t: np.trace(t, 1.5),
        lambda t: np.diag(t, 1.5),
        lambda t: np.outer(t, t, out=A),
    ],
)
def test_what_they_do_not_take_is_named(call):
    with pytest.raises(TypeError, match="on a Tensor|must be an int|of integral type"):
        call(Tensor(A))
