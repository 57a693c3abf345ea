"""Regression tests for trust issues of the tensor reductions, the activations, gradcheck, the
transforms' argnums, shape arguments and viz's expressions and files: each once gave a silently
wrong number, a crash of the wrong type, or a misleading error. Comparisons with PyTorch are
skipped where it is absent."""

import math
import re
import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, gradcheck, gradcheck_params

NAN, INF = math.nan, math.inf

# ---- max(dim=) and min(dim=) are PyTorch's: (values, indices) ----


def test_max_with_dim_unpacks_into_values_and_indices_as_pytorch():
    # once the values only: `v, i = ...` on two rows gave v = 5.0 and i = 7.0
    v, i = Tensor(np.array([[1.0, 5, 2], [7, 0, 3]])).max(dim=1)
    assert v.data.tolist() == [5.0, 7.0] and i.data.tolist() == [1, 0]
    assert i.dtype == np.int64 and not i.requires_grad
    low = Tensor(np.array([[1.0, 5, 2], [7, 0, 3]])).min(dim=0)
    assert low.values.data.tolist() == [1.0, 0.0, 2.0] and low.indices.data.tolist() == [0, 1, 0]


def test_max_with_dim_sends_the_gradient_to_the_index_at_ties_and_keeps_dims():
    x = Tensor(np.array([[1.0, 3, 3], [2, 2, 2], [NAN, 1, NAN]]), requires_grad=True)
    values, indices = x.max(dim=-1, keepdim=True)
    assert values.shape == indices.shape == (3, 1) and indices.data.ravel().tolist() == [1, 0, 0]
    (values * Tensor(np.array([[1.0], [2.0], [3.0]]))).sum().backward()
    assert x.grad.tolist() == [[0, 1, 0], [2, 0, 0], [3, 0, 0]]  # the first at ties, the first NaN


def test_max_with_axis_keeps_numpys_values_and_shared_gradient():
    x = Tensor(np.array([[1.0, 3, 3], [2, 0, 2]]), requires_grad=True)
    out = x.max(axis=1)
    assert isinstance(out, Tensor) and out.data.tolist() == [3.0, 2.0]
    out.sum().backward()
    assert x.grad.tolist() == [[0, 0.5, 0.5], [0.5, 0, 0.5]]
    assert np.max(x, 1).data.tolist() == [3.0, 2.0] and x.min((0, 1)).item() == 0.0 and x.max().item() == 3.0


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_refuse_what_numpy_and_pytorch_read_differently(name):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match=rf"{name}\(1\) is ambiguous.*axis=1.*dim=1"):
        getattr(x, name)(1)
    with pytest.raises(TypeError, match=r"takes one int.*axis=\(0, 1\)"):
        getattr(x, name)(dim=(0, 1))
    with pytest.raises(TypeError, match="axis=.*dim="):
        getattr(x, name)(axis=1, dim=1)
    with pytest.raises(ValueError, match="dim 0 is empty"):
        getattr(Tensor(np.ones((0, 3))), name)(dim=0)
    assert getattr(Tensor(np.ones((0, 3))), name)(dim=1).values.shape == (0,)


def test_max_with_dim_of_a_0d_tensor_is_itself_at_index_0():
    values, indices = Tensor(np.array(5.0)).max(dim=0)
    assert values.item() == 5.0 and indices.item() == 0 and indices.dtype == np.int64


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_with_dim_match_pytorch(name, dim, keepdim):
    torch = pytest.importorskip("torch")
    data = np.array([[1.0, 3, 3, -1], [2, 2, 2, 2], [NAN, 1, NAN, 0]])
    x = Tensor(data, requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    ours, theirs = getattr(x, name)(dim=dim, keepdim=keepdim), getattr(t, name)(dim=dim, keepdim=keepdim)
    np.testing.assert_array_equal(ours.values.data, theirs.values.detach().numpy())
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    weights = np.arange(1.0, 1.0 + ours.values.data.size).reshape(ours.values.shape)
    (ours.values * Tensor(weights)).sum().backward()
    (theirs.values * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


# ---- the activations' kinks are PyTorch's ----

KINKS = {  # name: (parameters, the kinks and points just beside them)
    "hardswish": ({}, [-3.0, 3.0, -2.999, 2.999, -3.001, 3.001]),
    "hardsigmoid": ({}, [-3.0, 3.0, -2.999, 2.999]),
    "relu6": ({}, [0.0, 6.0, 0.001, 5.999]),
    "relu": ({}, [0.0, -0.0, 0.001]),
    "hardtanh": ({"min_val": -2.0, "max_val": 0.5}, [-2.0, 0.5, -1.999, 0.499]),
    "leaky_relu": ({"negative_slope": 0.2}, [0.0, -0.0, 0.001, -0.001]),
    "elu": ({"alpha": 0.5}, [0.0, -0.0, 0.001, -0.001]),
    "celu": ({"alpha": 2.0}, [0.0, -0.0]),
    "selu": ({}, [0.0, -0.0]),
    "softsign": ({}, [0.0]),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", KINKS)
def test_activation_gradients_at_their_kinks_match_pytorch(name, dtype):
    """Forward and gradient at each kink, with tests/torch_reference.py's comparison (hardsigmoid:
    its float64 stand-in, as torch's own rounds 1/6 to float32); Values too, in float64."""
    pytest.importorskip("torch")
    from test_torch_reference_elementwise import torch_function
    from torch_reference import F, check, check_scalar

    params, points = KINKS[name]
    torch_fn, _ = torch_function(name, lambda t: getattr(F, name)(t, **params), dtype)
    check(lambda t: getattr(autograd, name)(t, **params), torch_fn, [points], dtype, second=False)
    scalar_fn, _ = torch_function(name, lambda t: getattr(F, name)(t, **params), np.float64)
    for x in points:
        check_scalar(lambda v: getattr(autograd, name)(v, **params), scalar_fn, [x], second=False)


def test_hardswish_at_its_kinks_takes_the_outer_pieces():
    # once the middle piece x/3 + 1/2 at both: -0.5 and 1.5, where torch 2.13 gives 0 and 1
    x = Tensor(np.array([-3.0, 3.0]), requires_grad=True)
    x.hardswish().sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]
    second = autograd.grad(autograd.grad(autograd.hardswish))
    assert second(-3.0) == second(3.0) == 0.0 and second(0.0) == pytest.approx(1 / 3)


# ---- parameters that make the outputs meaningless are refused ----


@pytest.mark.parametrize(
    "call",
    [
        lambda x: autograd.leaky_relu(x, NAN),
        lambda x: autograd.leaky_relu(x, negative_slope=INF),
        lambda x: autograd.elu(x, NAN),
        lambda x: autograd.celu(x, alpha=NAN),
        lambda x: autograd.celu(x, alpha=-INF),
        lambda x: autograd.hardtanh(x, NAN, 1.0),
        lambda x: autograd.hardtanh(x, -1.0, max_val=NAN),
    ],
    ids=["leaky_relu nan", "leaky_relu inf", "elu nan", "celu nan", "celu -inf", "hardtanh min", "hardtanh max"],
)
@pytest.mark.parametrize("node", [lambda: Tensor(np.array([-1.0, 0.5])), lambda: Value(-1.0)], ids=["Tensor", "Value"])
def test_nan_and_infinite_activation_parameters_are_refused(call, node):
    with pytest.raises(ValueError, match="must be a (finite number|number or ±inf).*got (NaN|infinity)"):
        call(node())


@pytest.mark.parametrize(
    "call",
    [lambda x: x.clip(NAN, 1.0), lambda x: x.clamp(max=NAN), lambda x: np.clip(x, NAN, 1.0)],
    ids=["clip", "clamp", "np.clip"],
)
def test_nan_clip_bounds_are_refused(call):
    with pytest.raises(ValueError, match="clip: (lo|hi) must be a number or ±inf.*NaN"):
        call(Tensor(np.array([-2.0, 0.0, 2.0])))
    with pytest.raises(ValueError, match="hi must be"):
        Tensor(np.zeros(3)).clip(None, np.array([1.0, NAN, 2.0]))


def test_infinite_bounds_still_mean_no_bound():
    x = Tensor(np.array([-2.0, 0.5, 2.0]))
    assert autograd.hardtanh(x, -INF, 1.0).data.tolist() == [-2.0, 0.5, 1.0]
    assert x.clip(-INF, 1.0).data.tolist() == [-2.0, 0.5, 1.0]


# ---- the right error types for bad arguments ----


@pytest.mark.parametrize(
    "ddof, left",
    [
        (np.uint64(2**64 - 1), -18446744073709551612),
        (np.int64(5), -2),
        (10**400, 3 - 10**400),  # past float's range: float(ddof) was an OverflowError
        (3.5, -0.5),
        (np.inf, -np.inf),
    ],
    ids=str,
)
def test_a_ddof_past_the_entries_is_told_with_the_right_difference(ddof, left):
    # numpy's uint64 wrapped: ddof = 2**64 - 1 over 3 entries read "divides by n - ddof = 4", with an overflow warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"divides by n - ddof = {re.escape(str(left))}: "):
            Tensor(np.ones(3)).std(ddof=ddof)


@pytest.mark.parametrize("spelling", [{"correction": -1}, {"ddof": -0.5}, {"ddof": NAN}], ids=str)
def test_negative_or_nan_ddof_is_a_value_error(spelling):
    with pytest.raises(ValueError, match=r"ddof \(correction\) must be >= 0"):
        Tensor(np.ones(4)).var(**spelling)
    with pytest.raises(TypeError, match="must be a number"):
        Tensor(np.ones(4)).std(ddof="1")


@pytest.mark.parametrize("shape", [(2.0,), ((2.0,),), (None,), ([2, 1.5],)], ids=str)
@pytest.mark.parametrize("method", ["reshape", "view", "expand", "broadcast_to"])
def test_reshape_with_non_int_sizes_says_sizes_must_be_ints(method, shape):
    with pytest.raises(TypeError, match=f"{method}: sizes must be ints"):
        getattr(Tensor(np.ones(2)), method)(*shape)


def test_reshape_refuses_sizes_below_minus_one_as_pytorch():
    # numpy read -2 as -1, so reshape(-2) once gave a tensor
    with pytest.raises(ValueError, match=r"sizes are non-negative \(or -1\), got \(-2,\)"):
        Tensor(np.ones(2)).reshape(-2)
    assert Tensor(np.ones(6)).reshape(np.int64(2), -1).shape == (2, 3)


@pytest.mark.parametrize(
    "settings, error, message",
    [
        ({"eps": 0}, ValueError, "eps must be finite and > 0, got 0"),
        ({"eps": -1e-6}, ValueError, "eps must be finite and > 0"),
        ({"eps": NAN}, ValueError, "eps must be finite and > 0, got nan"),
        ({"atol": NAN}, ValueError, "atol must be finite and >= 0"),
        ({"atol": -1.0}, ValueError, "atol must be finite and >= 0"),
        ({"rtol": -1e-3}, ValueError, "rtol must be finite and >= 0"),
        ({"rtol": INF}, ValueError, "rtol must be finite"),
        ({"eps": "1e-6"}, TypeError, "eps must be a number, got str"),
    ],
    ids=str,
)
def test_gradcheck_refuses_bad_steps_and_tolerances_up_front(settings, error, message):
    # once ZeroDivisionError (eps=0) or a GradcheckError blaming correct gradients (NaN, negative)
    calls = []

    def f(v):
        calls.append(v)
        return v * v

    with pytest.raises(error, match=f"gradcheck: {message}"):
        gradcheck(f, [Value(2.0)], **settings)
    assert not calls  # refused before f ran
    p = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(error, match=f"gradcheck_params: {message}"):
        gradcheck_params(lambda: (p * p).sum(), [p], **settings)
    assert gradcheck(f, [Value(2.0)], eps=np.float64(1e-6), atol=0)


@pytest.mark.parametrize("integer", [np.int64(1), np.int32(1), np.intp(1)], ids=lambda i: type(i).__name__)
def test_transforms_take_numpys_integers_as_argnums(integer):
    def f(x, y):
        return x * y * y

    assert autograd.grad(f, argnums=integer)(2.0, 3.0) == 12.0
    assert autograd.value_and_grad(f, integer)(2.0, 3.0) == (18.0, 12.0)
    assert autograd.grad(f, argnums=(np.int64(0), integer))(2.0, 3.0) == (9.0, 12.0)
    assert autograd.elementwise_grad(f, integer)(2.0, 3.0) == 12.0
    assert autograd.jacobian(f, integer)(2.0, 3.0) == 12.0
    assert autograd.hessian(f, integer)(2.0, 3.0) == 4.0


@pytest.mark.parametrize("argnums", [np.bool_(True), True, 1.0, ()], ids=repr)
def test_argnums_still_refuse_bools_floats_and_nothing(argnums):
    with pytest.raises(TypeError, match="argnums must be an int"):
        autograd.grad(lambda x: x, argnums=argnums)


# ---- viz: expressions and files ----
