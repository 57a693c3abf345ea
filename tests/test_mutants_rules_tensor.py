"""Tests that kill mutants the suite let live in the op table's tensor rules (reductions, norms, pooling,
prod; docs/mutation-testing.md), split from test_mutants_rules.py. References are closed forms, numpy's
own functions, and PyTorch where it is installed."""

import math
import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor


def test_max_where_a_slice_holds_nan_sends_nan_to_that_slice_in_float32_too():
    for dtype in (np.float32, np.float64):
        x = np.array([[1.0, np.nan, 3.0, np.nan], [2.0, 5.0, 5.0, 1.0]], dtype)
        t = Tensor(x, requires_grad=True)
        t.max(axis=1).sum().backward()
        # which entry NaN beats is unknown: NaN to that whole row (docs/edge-points.md); the other row's tie shares
        nan = np.nan
        np.testing.assert_array_equal(t.grad, np.array([[nan] * 4, [0, 0.5, 0.5, 0]], dtype))
        assert t.grad.dtype == dtype


def test_transpose_with_negative_axes_sends_the_gradient_back():
    w = np.random.default_rng(0).standard_normal((4, 2, 3))
    t = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    (t.transpose((-1, 0, -2)) * Tensor(w)).sum().backward()
    np.testing.assert_array_equal(t.grad, np.transpose(w, (1, 2, 0)))


def test_reducing_builds_a_tensor_only_op_named_for_its_method():
    from autograd.op_table_tensor import _reducing

    def forward(x):
        return x

    def vjp(g, out, x):
        return (g,)

    d = _reducing("spread", forward, vjp, "∂spread/∂x = 1")
    assert (d.name, d.vjp, d.scalar, d.tensor, d.formulas, d.api) == (
        "spread",
        vjp,
        None,
        forward,
        ("∂spread/∂x = 1",),
        "Tensor.spread",
    )
    assert _reducing("spread", forward, vjp, "f", api="autograd.spread").api == "autograd.spread"


def test_norm_and_std_scale_each_slice_by_its_own_largest_entry():
    rows = np.array([[1e300, 1e300], [1e-300, 1e-300], [-1e300, -1e300], [-1e-300, -1e-300], [3e-300, -4e-300]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflowing first try is what scaling is for: no warning
        norms = Tensor(rows).norm(axis=1).data
    np.testing.assert_allclose(norms, [math.sqrt(2) * 1e300, math.sqrt(2) * 1e-300] * 2 + [5e-300], rtol=1e-15)
    spread = np.array([[1e300, -1e300], [1e-300, -1e-300], [-3e-300, 1e-300]])
    np.testing.assert_allclose(Tensor(spread).std(axis=1).data, [1e300, 1e-300, 2e-300], rtol=1e-15)


def test_norm_of_empty_slices_and_of_float32_subnormals():
    assert Tensor(np.zeros((2, 0))).norm(axis=1).data.tolist() == [0.0, 0.0]
    tiny = np.array([1e-45, 1e-45, 0.0], np.float32)  # the smallest subnormal, twice
    got = Tensor(tiny).norm().data
    assert got.dtype == np.float32 and got == np.float32(math.hypot(1e-45, 1e-45))


def test_norm_and_std_of_integers_are_float64():
    t = Tensor(np.array([1, 1]))
    assert t.norm().data.dtype == np.float64 and t.norm().data == math.sqrt(2)
    assert Tensor(np.array([1, 2])).std().data == 0.5


def test_std_with_keepdims_backward_is_pytorchs():
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, 2.0, 4.0], [3.0, -1.0, 0.5]])
    w = np.array([[1.0], [2.0]])
    t = Tensor(x, requires_grad=True)
    y = t.std(axis=1, keepdims=True)
    assert y.shape == (2, 1)
    (y * Tensor(w)).sum().backward()
    tt = torch.tensor(x, requires_grad=True)
    (tt.std(dim=1, keepdim=True, correction=0) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-13)


# op_table_conv: max pooling's padding value and where its gradient goes


def _max_pool_reference(x, k, fill):
    """3x3 windows, stride 1, padding 1 filled with `fill`: numpy written out."""
    p = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=fill)
    h, w = x.shape[2:]
    return np.array([[[[p[0, 0, i : i + k, j : j + k].max() for j in range(w)] for i in range(h)]]])


def test_max_pool_pads_integers_and_bools_with_their_lowest_value():
    xi = -np.arange(1, 13).reshape(1, 1, 3, 4)  # every entry below 0: a padding of 0 would win
    y = autograd.max_pool2d(Tensor(xi), kernel_size=3, stride=1, padding=1).data
    assert y.dtype == xi.dtype
    np.testing.assert_array_equal(y, _max_pool_reference(xi, 3, np.iinfo(xi.dtype).min))
    xb = np.zeros((1, 1, 4, 4), bool)
    xb[0, 0, 0, 0] = True  # one True: a padding of True would make every window True
    yb = autograd.max_pool2d(Tensor(xb), kernel_size=3, stride=1, padding=1).data
    assert yb.dtype == bool
    np.testing.assert_array_equal(yb, _max_pool_reference(xb, 3, False))
    assert yb.sum() == 4


@pytest.mark.parametrize(
    "x, kw",
    [
        # a window's maximum -inf: its gradient to the first entry inside the input, not the padding
        (
            np.concatenate([np.full((1, 1, 2, 3), -np.inf), np.ones((1, 1, 2, 3))], 2),
            dict(kernel_size=(3, 1), padding=(1, 0)),
        ),
        (np.ones((1, 1, 22, 17)), dict(kernel_size=(20, 15))),  # 300 offsets in a window: past uint8
        (np.ones((1, 1, 7, 6)), dict(kernel_size=(2, 3), dilation=(2, 1))),  # ties everywhere: the first one
        (np.ones((1, 1, 7, 6)), dict(kernel_size=(3, 2), dilation=(1, 2))),
        # every maximum -inf, windows reaching into the padding: the first entry inside, dilated
        (np.full((1, 1, 6, 5), -np.inf), dict(kernel_size=2, padding=1, dilation=(2, 1))),
        (np.full((1, 1, 5, 6), -np.inf), dict(kernel_size=2, padding=1, dilation=(1, 2))),
        (np.full((1, 1, 8, 3), -np.inf), dict(kernel_size=(4, 1), padding=(2, 0), dilation=(2, 1))),
    ],
    ids=[
        "-inf rows, padded rows only",
        "a 20x15 window",
        "dilated rows",
        "dilated columns",
        "-inf, dilated rows",
        "-inf, dilated columns",
        "-inf, 2 rows padded",
    ],
)
def test_overlapping_max_pool_sends_each_gradient_to_pytorchs_entry(x, kw):
    torch = pytest.importorskip("torch")
    w = np.random.default_rng(0).standard_normal(torch.nn.functional.max_pool2d(torch.tensor(x), stride=1, **kw).shape)
    t = Tensor(x, requires_grad=True)
    with np.errstate(invalid="ignore"):
        y = autograd.max_pool2d(t, stride=1, **kw)
        (y * Tensor(w)).sum().backward()
    tt = torch.tensor(x, requires_grad=True)
    (torch.nn.functional.max_pool2d(tt, stride=1, **kw) * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(y.data, torch.nn.functional.max_pool2d(torch.tensor(x), stride=1, **kw).numpy())
    np.testing.assert_array_equal(t.grad, tt.grad.numpy())


def test_prod_gradient_of_float32_with_a_subnormal_product_is_the_product_of_the_others():
    x = np.array([1e-20, 1e-20, 3.0], np.float32)  # their product, 3e-40, is subnormal in float32
    t = Tensor(x, requires_grad=True)
    t.prod().backward()
    exact = [float(x[1]) * float(x[2]), float(x[0]) * float(x[2]), float(x[0]) * float(x[1])]
    np.testing.assert_allclose(t.grad[:2], exact[:2], rtol=1e-6)  # not 3e-40 / x: 1e-5 off in a subnormal
