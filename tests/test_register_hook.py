"""Tensor.register_hook, PyTorch's: a hook sees a tensor's summed gradient in every backward pass and
may replace it (downstream, and in a leaf's .grad); against torch in both dtypes, through
create_graph, the transforms, retain_grad, compile, and its handle."""

import copy
import pickle
import warnings
import weakref

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

import autograd
import nn
from autograd import ShapeError, Tensor, has_hooks
from autograd.graph import HOOKS

X = np.array([[0.5, -1.25, 2.0], [3.0, -0.75, 1.5]])


def _hooked(hook):
    """f(t) = sin(h) * h with h = 2t, a hook on h and one on t (differentiable leaves in check())."""

    def f(t):
        t.register_hook(lambda g: g * 1.5)
        h = t * 2
        h.register_hook(hook)
        return h.sin() * h

    return f


HOOKS_ON_H = {
    "scale": lambda g: g * 3,
    "nonlinear in g": lambda g: g * g,  # its second derivative goes through the hook's own ops
    "observer": lambda g: None,
    "clamp": lambda g: g.clamp(-1.0, 1.0),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", HOOKS_ON_H)
def test_hooks_on_a_leaf_and_an_intermediate_give_torchs_gradients_and_second_derivatives(name, dtype):
    f = _hooked(HOOKS_ON_H[name])
    check(f, f, [X], dtype)  # the same code runs on both (g.clamp, g * g)


def test_backward_gives_torchs_grad_with_hooks_chained_on_the_root_an_intermediate_and_a_leaf():
    def run(make):
        x = make(X)
        x.register_hook(lambda g: g * 10)
        x.register_hook(lambda g: g + 1)  # given what the first returned
        h = x * 3
        h.retain_grad()  # keeps the gradient after its hooks, as PyTorch's
        h.register_hook(lambda g: g * h.detach())
        y = (h * h).sum()
        y.register_hook(lambda g: g * 0.5)
        y.backward()
        return x.grad, h.grad

    ours = run(lambda a: Tensor(a.copy(), requires_grad=True))
    theirs = run(lambda a: torch.tensor(a, requires_grad=True))
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b.numpy())


def test_under_create_graph_the_hook_gets_the_gradient_as_a_node():
    seen = []
    x = Tensor(X.copy(), requires_grad=True)
    h = x * 3
    h.register_hook(lambda g: seen.append((type(g), g.requires_grad)))
    (g,) = autograd.gradients((h * h).sum(), [x], create_graph=True)
    assert seen == [(Tensor, True)] and g.requires_grad


def test_the_gradient_a_hook_is_given_cannot_be_changed_in_place():
    """PyTorch's documentation forbids it; the hook is given a copy of the pass's array, whose change would reach
    nothing downstream, so it is read-only, named in the error: return a new one."""
    x = Tensor(X.copy(), requires_grad=True)
    h = x * 2
    h.register_hook(lambda g: g.mul_(3))
    with pytest.raises(ValueError, match=r"t\.mul_\(x\): t's data is read-only .*a gradient given to a hook"):
        (h + x).sum().backward()
    assert x.grad is None  # all or nothing: no .grad written


def test_bad_hooks_and_bad_results_are_named():
    x = Tensor(X.copy(), requires_grad=True)
    for hook, error, match in [
        (lambda g: g[0], ShapeError, r"hook '<lambda>' returned a gradient of shape \(3,\) for a tensor of shape"),
        (lambda g: g.astype(np.float32), TypeError, r"hook '<lambda>' returned a gradient of dtype float32"),
        (lambda g: 3.0, TypeError, r"hook '<lambda>' returned float: a hook returns None"),
    ]:
        with x.register_hook(hook):  # removed at the end of the block
            with pytest.raises(error, match=match):
                (x * 2).sum().backward()
    assert x.grad is None and not HOOKS.get(id(x))
    with pytest.raises(TypeError, match="hook must be callable"):
        x.register_hook(None)
    with pytest.raises(RuntimeError, match="register_hook on a tensor that does not require grad"):
        Tensor(X.copy()).register_hook(lambda g: g)
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        torch.tensor(X).register_hook(lambda g: g)


def test_a_hooks_result_and_an_assigned_grad_are_checked_by_one_rule():
    """A gradient of the wrong dtype and shape is refused alike whether a hook returns it or it is assigned
    to .grad: its dtype named first, as PyTorch names an assigned gradient's ("different type"), each in
    the caller's words (a hook's result had its shape named first)."""
    wrong = X[0].astype(np.float32)  # float32 of shape (3,) for a float64 tensor of shape (2, 3)
    x = Tensor(X.copy(), requires_grad=True)
    with x.register_hook(lambda g: wrong):
        with pytest.raises(TypeError, match=r"^the gradient hook '<lambda>' returned a gradient of dtype float32 for a "
                           r"float64 tensor: return one of its dtype \(\.astype\(float64\)\)$"):  # fmt: skip
            (x * 2).sum().backward()
    with pytest.raises(TypeError, match=r"^a gradient of dtype float32 assigned to \.grad of a float64 tensor: give "
                       r"one of its dtype \(\.astype\(float64\)\)$"):  # fmt: skip
        x.grad = wrong
    assert x.grad is None


def test_remove_takes_the_hook_off_and_the_table_lets_freed_tensors_go(collect):
    x = Tensor(X.copy(), requires_grad=True)
    handle = x.register_hook(lambda g: g * 7)
    kept = x.register_hook(lambda g: g + 1)
    handle.remove()
    handle.remove()  # a second time changes nothing, as PyTorch's
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full(X.shape, 3.0))
    h = x * 2
    h.register_hook(lambda g: g)
    held = id(h)
    del h, kept
    collect()
    assert held not in HOOKS and id(x) in HOOKS


def test_the_transforms_run_hooks_as_torch_func_and_jvp_runs_none():
    def f(lib):
        def fn(x):
            h = x * 2
            h.register_hook(lambda g: g * 100)
            return lib.sin(h)

        return fn

    x = X[0].copy()
    grad = autograd.grad(lambda t: f(autograd)(t).sum())(Tensor(x))
    their_grad = torch.func.grad(lambda t: f(torch)(t).sum())(torch.tensor(x))
    np.testing.assert_allclose(grad, their_grad.numpy(), rtol=1e-12)
    jacobian = autograd.jacobian(f(autograd))(Tensor(x))
    np.testing.assert_allclose(jacobian, torch.func.jacrev(f(torch))(torch.tensor(x)).numpy(), rtol=1e-12)
    # forward mode runs no backward hook (torch.func.jvp refuses the registration itself): J v, unhooked
    _, tangent = autograd.jvp(f(autograd), (Tensor(x),), (Tensor(np.ones(3)),))
    np.testing.assert_allclose(tangent, 2 * np.cos(2 * x), rtol=1e-12)


def _training(where):
    """A model trained by SGD with a hook on its weight registered outside the step from the start
    ("outside"), inside the step ("inside"), or outside after three calls, once the step replays ("later")."""
    w = Tensor(np.linspace(-1.0, 1.0, 3), requires_grad=True)
    opt = nn.SGD([w], lr=0.1)
    if where == "outside":
        w.register_hook(lambda g: g.clamp(-0.5, 0.5))

    def step(x):
        opt.zero_grad()
        h = x @ w
        if where == "inside":
            h.register_hook(lambda g: g * 2)
        loss = ((h - 1.0) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    return w, step


@pytest.mark.parametrize("where", ["outside", "inside", "later"])
def test_a_compiled_step_with_a_hook_runs_eagerly_and_gives_eagers_numbers(where):
    (w_eager, eager), (w, step) = _training(where), _training(where)
    compiled = autograd.compile(step)
    rng = np.random.default_rng(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", autograd.CompileWarning)
        for i in range(6):
            if where == "later" and i == 3:
                for weight in (w, w_eager):
                    weight.register_hook(lambda g: g * 0.5)
            x = rng.normal(size=(4, 3))
            np.testing.assert_array_equal(compiled(Tensor(x.copy())).data, eager(Tensor(x.copy())).data)
            np.testing.assert_array_equal(w.data, w_eager.data)
    assert any("gradient hook (register_hook)" in str(c.message) for c in caught)


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_gradient_a_hook_returns_is_copied_into_grad_not_held(create_graph):
    """A hook returning an array the caller holds (or the tensor's own data) made it the leaf's .grad
    itself: scaling .grad in place (clip_grad_norm_'s way) changed the caller's array, or the parameter."""
    kept = np.array([5.0, -5.0])
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    w = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    x.register_hook(lambda g: kept)
    w.register_hook(lambda g: w if create_graph else w.detach())
    (x * w).sum().backward(create_graph=create_graph)
    for t in (x, w):
        (t.grad.data if create_graph else t.grad)[...] *= 10.0
    np.testing.assert_array_equal(kept, [5.0, -5.0])
    np.testing.assert_array_equal(w.data, [3.0, 4.0])
    grads = autograd.gradients((x * w).sum(), [x, w])
    np.testing.assert_array_equal(grads[0], [5.0, -5.0])
    grads[0][...] = 0.0
    np.testing.assert_array_equal(kept, [5.0, -5.0])


def test_a_hook_that_refers_to_its_own_tensor_lets_it_be_freed(collect):
    """The table held each hook by node id, so a hook that refers to its tensor (a pruning mask's
    `lambda g: g * (w != 0)`) kept it alive for good: the collector could not see the cycle, where
    PyTorch's frees it. A copy or pickle of a tensor takes none of its hooks (PyTorch's drops them)."""
    node = Tensor(X.copy(), requires_grad=True)
    node.register_hook(lambda g, node=node: g * (node.data != 0))  # the hook refers to its tensor
    copied, unpickled = copy.deepcopy(node), pickle.loads(pickle.dumps(node, protocol=2))  # noqa: S301
    assert not has_hooks(copied) and not has_hooks(unpickled)
    copied.register_hook(lambda g: g * 10.0)
    (copied * 1.0).sum().backward()
    np.testing.assert_array_equal(copied.grad, np.full(X.shape, 10.0))
    held, freed = id(node), weakref.ref(node)
    del node
    collect()
    assert freed() is None and held not in HOOKS


def test_a_gradient_a_hook_keeps_is_not_changed_by_a_later_in_place_change_of_grad():
    """A hook that keeps what it is given (a gradient logger) was given a view of the pass's array, which became a
    leaf's .grad itself: zeroing .grad in place (zero_grad's way, an optimizer's) zeroed the kept gradient too, for a
    weight's, a same-shape input's, the input of a hooked sum (add's rule hands its g on) and, since bias sums got an
    array of their own, a bias's. PyTorch's hook keeps its gradient (checked: all four unchanged)."""
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    b, c, w = (Tensor(np.full(s, 2.0), requires_grad=True) for s in ((3,), (4, 3), (3, 2)))
    kept: dict[str, object] = {}
    for name, t in (("b", b), ("c", c), ("w", w)):
        t.register_hook(lambda g, name=name: kept.__setitem__(name, g))  # returns None
    h = x + b
    h.register_hook(lambda g: kept.__setitem__("h", g))  # add's rule gives this array to x
    ((h * c) @ w).sum().backward()
    before = {name: np.array(g.data, copy=True) for name, g in kept.items()}
    for t in (x, b, c, w):
        t.grad[...] = 0.0
    for name, g in kept.items():
        np.testing.assert_array_equal(g.data, before[name], err_msg=name)
