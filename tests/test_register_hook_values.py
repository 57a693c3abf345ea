"""A Value's hooks (register_hook, as Tensor's in test_register_hook.py): they change the gradient downstream
and in .grad, give torch's second derivatives, are named when bad, and are held beside the Value until removed."""

import copy
import weakref

import pytest
from torch_reference import check_scalar, torch  # without torch: skipped

import autograd
from autograd import Value, has_hooks
from autograd.graph import HOOKS


def _hooked_value(lib_sin):
    """f(a, b) = sin(h) * b with h = a * b, hooks on h (nonlinear in g) and on b."""

    def f(a, b):
        b.register_hook(lambda g: g * 0.5)
        h = a * b
        h.register_hook(lambda g: g * g + 1.0)
        return lib_sin(h) * b

    return f


def test_value_hooks_give_torchs_gradient_and_second_derivatives():
    """The second derivatives run the hooks in both passes, as torch.autograd.grad's (check_scalar's)."""
    check_scalar(_hooked_value(autograd.sin), _hooked_value(torch.sin), [0.7, -1.3])


def test_a_value_hook_changes_grad_and_a_hook_that_raises_leaves_every_grad_as_it_was():
    a, b = Value(2.0), Value(-3.0)
    a.grad, b.grad = 1.0, 2.0  # held from before: a failed pass keeps them
    h = a * b
    handle = h.register_hook(lambda g: g * 10)
    (h + a).backward()
    assert (a.grad, b.grad, h.grad) == (1.0 - 30.0 + 1.0, 2.0 + 20.0, 10.0)
    handle.remove()
    h.register_hook(lambda g: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        (h + a).backward()
    assert (a.grad, b.grad, h.grad) == (-28.0, 22.0, 10.0)


def test_bad_value_hooks_are_named():
    v = Value(2.0)
    y = v * 2
    with v.register_hook(lambda g: "1"):
        with pytest.raises(TypeError, match=r"hook '<lambda>' returned str: a Value's hook returns None"):
            y.backward()
    with pytest.raises(RuntimeError, match="register_hook on a constant"):
        y._b.register_hook(lambda g: g)  # the 2 an operator lifted


def test_a_values_hooks_are_held_beside_it_until_removed(collect):
    """A Value keeps no slot for hooks (8 bytes on every scalar node): its hooks are held by its id, so one
    that refers to its Value keeps it alive until removed (README); removed, the Value is freed."""
    node = Value(1.5)
    handle = node.register_hook(lambda g, node=node: g * node.data)
    copied = copy.deepcopy(node)
    assert not has_hooks(copied) and has_hooks(node)
    (copied * 2.0).backward()
    assert copied.grad == 2.0
    held, freed = id(node), weakref.ref(node)
    del node
    collect()
    assert freed() is not None
    handle.remove()
    collect()
    assert freed() is None and held not in HOOKS
    torch_tensor = torch.ones(2, requires_grad=True)
    torch_tensor.register_hook(lambda g, t=torch_tensor: g * (t != 0))
    their_freed = weakref.ref(torch_tensor)
    del torch_tensor
    collect()
    assert their_freed() is None
