"""autograd.vmap at its edges: torch.func's names (in_dims, out_dims) given None mean what torch means by them;
each index's notes of what f changed are freed with its run."""

import gc
import inspect
import warnings
import weakref

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, randn, vmap
from autograd.tensor_versions import DREW

X = np.random.default_rng(3).normal(size=(3, 2))


def test_out_dims_none_is_a_shared_output_as_torch_s():
    # torch.func.vmap(lambda a: torch.ones(2), out_dims=None)(x).shape == (2,); out_dims=None was taken for "not
    # given" and the output stacked to (3, 2)
    assert vmap(lambda r: np.ones(2), out_dims=None)(X).shape == (2,)
    with pytest.raises(ValueError, match="out_axes is None for output, but f returned different values"):
        vmap(lambda r: r, out_dims=None)(X)


def test_in_dims_none_maps_nothing_and_is_refused():
    # torch refuses in_dims=None (a ValueError); it was taken for "not given" and axis 0 mapped
    with pytest.raises(ValueError, match="no argument is mapped"):
        vmap(lambda r: r, in_dims=None)(X)
    with pytest.raises(TypeError, match="both out_axes .* and out_dims"):
        vmap(np.sin, out_axes=None, out_dims=None)


def test_in_axes_0_given_beside_in_dims_is_refused_too():
    # vmap(f, 0, in_dims=1) quietly mapped axis 1: a 0 given could not be told from the default
    for made in (lambda: vmap(np.sin, 0, in_dims=1), lambda: vmap(np.sin, out_axes=0, out_dims=1)):
        with pytest.raises(TypeError, match="got both"):
            made()
    assert vmap(lambda r: r, in_dims=1)(X).shape == (2, 3)  # the default beside in_dims: in_dims
    assert repr(inspect.signature(vmap).parameters["in_axes"].default) == "0"


def test_the_notes_of_each_index_run_are_freed_with_it():
    # each index's notes held weak references whose callbacks held the notes: a cycle left to the garbage collector,
    # one per index, each a weak reference on DREW (a draw) until it ran; now cleared as tracing.trace clears its own
    gc.collect()
    gc.disable()
    try:
        before = weakref.getweakrefcount(DREW)
        vmap(lambda r: r + randn(2, dtype=np.float64), randomness="different")(X)
        assert weakref.getweakrefcount(DREW) == before
    finally:
        gc.enable()


def test_a_tensor_every_index_shares_changed_in_place_is_refused():
    # f's `w += 1` ran once per index: w ended at 3 and the rows at 1, 2, 3 added, where torch.func.vmap's one call on
    # the batch adds 1 once (rows + 1, w == 1)
    w = Tensor(np.zeros(2))

    def f(r, w):
        w += 1.0
        return r + w

    with pytest.raises(RuntimeError, match=r"changed in place .* shape \(2,\) .* once per index, .* outside vmap"):
        vmap(f, in_axes=(0, None))(Tensor(X), w)


def test_a_batchnorm_in_training_is_refused_as_torch_refuses_it():
    # its running statistics moved once per index (3 momentum steps from single rows' statistics); torch.func.vmap
    # refuses a BatchNorm updating its running statistics in place
    layer, batch = nn.BatchNorm1d(2), Tensor(np.random.default_rng(0).normal(size=(3, 4, 2)))
    with pytest.raises(RuntimeError, match="changed in place .* running statistics"):
        vmap(layer)(batch)
    layer.eval()  # no update: each index normalised with the running statistics, as the loop
    expected = np.stack([layer(batch[i]).data for i in range(3)])
    np.testing.assert_array_equal(vmap(layer)(batch).data, expected)


def test_writes_into_the_index_s_own_slice_or_f_s_own_tensors_are_allowed():
    t = Tensor(X.copy())

    def f(r):
        r[0] = 100.0  # the caller's row: each index writes its own, as torch.func's
        z = Tensor(np.zeros(2))
        z[1] = 5.0  # a tensor of f's own, returned
        return z + r

    out = vmap(f)(t)
    np.testing.assert_array_equal(t.data[:, 0], 100.0)
    np.testing.assert_array_equal(out.data, t.data + np.array([0.0, 5.0]))
    x3 = Tensor(np.zeros((2, 3, 2)))
    vmap(vmap(lambda v: v.__setitem__(0, 1.0) or v.sum()))(x3)  # nested: each index's own entry
    np.testing.assert_array_equal(x3.data[..., 0], 1.0)


def test_out_axes_none_refuses_an_output_that_depends_on_a_mapped_argument_at_any_index():
    # only the last index's output was looked at: here index 0's is t[0, 1] (1.0, as the others' constant), the one
    # returned, and backward sent 1.0 to t[0, 1] through an output said to be shared (JAX refuses a mapped output)
    t = Tensor(np.array([[5.0, 1.0], [-1.0, 0.0], [-2.0, 0.0]]), requires_grad=True)
    f = lambda r: r[1] if r.data[0] > 0 else Tensor(1.0)
    with pytest.raises(ValueError, match="out_axes is None for output, but it depends on a mapped argument"):
        vmap(f, out_axes=None)(t)


def test_a_compiled_step_s_replayed_draw_is_a_draw_too():
    # a replay redrew the dropout mask without a word to the transform running it: vmap's randomness='error' let
    # each index draw its own (rows [2, 2, 2, 2], [0, 0, 2, 2], ...), where the same step run eagerly is refused
    layer = nn.Dropout(0.5)
    step = autograd.compile(lambda r: layer(r) * 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(4):  # recorded, then replayed
            step(Tensor(np.ones(4)))
        with pytest.raises(RuntimeError, match="drew random numbers"):
            vmap(step)(Tensor(np.ones((3, 4))))
        assert vmap(step, randomness="different")(Tensor(np.ones((3, 4)))).shape == (3, 4)
