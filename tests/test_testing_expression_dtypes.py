"""`tensor_expressions(dtype=...)`: its inputs were float64 alone, so a property test could not draw the
float32 graphs a model trains in. The default stays float64; integers and bools are refused (they would
be constants, no points to differentiate at)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings

from autograd import Tensor, gradcheck
from autograd.testing import tensor_expressions


@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32", np.dtype(np.float16)])
def test_inputs_and_the_graph_built_on_them_are_of_the_dtype_given(dtype):
    want = np.dtype(dtype)

    @settings(max_examples=25, database=None, deadline=None)
    @given(tensor_expressions(dtype=dtype, kinds=["+", "*", "exp", "tanh", "softmax"]))
    def draw(expr):
        assert all(x.dtype == want for x in expr.inputs)
        out = expr(*(Tensor(x, requires_grad=True, dtype=want) for x in expr.inputs))
        assert out.dtype == want and np.isfinite(out.data)

    draw()


def test_the_default_stays_float64():
    @settings(max_examples=10, database=None)
    @given(tensor_expressions())
    def draw(expr):
        assert all(x.dtype == np.float64 for x in expr.inputs)

    draw()


def test_a_float32_expression_passes_gradcheck_which_checks_it_in_float64():
    @settings(max_examples=10, database=None, deadline=None)
    @given(tensor_expressions(dtype=np.float32, max_ops=4))
    def check(expr):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "gradcheck: input .* is float32", UserWarning)
            assert gradcheck(expr, expr.inputs)

    check()


@pytest.mark.parametrize("dtype", [np.int64, bool, np.complex128, "nope"])
def test_a_dtype_that_is_no_float_is_refused_naming_it(dtype):
    @settings(max_examples=1, database=None)
    @given(tensor_expressions(dtype=dtype))
    def draw(expr):
        pass

    with pytest.raises(TypeError, match=r"tensor_expressions: dtype must be a float dtype \(np.float32, np.float64\)"):
        draw()
