"""The function transforms (grad's argnums, trees, has_aux and keywords; value_and_grad,
elementwise_grad, jacobian, hessian, hvp, vjp, jvp) against exact derivatives and central finite
differences; their nesting; plain results at the top level; and their errors.
The comparison with torch.func is tests/test_torch_reference_transforms.py."""

import math
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import ShapeError, Tensor, Value, no_grad, stack, tanh
from autograd.functional import elementwise_grad, grad, value_and_grad
from autograd.testing import arrays, floats, shapes
from autograd.transforms import hessian, hvp, jacobian, jvp, vjp

EPS = 1e-6
FD = {"rtol": 1e-6, "atol": 1e-7}  # central differences at eps 1e-6: error about eps**2 * f''' and 1e-16 / eps


def numeric_jacobian(f, x):
    """d f / d x by central differences, of shape f(x).shape + x.shape (x a float64 array)."""
    x = np.asarray(x, dtype=np.float64)
    columns = []
    for j in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[j] = EPS
        columns.append((np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * EPS))
    out_shape = np.shape(f(x))
    return np.moveaxis(np.array(columns), 0, -1).reshape(out_shape + x.shape)


# ---- grad: argnums, keywords, trees, has_aux, value_and_grad ----


def test_value_and_grad_gives_both_from_one_call_of_f():
    calls = []

    def f(x, y):
        calls.append(1)
        return x * y.sin()

    value, (gx, gy) = value_and_grad(f, argnums=(0, 1))(2.0, 0.5)
    assert value == pytest.approx(2 * math.sin(0.5)) and len(calls) == 1
    assert (gx, gy) == (pytest.approx(math.sin(0.5)), pytest.approx(2 * math.cos(0.5)))


def test_argnums_picks_arguments_by_position_negative_too():
    f = lambda a, b, c: a * b * b * c  # noqa: E731
    assert grad(f, argnums=1)(2.0, 3.0, 5.0) == 60.0
    assert grad(f, argnums=-1)(2.0, 3.0, 5.0) == 18.0
    assert grad(f, argnums=(2, 0))(2.0, 3.0, 5.0) == (18.0, 45.0)


def test_keyword_arguments_reach_f_and_are_not_differentiated():
    def f(x, *, scale, offset=0.0):
        return ((x - offset) * scale).sum()

    g = grad(f)(np.ones(2), scale=3.0, offset=np.array([1.0, 2.0]))
    np.testing.assert_array_equal(g, [3.0, 3.0])


def test_gradient_of_a_tree_argument_has_its_structure():
    Pair = namedtuple("Pair", "w b")

    def loss(params, x):
        h = tanh(x @ params["layer"].w + params["layer"].b)
        return (h * params["scales"][0]).sum() + params["scales"][1] ** 2

    rng = np.random.default_rng(0)
    params = {"layer": Pair(rng.normal(size=(3, 2)), rng.normal(size=2)), "scales": [1.5, -0.5]}
    x = rng.normal(size=(4, 3))
    g = grad(loss)(params, x)
    assert isinstance(g["layer"], Pair) and isinstance(g["scales"], list) and type(g["scales"][0]) is float
    w_only = lambda w: loss({**params, "layer": Pair(w, params["layer"].b)}, x)  # noqa: E731
    np.testing.assert_allclose(g["layer"].w, numeric_jacobian(w_only, params["layer"].w), **FD)
    assert g["scales"][1] == pytest.approx(-1.0)


def test_has_aux_returns_aux_beside_the_result_as_jax():
    f = lambda x: ((x * x).sum(), {"norm": x.sum(), "label": "sq"})  # noqa: E731
    g, aux = grad(f, has_aux=True)(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(g, [2.0, 4.0])
    assert aux["label"] == "sq" and type(aux["norm"]) is np.ndarray and aux["norm"] == 3.0  # data, not a node
    (value, aux), g = value_and_grad(f, has_aux=True)(np.array([1.0, 2.0]))
    assert value == 5.0 and aux["norm"] == 3.0
    jac, aux = jacobian(lambda x: (x * x, x.sum()), has_aux=True)(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(jac, np.diag([2.0, 4.0]))
    h, aux = hessian(f, has_aux=True)(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(h, 2 * np.eye(2))
    assert aux["norm"] == 3.0
    out, pullback, aux = vjp(lambda x: (x * 3.0, x + 1.0), 2.0, has_aux=True)
    assert (out, pullback(1.0), aux) == (6.0, (3.0,), 3.0)


# ---- a number argument that meets tensors ----


@pytest.mark.parametrize(
    "f",
    [
        lambda x: stack([x, x * 2]).sum(),
        lambda x: (Tensor(np.array([1.0, 2.0])) * x).sum(),
        lambda x: (x * np.array([1.0, 2.0])).sum(),
        lambda x: (np.array([1.0, 2.0]) * x).sum(),  # numpy would make an array of Values
    ],
    ids=["stack", "tensor times x", "x times array", "array times x"],
)
def test_a_number_argument_that_meets_tensors_is_traced_as_a_0d_tensor(f):
    g = grad(f)(1.5)
    assert type(g) is float and g == 3.0


def test_a_type_error_of_f_itself_is_raised_as_it_is():
    with pytest.raises(TypeError, match="cannot combine a Value with str"):
        grad(lambda x: x + "a")(1.0)  # f's own error: not a Value meeting a tensor, so f is not run again


def test_tracing_a_number_as_a_tensor_composes_with_nesting():
    # the inner number meets the outer tensor; the outer number meets the inner array
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(grad(lambda x: (x * grad(lambda y: (x * y).sum())(1.0)).sum())(x), 2 * x.sum())
    assert grad(lambda x: grad(lambda y: (x * y).sum())(np.ones(3)).sum())(2.0) == 3.0
    d2 = jacobian(grad(lambda x: stack([x, x * x, x * x * x]).sum()))(2.0)
    assert type(d2) is float and d2 == pytest.approx(2 + 6 * 2.0)


# ---- jacobian, hessian, hvp, vjp, jvp, elementwise_grad against finite differences ----


@given(in_shape=shapes(max_dims=2, max_side=3), out_shape=shapes(max_dims=2, max_side=3), seed=st.integers(0, 99))
def test_jacobian_has_shape_out_plus_in_and_matches_finite_differences(in_shape, out_shape, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(int(np.prod(out_shape)), int(np.prod(in_shape))))
    x = rng.normal(size=in_shape)
    f = lambda x: (a @ x.reshape(-1)).tanh().reshape(out_shape) * x.reshape(-1)[0]  # noqa: E731
    jac = jacobian(f)(x)
    assert jac.shape == out_shape + in_shape
    np.testing.assert_allclose(jac, numeric_jacobian(lambda x: f(Tensor(x)).data, x), **FD)


def test_jacobian_of_a_tree_output_with_respect_to_several_numbers():
    jac = jacobian(lambda x, y: [x * y, (x + y).sin()], argnums=(0, 1))(0.5, 2.0)
    assert jac == [(2.0, 0.5), (pytest.approx(math.cos(2.5)), pytest.approx(math.cos(2.5)))]


@given(x=arrays((3,), -1.0, 1.0), v=arrays((3,), -1.0, 1.0))
def test_hessian_and_hvp_match_finite_differences_of_the_gradient(x, v):
    f = lambda x: (x.sin() * x[::-1]).sum() + (x * x * x).sum() * x[0]  # noqa: E731
    numeric = numeric_jacobian(lambda x: grad(f)(x), x)
    h = hessian(f)(x)
    np.testing.assert_allclose(h, numeric, **FD)
    np.testing.assert_allclose(h, h.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(hvp(f, x, v), h @ v, rtol=1e-12, atol=1e-12)


def test_hvp_and_hessian_on_a_tree_and_on_numbers():
    f = lambda p: (p["w"] * p["w"]).sum() * p["s"]  # noqa: E731
    p, v = {"w": np.array([1.0, 2.0]), "s": 3.0}, {"w": np.array([1.0, 0.0]), "s": 1.0}
    hv = hvp(f, p, v)  # H = [[2s, 0, 2w0], [0, 2s, 2w1], [2w0, 2w1, 0]]
    np.testing.assert_allclose(hv["w"], [8.0, 4.0], rtol=1e-14)
    assert type(hv["s"]) is float and hv["s"] == 2.0
    assert hessian(lambda x, y: x * x * y, argnums=(0, 1))(2.0, 3.0) == ((6.0, 4.0), (4.0, 0.0))


@given(x=arrays((2, 3), -1.0, 1.0), u=arrays((3,), 0.25, 1.0), v=arrays((2, 3), -1.0, 1.0))
def test_vjp_and_jvp_are_the_two_products_with_the_jacobian(x, u, v):
    u = u * [1.0, -1.0, 1.0]  # away from subnormals, where scaling u by 2 is not exact
    f = lambda x: (x.exp() * x[::-1]).sum(axis=0)  # noqa: E731
    jac = numeric_jacobian(lambda x: f(Tensor(x)).data, x)  # (3, 2, 3)
    out, pullback = vjp(f, x)
    np.testing.assert_allclose(out, f(Tensor(x)).data, rtol=0, atol=0)
    (ux,) = pullback(u)
    np.testing.assert_allclose(ux, np.tensordot(u, jac, 1), **FD)
    np.testing.assert_array_equal(pullback(2 * u)[0], 2 * ux)  # the pullback can be called again, and is linear
    out, tangent = jvp(f, (x,), (v,))
    np.testing.assert_allclose(tangent, np.tensordot(jac, v, 2), **FD)


def test_jvp_on_numbers_and_on_several_arguments():
    assert jvp(lambda x: x**3, (2.0,), (1.0,)) == (8.0, 12.0)
    out, tangent = jvp(lambda x, y: x * y.sin(), (2.0, 0.5), (0.1, -1.0))
    assert tangent == pytest.approx(0.1 * math.sin(0.5) - 2.0 * math.cos(0.5))


@given(x=floats(-2.0, 2.0))
def test_elementwise_grad_is_the_derivative_at_every_element(x):
    xs = np.array([x, x / 2, -x])
    np.testing.assert_allclose(elementwise_grad(lambda t: t.tanh())(xs), 1 - np.tanh(xs) ** 2, rtol=1e-12)
    assert elementwise_grad(lambda v: v.tanh())(x) == pytest.approx(1 - math.tanh(x) ** 2, rel=1e-12)


def test_a_function_that_ignores_its_argument_has_zero_derivatives():
    x = np.ones(3)
    np.testing.assert_array_equal(jacobian(lambda x: np.arange(2.0))(x), np.zeros((2, 3)))
    np.testing.assert_array_equal(jvp(lambda x: Tensor(np.ones(2)), (x,), (x,))[1], np.zeros(2))
    assert vjp(lambda x: 5.0, 1.0)[1](1.0) == (0.0,)
    assert hvp(lambda x: 2.0 * x, 1.0, 1.0) == 0.0


# ---- nesting, plain results, purity ----


def test_transforms_nest_in_each_other():
    f = lambda x: (x * x * x).sum()  # noqa: E731
    x = np.array([1.0, -2.0])
    third = jacobian(hessian(f))(x)  # d3/dxi dxj dxk: 6 where i = j = k
    np.testing.assert_array_equal(third, 6 * np.eye(2)[:, :, None] * np.eye(2)[None])
    # d/dx of the directional derivative along v = the Hessian times v
    v = np.array([0.5, 1.0])
    np.testing.assert_allclose(jacobian(lambda x: jvp(grad(f), (x,), (v,))[1])(x), third @ v, rtol=1e-14)
    assert grad(lambda x: jvp(lambda y: y**3, (x,), (1.0,))[1])(2.0) == 12.0
    assert grad(lambda x: vjp(lambda y: x * y * y, 3.0)[1](1.0)[0])(2.0) == 6.0


def test_an_inner_transform_differentiates_its_own_argument_not_the_node_it_was_given():
    # x is both the inner function's argument and a variable it closes over: d/dy (x * y) is x, not 2x
    assert grad(lambda x: grad(lambda y: y * x)(x))(3.0) == 1.0
    assert grad(lambda x: x * grad(lambda y: x + y)(x))(3.0) == 1.0
    np.testing.assert_array_equal(jacobian(lambda x: jacobian(lambda y: x * y)(x))(np.array([3.0])), [[[1.0]]])
    # one node given as two arguments: each gets its own partial derivative, as two arrays do
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    for pair in (
        grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(w, w),
        grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(w.data, w.data),
    ):
        for g in pair:
            np.testing.assert_array_equal(getattr(g, "data", g), [1.0, 2.0])


def test_results_are_plain_at_the_top_level_and_nodes_when_given_nodes():
    assert type(jacobian(lambda x: x * x)(2.0)) is float and type(hvp(lambda x: x**3, 1.0, 1.0)) is float
    assert type(jacobian(lambda x: x * x)(np.ones(2))) is np.ndarray
    v = Value(2.0)
    assert isinstance(jacobian(lambda x: x * x)(v), Value) and v.grad == 0.0
    t = Tensor(np.ones(2), requires_grad=True)
    jac = jacobian(lambda x: x * x)(t)
    assert isinstance(jac, Tensor) and jac.requires_grad and t.grad is None


def test_results_come_in_the_dtype_of_their_argument():
    x = np.array([1.0, 2.0], dtype=np.float32)
    assert jacobian(lambda x: x.exp())(x).dtype == np.float32
    assert hvp(lambda x: (x * x * x).sum(), x, np.ones(2, np.float32)).dtype == np.float32
    np.testing.assert_allclose(jvp(lambda x: x.exp(), (x,), (np.ones(2, np.float32),))[1], np.exp(x), rtol=1e-6)


def test_transforms_trace_inside_no_grad():
    with no_grad():
        assert jvp(lambda x: x * x, (3.0,), (1.0,)) == (9.0, 6.0)
        np.testing.assert_array_equal(hessian(lambda x: (x * x).sum())(np.ones(2)), 2 * np.eye(2))
        t = Tensor(np.array([1.0, 3.0]), requires_grad=True)  # a node given: its new node records too (not 0),
        np.testing.assert_array_equal(grad(lambda y: (y * y).sum())(t), [2.0, 6.0])  # the answer data (no graph)


# ---- bad input: one clear error ----


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: grad(lambda a: a, argnums=2)(1.0), IndexError, "argnums=2 but the function was called with 1"),
        (lambda: grad(lambda a: a, argnums="0"), TypeError, "argnums must be an int or a non-empty tuple"),
        (lambda: grad(lambda a: a, argnums=()), TypeError, "argnums must be an int or a non-empty tuple"),
        (lambda: grad(lambda a, b: a, argnums=(0, -2))(1.0, 2.0), ValueError, "names an argument twice"),
        (lambda: grad(lambda x: x * np.ones(2))(1.0), ShapeError, r"one number, got shape \(2,\)"),
        (lambda: grad(lambda x: (x, x))(1.0), TypeError, "one number, got 2 in a tuple"),
        (lambda: grad(lambda x: x, has_aux=True)(1.0), TypeError, "must return a pair .output, aux., got a Value$"),
        (
            lambda: grad(lambda x: "x")(1.0),
            TypeError,
            r"must return real numbers \(a number, Value or Tensor\), got str",
        ),
        (lambda: grad(lambda x: np.complex128(1j))(1.0), TypeError, "got complex128 of dtype complex128"),
        (lambda: grad(lambda x: x > 0)(1.0), TypeError, "must return real numbers .* got bool"),
        (lambda: grad(lambda s: 1.0)("a"), TypeError, "cannot differentiate with respect to str 'a'"),
        (lambda: grad(lambda s: 1.0)(np.arange(3)), TypeError, "an array of dtype int64"),
        (lambda: vjp(lambda x: x), TypeError, r"vjp\(f, x, ...\)"),
        (lambda: vjp(lambda x: x * 2, np.ones(2))[1](np.ones(3)), ShapeError, r"shape \(3,\).*shape \(2,\)"),
        (lambda: vjp(lambda x: (x, x), 1.0)[1](1.0), ValueError, "structure of the output: at the top a tuple of 2"),
        (lambda: jvp(lambda x: x, 1.0, 1.0), TypeError, "primals and tangents must be tuples"),
        (lambda: jvp(lambda x: x * x, (2.0,), ("1",)), TypeError, "leaf 0 of the tangents is str '1'; give real"),
        (lambda: jvp(lambda x: x * x, (2.0,), (1j,)), TypeError, "leaf 0 of the tangents is complex 1j"),
        (lambda: vjp(lambda x: x * x, 2.0)[1](None), TypeError, "leaf 0 of the cotangent is NoneType None"),
        (lambda: hvp(lambda x: (x * x).sum(), np.ones(2), np.ones(3)), ShapeError, "vector v has shape"),
    ],
)
def test_bad_input_gets_one_error_naming_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_trees_beside_their_primals_are_paired_by_key_and_refused_where_their_structure_differs():
    """Tangents, a cotangent or hvp's v given with a dict's keys in another order were paired with the
    primals' leaves by place: two leaves of one shape swapped, silently (jvp gave 10 for 2); another
    structure of as many leaves (other keys, a tuple for a dict) was taken too. torch.func refuses
    another structure; JAX pairs dict entries by key, as this does."""
    both = {"a": np.ones(1), "b": np.ones(1)}
    _, tangent = jvp(lambda p: p["a"] * 2.0 + p["b"] * 10.0, (both,), ({"b": np.zeros(1), "a": np.ones(1)},))
    np.testing.assert_array_equal(tangent, [2.0])
    hv = hvp(lambda p: (p["a"] ** 2).sum() + 10 * (p["b"] ** 2).sum(), both, {"b": np.zeros(1), "a": np.ones(1)})
    assert hv["a"].tolist() == [2.0] and hv["b"].tolist() == [0.0]
    _, pullback = vjp(lambda x: {"a": 2 * x, "b": 10 * x}, np.ones(1))
    np.testing.assert_array_equal(pullback({"b": np.zeros(1), "a": np.ones(1)})[0], [2.0])
    with pytest.raises(ValueError, match=r"jvp: the tangents must have the structure of the primals: at \[0\] the"):
        jvp(lambda p: p["a"] + p["b"], (both,), ({"x": np.zeros(1), "y": np.ones(1)},))
    with pytest.raises(ValueError, match=r"at \[0\] a dict \(keys \['a', 'b'\]\) was expected, got tuple"):
        jvp(lambda p: p["a"] + p["b"], (both,), ((np.zeros(1), np.ones(1)),))
    with pytest.raises(ValueError, match="hvp: the vector v must have the structure of x: at the top one leaf"):
        hvp(lambda x: (x**2).sum(), np.ones(2), (np.ones(2),))
    with pytest.raises(ValueError, match="vjp: the cotangent must have the structure of the output"):
        pullback([np.ones(1), np.ones(1)])


def test_jvp_gives_an_integer_output_a_tangent_of_zeros_as_torch_func():
    """It was refused by a message about vjp and arguments never passed (argmax's output, an int)."""
    (doubled, index), (tangent, zero) = jvp(lambda x: (x * 2, x.argmax()), (np.ones(2),), (np.ones(2),))
    assert index == 0 and zero.shape == () and zero == 0 and tangent.tolist() == [2.0, 2.0]
    (_, mask), (_, zeros) = jvp(lambda x: (x * 2, x > 0), (np.ones(2),), (np.ones(2),))  # a mask too
    assert mask.tolist() == [True, True] and zeros.tolist() == [0.0, 0.0]
    with pytest.raises(TypeError, match="jvp: the function must return real numbers"):
        jvp(lambda x: "text", (np.ones(2),), (np.ones(2),))


def test_argnums_beyond_the_positional_arguments_says_keywords_are_never_differentiated():
    with pytest.raises(IndexError, match="called with 1 positional arguments .keyword arguments are never"):
        grad(lambda x, y: x * y, argnums=1)(1.0, y=2.0)
