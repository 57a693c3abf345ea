"""gradcheck gives f its inputs laid out in memory as they were given (transposed, reversed, strided), as
PyTorch's gradcheck does: it gave f C-contiguous copies, so a rule wrong only for such a layout (one pairing g and x
in memory order, ravel('K')) passed `gradcheck(op, [x.T])`, where torch.autograd.gradcheck fails it."""

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError, Op, Tensor

RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 4))


def memory_order_rule(g, out, x):
    """x * x's rule written pairing g and x in memory order (right where both are laid out alike, C order), and
    off by 1% where x is not contiguous (a kernel's fast path taken only for contiguous memory, the other wrong)."""
    paired = (2 * g.ravel("K") * x.ravel("K")).reshape(np.shape(x))
    return (paired if x.flags.contiguous else 1.01 * paired,)


square_by_memory = Op("square_by_memory", lambda x: x * x, memory_order_rule)
square = Op("square", lambda x: x * x, lambda g, out, x: (2 * g * x,))

LAYOUTS = {
    "transposed": A.T,
    "fortran": np.asfortranarray(A),
    "reversed": A[::-1, ::-1],
    "strided": np.ascontiguousarray(RNG.normal(size=(3, 8)))[:, ::2],
    "reversed 1-d": A[0, ::-1],
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_rule_wrong_only_for_the_layout_given_fails(layout):
    x = LAYOUTS[layout]
    assert not x.flags.c_contiguous
    assert ag.gradcheck(square_by_memory, [np.ascontiguousarray(x)])  # right where laid out in C order
    with pytest.raises(GradcheckError, match="disagree"):
        ag.gradcheck(square_by_memory, [x])
    with pytest.raises(GradcheckError, match="disagree"):
        ag.gradcheck(square_by_memory, [Tensor(x, requires_grad=True)])
    assert ag.gradcheck(square, [x])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_call_of_f_sees_the_strides_given(layout):
    x = LAYOUTS[layout]
    seen = set()

    def f(t):
        seen.add(np.asarray(t.data).strides)
        return (t * t).sum()

    assert ag.gradcheck(f, [x])
    assert seen == {tuple(s * 8 // x.itemsize for s in x.strides)}


def test_a_float32_input_keeps_its_layout_in_its_own_dtypes_call_too():
    x = np.asfortranarray(A.astype(np.float32))
    seen = set()

    def f(t):
        seen.add((t.dtype, np.asarray(t.data).flags.f_contiguous))
        return (t * t).sum()

    with pytest.warns(UserWarning, match="float32"):
        assert ag.gradcheck(f, [x])
    assert seen == {(np.dtype(np.float64), True), (np.dtype(np.float32), True)}


def test_a_constant_input_keeps_its_layout_and_a_broadcast_view_is_checked_element_by_element():
    target = np.asfortranarray(A)
    seen = []
    ag.gradcheck(lambda t, y: (seen.append(y.data.flags.f_contiguous) or (t - y) ** 2).sum(), [A, Tensor(target)])
    assert set(seen) == {True}
    # a stride of 0 (broadcast_to) makes every element one number: each is checked alone, on a copy of its own
    wide = np.broadcast_to(A[0], (2, 4))
    assert ag.gradcheck(square, [wide])
    with pytest.raises(GradcheckError, match="disagree"):
        ag.gradcheck(Op("twice", lambda x: x * x, lambda g, out, x: (g * x,)), [wide])
    assert wide.strides[0] == 0  # the input given is left as it was


def test_gradgradcheck_and_gradcheck_params_keep_the_layout_given():
    x = LAYOUTS["reversed"]
    seen = set()

    def f(t):
        seen.add(np.asarray(t.data).strides)
        return (t * t * t).sum()

    assert ag.gradgradcheck(f, [x])
    assert seen == {x.strides}
    w = Tensor(x.copy()[::-1, ::-1], requires_grad=True)  # a parameter stored reversed
    weights = Tensor(RNG.normal(size=(3, 4)))
    layouts = set()

    def loss():
        layouts.add(w.data.strides)
        return (square_by_memory(w) * weights).sum()

    with pytest.raises(GradcheckError, match="disagree"):
        ag.gradcheck_params(loss, {"w": w}, max_per_param=None)
    assert layouts == {w.data.strides}
    big = Tensor(RNG.normal(size=(8, 6)).T, requires_grad=True)  # stored transposed; 48 elements: blocks too
    big_weights = Tensor(RNG.normal(size=(6, 8)))
    layouts.clear()

    def big_loss():
        layouts.add(big.data.strides)
        return (square_by_memory(big) * big_weights).sum()

    with pytest.raises(GradcheckError, match="disagree"):
        ag.gradcheck_params(big_loss, {"big": big}, max_per_param=4)
    assert layouts == {big.data.strides}


def test_a_failures_table_names_the_layout_its_inputs_reached_f_in():
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(square_by_memory, [A.T])
    assert "input 0: reached f transposed (Fortran order, strides (1, 4) in elements)" in str(info.value)
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(square_by_memory, [A[::-1, ::-1]])
    assert "input 0: reached f reversed along axes 0, 1 (strides (-4, -1) in elements)" in str(info.value)
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(square_by_memory, [LAYOUTS["strided"]])
    assert "input 0: reached f strided (strides (8, 2) in elements)" in str(info.value)
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(Op("twice", lambda x: x * x, lambda g, out, x: (g * x,)), [A])
    assert "reached f" not in str(info.value)  # C order, as numpy makes arrays: nothing to say


def test_drawn_layouts_find_a_rule_wrong_only_there_and_shrink_to_a_small_case():
    from hypothesis import HealthCheck, given, settings

    from autograd.testing import arrays, judged_gradcheck, tensors

    seen = set()

    @settings(max_examples=200, deadline=None, derandomize=True, database=None)
    @given(tensors(layouts=True), arrays((2, 3)))
    def drawn(x, a):
        seen.add((x.data.flags.c_contiguous, a.flags.c_contiguous))
        assert judged_gradcheck(square, [x])

    drawn()
    assert seen == {(True, True), (False, True)}  # laid out otherwise where asked, C order where not

    @settings(max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(tensors(layouts=True))
    def wrong(x):
        assert judged_gradcheck(square_by_memory, [x])

    with pytest.raises(GradcheckError, match="reached f (transposed|reversed|strided)"):
        wrong()


def _span(a):
    """The bytes a's elements reach from the first to the last in memory."""
    return sum(abs(s) * (n - 1) for s, n in zip(a.strides, a.shape)) + a.itemsize


def test_a_column_of_a_wide_matrix_is_not_copied_with_the_gap_between_its_rows():
    # W[:, :2] of a 100 x 20000 matrix (16 MB) is 1.6 kB: each call of f was given a copy spanning the matrix (a
    # column of a 500 x 100000 matrix took 291 s and 1.1 GB more, where its C copy took 0.47 s; PyTorch's moves
    # the input in place); it keeps its layout's kind (rows apart in memory, not contiguous), not the gap's width
    x = np.random.default_rng(1).random((100, 20000))[:, :2]
    spans = set()

    def f(t):
        data = np.asarray(t.data)
        assert not data.flags.c_contiguous and not data.flags.f_contiguous
        spans.add(_span(data))
        return (t * t).sum()

    assert ag.gradcheck(f, [x])
    assert max(spans) <= 4 * x.nbytes  # 16 MB before
    with pytest.raises(GradcheckError, match="disagree"):
        ag.gradcheck(square_by_memory, [x])
