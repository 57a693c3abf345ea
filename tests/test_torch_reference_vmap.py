"""autograd.vmap against torch.func.vmap on float64 inputs: values for in_axes and out_axes of each kind, and
per-sample gradients of a small MLP (vmap of grad) against a loop of torch's autograd, sample by sample, to
1e-12. Comparison: tests/torch_reference.py's assert_close, and the 1e-12 stated here."""

import numpy as np
import pytest
from torch_reference import assert_close, torch  # without torch: skipped

from autograd import Tensor, grad, vmap

tf = torch.func
F64 = np.float64
# torch.func's transforms call torch.jit.script inside torch 2.13, which warns that it is deprecated
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
RNG = np.random.default_rng(3)


def both(f, in_axes, out_axes, *args):
    """vmap(f) and torch.func.vmap(f), each on the arrays as its own float64 tensors, compared leaf by leaf."""
    ours = vmap(f, in_axes, out_axes)(*(Tensor(a) for a in args))
    theirs = tf.vmap(f, in_axes, out_axes)(*(torch.tensor(a) for a in args))
    ours, theirs = (ours, theirs) if isinstance(theirs, tuple) else ((ours,), (theirs,))
    assert len(ours) == len(theirs)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert_close(f"output {k}", a.data if isinstance(a, Tensor) else a, b.numpy(), F64)


CASES = {  # f on Tensors of either engine, with the operators and methods both have
    "elementwise": (lambda x: (x.sin() * x).exp(), (0,), 0, [(3, 4)]),
    "reduction, axis 1": (lambda x: x.sum(0) * x.max(), (1,), 0, [(4, 3)]),
    "matmul, shared matrix": (lambda x, w: (x @ w).tanh(), (0, None), 0, [(5, 3), (3, 2)]),
    "batched matrices, negative axes": (lambda a, b: a @ b, (-1, 0), -1, [(2, 3, 4), (4, 3, 2)]),
    "two outputs, out_axes per output": (lambda x: (x * 2, x.sum()), (0,), (1, 0), [(3, 4)]),
}


@pytest.mark.parametrize("name", CASES)
def test_values_match_torch_func_vmap(name):
    f, in_axes, out_axes, shapes = CASES[name]
    both(f, in_axes, out_axes, *(RNG.normal(size=s) for s in shapes))


def test_nested_vmap_matches_torch():
    f = lambda x, y: (x * y).sum()
    x, y = RNG.normal(size=(3, 5)), RNG.normal(size=(4, 5))
    ours = vmap(vmap(f, in_axes=(None, 0)), in_axes=(0, None))(x, y)  # all pairs: a (3, 4) table
    theirs = tf.vmap(tf.vmap(f, in_dims=(None, 0)), in_dims=(0, None))(torch.tensor(x), torch.tensor(y))
    assert_close("pairs", ours, theirs.numpy(), F64)


def mlp_loss(params, x, y):
    """A 3-5-1 tanh network's squared error on one sample, on Tensors of either engine."""
    hidden = (x @ params["W1"] + params["b1"]).tanh()
    return (((hidden @ params["W2"] + params["b2"]) - y) ** 2).sum()


def test_per_sample_gradients_of_an_mlp_match_a_loop_of_torch_autograd_to_1e_12():
    params = {"W1": RNG.normal(size=(3, 5)), "b1": RNG.normal(size=5), "W2": RNG.normal(size=(5, 1)), "b2": np.zeros(1)}
    xs, ys = RNG.normal(size=(8, 3)), RNG.normal(size=(8, 1))
    ours = vmap(grad(mlp_loss), in_axes=(None, 0, 0))(params, xs, ys)
    for i in range(len(xs)):
        tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        loss = mlp_loss(tp, torch.tensor(xs[i]), torch.tensor(ys[i]))
        for name, g in zip(tp, torch.autograd.grad(loss, list(tp.values()))):
            np.testing.assert_allclose(ours[name][i], g.numpy(), rtol=1e-12, atol=1e-12, err_msg=f"{name}, sample {i}")
    theirs = tf.vmap(tf.grad(mlp_loss), in_dims=(None, 0, 0))(
        {k: torch.tensor(v) for k, v in params.items()}, torch.tensor(xs), torch.tensor(ys)
    )
    for name in params:
        assert_close(name, ours[name], theirs[name].numpy(), F64)


def test_gradient_through_vmap_matches_torch():
    w, xs = RNG.normal(size=(3, 2)), RNG.normal(size=(6, 3))
    f = lambda w: vmap(lambda x, w: (x @ w).tanh().sum(), in_axes=(0, None))(xs, w).sum()
    tw = torch.tensor(w)
    theirs = tf.grad(
        lambda w: tf.vmap(lambda x, w: (x @ w).tanh().sum(), in_dims=(0, None))(torch.tensor(xs), w).sum()
    )(tw)
    assert_close("grad of vmap", grad(f)(w), theirs.numpy(), F64)
