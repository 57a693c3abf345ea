"""autograd.vmap: f mapped over an axis of its arguments is the stack of f at each index (in_axes, out_axes,
trees, negative axes, keywords unmapped), nests with itself and with grad both ways, and refuses what it
cannot do right with an error of the right type that names the fix. Against torch.func.vmap:
tests/test_torch_reference_vmap.py; properties over drawn expressions: tests/test_transforms_vmap_properties.py."""

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, grad, hessian, jacobian, randn, value_and_grad, vmap
from autograd.tensor_ops import ShapeError

RNG = np.random.default_rng(7)
X = RNG.normal(size=(3, 4))
W = RNG.normal(size=(4, 2))


def loop(f, *args, axis=0):
    """What vmap(f) stands for: f at each index of axis 0 of every argument, stacked along `axis`."""
    return np.stack([f(*(a[i] for a in args)) for i in range(len(args[0]))], axis=axis)


def test_maps_axis_0_of_every_argument_and_stacks_the_results():
    f = lambda x, w: (x @ w).tanh() if isinstance(x, Tensor) else np.tanh(x @ w)
    ws = RNG.normal(size=(3, 4, 2))
    np.testing.assert_array_equal(vmap(f)(X, ws), loop(f, X, ws))


def test_in_axes_int_none_negative_and_per_argument():
    f = lambda x, w: x @ w
    rows = np.stack([r @ W for r in X])  # (X @ W itself may round otherwise: a matrix product, not rows')
    np.testing.assert_array_equal(vmap(f, in_axes=(0, None))(X, W), rows)
    np.testing.assert_array_equal(vmap(f, in_axes=(1, None))(X.T.copy(), W), rows)
    np.testing.assert_array_equal(vmap(f, in_axes=(-1, None))(X.T.copy(), W), rows)
    np.testing.assert_array_equal(vmap(f, in_axes=[0, None])(X, W), rows)  # a list as a tuple (JAX's)
    np.testing.assert_array_equal(vmap(f, in_dims=(0, None))(X, W), rows)  # torch.func's name


def test_in_axes_is_a_prefix_of_tree_arguments():
    params = {"w": W, "b": RNG.normal(size=(3, 2))}  # b mapped, w shared
    f = lambda p, x: x @ p["w"] + p["b"]
    got = vmap(f, in_axes=({"w": None, "b": 0}, 0))(params, X)
    np.testing.assert_array_equal(got, np.stack([r @ W + b for r, b in zip(X, params["b"])]))
    pair = (X, X * 2)  # an int for a tuple argument maps each of its arrays
    np.testing.assert_array_equal(vmap(lambda p: p[0] - p[1])(pair), -X)


def test_out_axes_int_negative_tree_and_none():
    x3 = RNG.normal(size=(3, 4, 5))
    np.testing.assert_array_equal(vmap(lambda a: a * 2, out_axes=1)(x3), np.moveaxis(x3 * 2, 0, 1))
    np.testing.assert_array_equal(vmap(lambda a: a * 2, out_axes=-1)(x3), np.moveaxis(x3 * 2, 0, -1))
    a, s = vmap(lambda r: (r, {"s": r.sum()}), out_axes=(1, {"s": 0}))(X)
    np.testing.assert_array_equal(a, X.T)
    np.testing.assert_array_equal(s["s"], X.sum(axis=1))
    shared = vmap(lambda r, w: (r @ w, w), out_axes=(0, None), in_axes=(0, None))(X, W)
    assert shared[1] is W
    assert vmap(lambda r: (r, np.arange(3)), out_axes=(0, None))(X)[1].tolist() == [0, 1, 2]  # integers: no NaN


def test_keyword_arguments_are_not_mapped():
    got = vmap(lambda x, *, scale: x * scale)(X, scale=np.arange(4.0))
    np.testing.assert_array_equal(got, X * np.arange(4.0))


def test_numbers_and_0_d_outputs_stack_into_an_array():
    np.testing.assert_array_equal(vmap(lambda r: 1.5)(X), [1.5, 1.5, 1.5])
    np.testing.assert_array_equal(vmap(lambda r: r.sum())(X), X.sum(axis=1))
    assert vmap(lambda r: np.float32(r[0]))(X).dtype == np.float32
    assert vmap(lambda r: np.array(r.sum()))(X).shape == (3,)


def test_each_index_gets_an_array_of_its_own():
    x = X.copy()

    def writes(r):
        r[0] = 100.0
        return r.sum()

    vmap(writes)(x)
    np.testing.assert_array_equal(x, X)


def test_an_argument_with_nothing_mapped_is_passed_as_given():
    seen, model = [], nn.Linear(2, 1)
    f = lambda x, seen, m: seen.append(m) or x.sum()
    vmap(f, in_axes=(0, None, None))(X, seen, model)
    assert len(seen) == 3 and all(m is model for m in seen)  # the caller's list, not a copy of it


def test_nested_vmap_is_the_double_loop():
    x3 = RNG.normal(size=(2, 3, 4))
    f = lambda v: np.sin(v) * v.sum()
    np.testing.assert_array_equal(vmap(vmap(f))(x3), np.stack([np.stack([f(v) for v in m]) for m in x3]))
    np.testing.assert_array_equal(
        vmap(vmap(f), in_axes=1)(x3), np.stack([np.stack([f(v) for v in m]) for m in x3.swapaxes(0, 1)])
    )


def loss(w, x, y):
    return ((x @ w).tanh().sum() - y) ** 2


def test_vmap_of_grad_gives_per_sample_gradients():
    w, y = RNG.normal(size=4), RNG.normal(size=3)
    got = vmap(grad(loss), in_axes=(None, 0, 0))(w, X, y)
    np.testing.assert_array_equal(got, np.stack([grad(loss)(w, X[i], y[i]) for i in range(3)]))


def test_grad_of_vmap_differentiates_through_the_stack():
    w, y = RNG.normal(size=4), RNG.normal(size=3)
    total = lambda w: vmap(loss, in_axes=(None, 0, 0))(w, X, y).sum()
    expected = sum(grad(loss)(w, X[i], y[i]) for i in range(3))
    np.testing.assert_allclose(grad(total)(w), expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(hessian(total)(w), sum(hessian(loss)(w, X[i], y[i]) for i in range(3)), rtol=1e-12)


def test_grad_of_vmap_over_a_number_argument_shared_by_every_index():
    # s is traced as a Value, meets the arrays, and grad runs f again with it as a 0-d Tensor
    assert grad(lambda s: vmap(lambda r, s: r * s, in_axes=(0, None))(X, s).sum())(1.5) == pytest.approx(X.sum())
    assert grad(lambda s: vmap(lambda r, s: s * 2, in_axes=(0, None))(X, s).sum())(1.5) == 6.0  # Values stacked


def test_has_aux_outputs_are_mapped_too():
    f = lambda r: ((r**2).sum(), r.max())
    (values, peaks), g = vmap(value_and_grad(f, has_aux=True))(X)
    np.testing.assert_array_equal(values, (X**2).sum(axis=1))
    np.testing.assert_array_equal(peaks, X.max(axis=1))
    np.testing.assert_array_equal(g, 2 * X)
    gradient, aux = vmap(grad(f, has_aux=True))(X)
    np.testing.assert_array_equal(gradient, 2 * X)
    np.testing.assert_array_equal(aux, X.max(axis=1))


def test_vmap_of_jacobian_is_a_batch_of_jacobians():
    got = vmap(jacobian(lambda r: r.sin()))(X)
    np.testing.assert_array_equal(got, np.stack([np.diag(np.cos(r)) for r in X]))


def test_jacobian_of_vmap_is_block_diagonal():
    got = jacobian(vmap(lambda r: r.sin()))(X)
    np.testing.assert_array_equal(got.reshape(12, 12), np.diag(np.cos(X).ravel()))


def test_an_ensemble_of_models_by_functional_call():
    model = nn.Linear(4, 2)
    params = dict(model.named_parameters())
    stacked = {k: Tensor(np.stack([p.data + i for i in range(5)])) for k, p in params.items()}
    got = vmap(lambda p, x: nn.functional_call(model, p, (x,)), in_axes=(0, None))(stacked, Tensor(X))
    assert got.shape == (5, 3, 2)
    for i in range(5):
        np.testing.assert_array_equal(
            got.data[i], nn.functional_call(model, {k: v[i] for k, v in stacked.items()}, (Tensor(X),)).data
        )


def test_tensors_in_give_a_tensor_out_and_backward_reaches_them():
    t = Tensor(X, requires_grad=True)
    out = vmap(lambda r: r.exp())(t)
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, np.exp(X))


def test_chunk_size_is_accepted_and_changes_nothing():
    np.testing.assert_array_equal(vmap(np.sin, chunk_size=2)(X), np.sin(X))


# ---- refusals: the type, and words naming the problem and the fix ----


def test_mapped_axes_of_different_sizes_name_each_argument_and_its_size():
    with pytest.raises(ShapeError, match=r"x has size 3 along axis 0; w\['b'\] has size 5 along axis 1"):
        vmap(lambda x, w: x, in_axes=(0, 1))(X, {"b": np.zeros((2, 5))})
    assert issubclass(ShapeError, ValueError)  # JAX's and torch.func's type


def test_an_axis_out_of_range_is_an_axis_error():
    with pytest.raises(np.exceptions.AxisError, match=r"in_axes 2 for r of shape \(3, 4\): .* from -2 to 1"):
        vmap(lambda r: r, in_axes=2)(X)
    with pytest.raises(ValueError, match="out_axes 2 for output of shape"):  # AxisError is a ValueError, as JAX's
        vmap(lambda r: r, out_axes=2)(X)
    with pytest.raises(IndexError, match="from -2 to 1"):  # and an IndexError, as torch's for out_dims
        vmap(lambda r: r, out_axes=-3)(X)


def test_a_number_has_no_axis_to_map():
    with pytest.raises(ValueError, match="s, a number or 0-d array: it has no axis to map; give it in_axes None"):
        vmap(lambda r, s: r * s)(X, 2.0)
    with pytest.raises(ValueError, match=r"xs\[0\], .* np.array\(...\) of it maps over them"):
        vmap(lambda xs: xs)([1.0, 2.0])
    with pytest.raises(TypeError, match="only arrays and Tensors are mapped; give it in_axes None"):
        vmap(lambda r, name: r)(X, "text")


def test_in_axes_not_matching_the_arguments():
    with pytest.raises(ValueError, match="in_axes has 1 entry but the function was called with 2 positional"):
        vmap(lambda a, b: a, in_axes=(0,))(X, X)
    with pytest.raises(ValueError, match=r"argument p does not match .* keys \['w', 'c'\] was given for keys"):
        vmap(lambda p: p["w"], in_axes=({"w": 0, "c": None},))({"w": X, "b": X})
    with pytest.raises(ValueError, match="a tuple of 2 was given for one leaf"):
        vmap(lambda p: p, in_axes=((0, 1),))(X)
    with pytest.raises(ValueError, match="no argument is mapped"):
        vmap(lambda a: a, in_axes=None)(X)
    with pytest.raises(ValueError, match="no positional arguments"):
        vmap(lambda: 1.0)()


def test_axes_that_are_no_ints_are_refused_when_vmap_is_made():
    for bad in (0.0, True, "0", {"a": 0}):
        with pytest.raises(TypeError, match="in_axes"):
            vmap(np.sin, in_axes=bad)
    with pytest.raises(TypeError, match="out_axes holds float"):
        vmap(np.sin, out_axes=(0, 1.0))
    with pytest.raises(TypeError, match="both in_axes .* and in_dims"):
        vmap(np.sin, in_axes=1, in_dims=0)
    with pytest.raises(TypeError, match="must be a function"):
        vmap(None)


def test_a_size_0_axis_is_refused():
    # JAX and torch.func return empty results (f runs once on the whole empty batch); a loop never runs f
    with pytest.raises(ValueError, match="size 0 .* f would never run, so the shape of its output is unknown"):
        vmap(lambda r: r.sum())(np.zeros((0, 4)))


def test_outputs_that_are_not_array_like_are_refused():
    for bad, shown in (("text", "str"), (None, "NoneType"), (np.array([object()]), "dtype object")):
        with pytest.raises(TypeError, match=f"f returned output as .*{shown}.*vmap stacks numbers"):
            vmap(lambda r, bad=bad: bad)(X)
    with pytest.raises(TypeError, match=r"output\[1\]\['k'\] as str"):
        vmap(lambda r: (r, {"k": "text"}))(X)


def test_outputs_that_differ_in_shape_or_structure_between_indices():
    with pytest.raises(ShapeError, match=r"shape \(\d,\) at index 0 but \(\d,\) at index"):
        vmap(lambda r: r[r > 0])(np.array([[1.0, -1.0], [1.0, 1.0]]))
    with pytest.raises(ValueError, match="different structures at index 0 and index 1"):
        vmap(lambda r: (r,) if r[0] > 0 else [r])(np.array([[1.0], [-1.0]]))
    with pytest.raises(ValueError, match=r"a dict of output\['a'\]; a dict of output\['b'\]"):
        vmap(lambda r: {"a": r} if r[0] > 0 else {"b": r})(np.array([[1.0], [-1.0]]))


def test_out_axes_not_matching_the_output():
    with pytest.raises(ValueError, match="out_axes does not match .* a tuple of 1 was given for a tuple of 2"):
        vmap(lambda r: (r, r), out_axes=(0,))(X)
    with pytest.raises(ValueError, match="out_axes is None for output, but f returned different values"):
        vmap(lambda r: r, out_axes=None)(X)


def test_out_axes_none_refuses_an_output_that_depends_on_the_mapped_argument():
    # equal at every index, yet its gradient is 1 at each: returning the first index's would drop the others'
    with pytest.raises(ValueError, match="depends on a mapped argument"):
        grad(lambda x: vmap(lambda r: (r - r.detach()).sum(), out_axes=None)(x))(X)


def test_values_cannot_be_stacked():
    v = Value(2.0) * 1  # a micrograd graph's node
    with pytest.raises(TypeError, match="as a Value .* cannot stack into a Tensor .* or loop over the batch"):
        vmap(lambda r, v: v * 2, in_axes=(0, None))(X, v)


# ---- randomness: torch.func's 'error' by default, 'different' on request, 'same' refused ----


def test_random_draws_are_refused_by_default():
    with pytest.raises(RuntimeError, match="randomness='different' .* in_axes None"):
        vmap(lambda r: r + randn(4, dtype=np.float64))(X)
    with pytest.raises(RuntimeError, match="drew random numbers"):  # inside grad too
        grad(lambda x: vmap(lambda r: (r * randn(4, dtype=np.float64)).sum())(x).sum())(X)


def test_a_dropout_mask_is_a_draw():
    layer = nn.Dropout(0.5)
    with pytest.raises(RuntimeError, match="drew random numbers"):
        vmap(lambda r: layer(Tensor(r)))(X)
    layer.eval()
    np.testing.assert_array_equal(raw(vmap(lambda r: layer(Tensor(r)))(X)), X)


def test_randomness_different_draws_at_each_index():
    got = vmap(lambda r: randn(5, dtype=np.float64) + 0 * r.sum(), randomness="different")(X)
    assert got.shape == (3, 5)
    assert len({tuple(row) for row in np.asarray(raw(got))}) == 3


def test_randomness_same_and_unknown_are_refused():
    with pytest.raises(ValueError, match="randomness='same' is not supported: .* in_axes None"):
        vmap(np.sin, randomness="same")
    with pytest.raises(ValueError, match="'error' or 'different'"):
        vmap(np.sin, randomness="other")
    for bad, kind in ((0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)):
        with pytest.raises(kind, match="chunk_size is None or a positive int"):
            vmap(np.sin, chunk_size=bad)


def raw(x):
    return x.data if isinstance(x, Tensor) else x
