"""A slice's gradient is added at its index (graph_sums): a loop over x[t], unbind, split and chunk cost
x's size in backward, not T times it, and every gradient is the one the whole zeros-and-add gave. The
reference is the same pass under detect_anomaly, which forms each rule's gradient whole and adds with `+`
(the engine's way before); zero signs aside (graph_sums says where a -0.0 now stays), the bits are equal."""

import sys
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor, gradients

torch = pytest.importorskip("torch")
DTYPES = (np.float16, np.float32, np.float64)
REPEATED = np.array([0, 2, 2, -1, 0, 0])

# each: (shape, f of x); every index kind, each slice used beside others and beside dense shares of x
GRAPHS = {
    "loop over x[t]": ((7, 3, 4), lambda x: sum(x[t] * (t + 1) for t in range(7))),
    "unbind": ((7, 3, 4), lambda x: sum(p * p for p in x.unbind(1))),
    "split": ((9, 5), lambda x: sum(p.sum(0) for p in x.split(2))),
    "chunk": ((4, 10), lambda x: autograd.concatenate([q.exp() for q in x.chunk(3, 1)], axis=1)),
    "negative steps": ((8, 6), lambda x: x[::-2].sum() * x[1::3].sum() + x[::-1, ::-3].sum() * x + x[::-1] * x),
    "repeated indices": ((6, 4), lambda x: x[REPEATED] * 2 + x[REPEATED[::-1]].sum() + x[[1, 1, 1]].sum() + x * x),
    "repeated pairs": ((6, 4), lambda x: (x * 3)[REPEATED] + x[REPEATED] + x[REPEATED, [0, 1, 1, 3, 3, 3]][:, None]),
    "boolean masks": (
        (5, 4),
        lambda x: x[x.data > 0].sum() * x + x[x.data < 0.5].sum() + x[np.ones((5, 4), bool)].sum(),
    ),
    "Ellipsis and None": (
        (3, 4, 5),
        lambda x: x[..., 1][None] * x[None, ..., 2] + x[..., None, 0:2].sum() + x[:, None, 1, ...].sum(),
    ),
    "mixed": ((4, 5, 6), lambda x: x[:, [0, 0, 4], 1:3].sum() + x[[1, 1], :, [2, 2]].sum() * x + x[1:3].sum()),
    "a transposed share first": ((6, 5), lambda x: x.T.T * 2 + x[2:4].sum() + x.T[1].sum() + x[::2].sum()),
    "0-d": ((), lambda x: x[()] * x[...] + x[None][0]),
    "slices of slices": ((6, 5), lambda x: sum(r[1:] * r[:-1] for r in x[1:][::-1])),
}


def _grad(f, x_data, dtype, anomaly=False):
    x = Tensor(x_data, requires_grad=True, dtype=dtype)
    y = f(x)
    weights = Tensor(np.random.default_rng(1).standard_normal(y.shape), dtype=dtype)
    if anomaly:
        with autograd.detect_anomaly():
            (y * weights).sum().backward()
    else:
        (y * weights).sum().backward()
    return x.grad


def _bits(a):
    """The bytes of a, -0.0 read as +0.0."""
    return (np.asarray(a) + 0).tobytes()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", GRAPHS)
def test_the_gradient_of_slices_is_the_whole_rules_bit_for_bit(name, dtype):
    shape, f = GRAPHS[name]
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    got, want = _grad(f, x, dtype), _grad(f, x, dtype, anomaly=True)
    assert got.dtype == want.dtype == dtype and got.shape == shape
    assert _bits(got) == _bits(want)


def test_a_float16_entry_picked_3000_times_twice_is_added_in_float32():
    picks = np.zeros(3000, int)
    x = Tensor(np.ones(2), requires_grad=True, dtype=np.float16)
    (x[picks].sum() + x[picks].sum()).backward()
    assert x.grad.tolist() == [6000.0, 0.0]  # each look-up's 3000 rounded once (float16 alone stalls at 2048)


@settings(deadline=None)
@given(st.data())
def test_any_basic_or_integer_index_gives_the_whole_rules_bits(data):
    x = data.draw(
        hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.floats(-3, 3))
    )
    first = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True))
    rows = data.draw(hnp.arrays(np.intp, st.integers(1, 6), elements=st.integers(-x.shape[0], x.shape[0] - 1)))
    second = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True))

    def f(t):
        return t[first].sum() * t + t[rows].sum() + t[second].sum() * t[rows].sum() + t[first].sum()

    assert _bits(_grad(f, x, np.float64)) == _bits(_grad(f, x, np.float64, anomaly=True))


def test_a_slice_alone_keeps_its_zero_sign_where_the_whole_rule_added_0():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    (x[0] * -0.0 + x[1]).sum().backward()
    assert np.signbit(x.grad[0]).all() and x.grad[1].tolist() == [1.0] * 3  # -0.0 + 0.0 was +0.0


def test_second_derivatives_through_slices_are_torchs():
    data = np.random.default_rng(2).standard_normal((5, 4))

    def f(x, lib):
        parts = [x[t] * x[(t + 1) % 5] for t in range(5)]
        return (lib.stack(parts) ** 2).sum() + (x[REPEATED.tolist()] ** 3).sum() + (x[x > 0] ** 3).sum()

    x = Tensor(data, requires_grad=True)
    (g,) = gradients(f(x, autograd), [x], create_graph=True)
    (gg,) = gradients((g * g).sum(), [x])
    tx = torch.tensor(data, requires_grad=True)
    (tg,) = torch.autograd.grad(f(tx, torch), [tx], create_graph=True)
    (tgg,) = torch.autograd.grad((tg * tg).sum(), [tx])
    np.testing.assert_allclose(g.numpy(), tg.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gg, tgg.numpy(), rtol=1e-12, atol=1e-12)
    plain = Tensor(data, requires_grad=True)
    f(plain, autograd).backward()
    assert _bits(plain.grad) == _bits(g.numpy())  # the plain pass gives create_graph's numbers


def test_a_hessian_through_unbind_is_the_same_as_through_one_op():
    data = np.random.default_rng(3).standard_normal((4, 3))
    by_slices = autograd.hessian(lambda x: sum((p**3).sum() * p.sum() for p in x.unbind(0)))(Tensor(data))
    whole = autograd.hessian(lambda x: ((x**3).sum(1) * x.sum(1)).sum())(Tensor(data))
    np.testing.assert_allclose(np.asarray(by_slices), np.asarray(whole), rtol=1e-12, atol=1e-12)


def _allocated_by_backward(rows: int, columns: int = 2000) -> float:
    """Bytes allocated during backward() of a sum over x.unbind(0), in sizes of x."""
    x = Tensor(np.random.default_rng(0).standard_normal((rows, columns)), requires_grad=True)
    loss = sum((p * 2.0).sum() for p in x.unbind(0))
    return allocated_during(loss.backward) / x.data.nbytes


def allocated_during(run) -> int:
    """Bytes allocated while `run()` runs: each rise of the traced memory between two Python events (a call,
    a return, a C call) is counted, so an array that lives until the next event is (the whole zeros-and-add's
    each did)."""
    seen = {"total": 0, "now": 0}

    def tracer(frame, event, arg):
        now = tracemalloc.get_traced_memory()[0]
        seen["total"] += max(now - seen["now"], 0)
        seen["now"] = now

    ours = not tracemalloc.is_tracing()  # a caller's tracing (PYTHONTRACEMALLOC) is left on
    tracemalloc.start()
    seen["now"] = tracemalloc.get_traced_memory()[0]
    sys.setprofile(tracer)
    try:
        run()
    finally:
        sys.setprofile(None)
        if ours:
            tracemalloc.stop()
    return seen["total"]


def test_the_backward_of_a_long_unbind_allocates_xs_size_not_T_times_it():
    short, long = _allocated_by_backward(50), _allocated_by_backward(400)
    # x's gradient once, the slices' gradients (x's size together) and the rules' products: about 4 sizes of
    # x whatever the length (the whole zeros-and-add allocated T + 3: 53 and 403)
    assert short < 6 and long < 6
    assert long < short + 1


def test_a_gradient_handed_to_two_inputs_is_never_changed_in_place():
    """add's rule hands one g to both inputs: a sum of the pass's own is written, never a rule's array."""
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = Tensor(np.ones((2, 3)), requires_grad=True)
    s = x + y
    (s * 3 + s[0].sum() + s[1:].sum() + x[1].sum() + y * 2).sum().backward()
    # d/ds: 3, and 6 from each of the two row sums (added to all 6 entries); x's second row: 6 more
    np.testing.assert_array_equal(x.grad, [[9.0, 9.0, 9.0], [15.0, 15.0, 15.0]])
    np.testing.assert_array_equal(y.grad, [[11.0, 11.0, 11.0], [11.0, 11.0, 11.0]])
    assert not np.shares_memory(x.grad, y.grad)
