"""logcumsumexp, cummax and cummin without PyTorch: first and second derivatives against finite differences
over drawn shapes and dims (float64), logcumsumexp's stability (large entries, -inf, float32), the tie and NaN
rules of cummax and cummin, their errors, and compile's refusal of indices read off the numbers (PyTorch's
answers: test_torch_diff_scans)."""

import numpy as np
import pytest
from compile_faithful_cases import check_refused
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
import nn
import viz
from autograd import Tensor, grad, gradcheck
from autograd.testing import shapes


def _weights(shape):
    return Tensor(np.random.default_rng(3).uniform(0.5, 1.5, shape))


def first_and_second(f, x):
    """f's gradient and its second derivative (of a weighted sum of the gradient) against finite differences."""
    squared = lambda t: (f(t) ** 2).sum()  # noqa: E731 (squared: the gradient depends on the values)
    assert gradcheck(squared, [x])
    first = grad(squared)
    assert gradcheck(lambda t: (first(t) * _weights(t.shape)).sum(), [x])


@st.composite
def distinct_and_dim(draw, min_dims=1, max_side=4):
    """Distinct entries (no ties: a smooth point of cummax and of the order statistics), within ±1.5, none 0, and a dim.
    Not 0: an entry of 0 that is its own running extreme and no later one's is flat to the fourth order in (v·t)²;
    not large: 64 entries up to 18 round (v·t)²'s sum by more than the small slopes measure (gradcheck cannot judge
    either)."""
    shape = draw(shapes(min_dims, 3, max_side))
    n = int(np.prod(shape))
    order = draw(st.permutations(range(n)))
    x = np.asarray((np.array(order, dtype=float).reshape(shape) - n / 2 + 0.25) * min(0.3, 3 / n))
    return x, draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))


@given(data=st.data(), shape=shapes(0, 3, 4))
def test_logcumsumexp_derivatives_agree_with_finite_differences(data, shape):
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-3, 3)), label="x")
    dim = data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1), label="dim")
    first_and_second(lambda t: t.logcumsumexp(dim=dim), x)


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@given(case=distinct_and_dim(min_dims=0))
def test_running_extremes_derivatives_agree_with_finite_differences(name, case):
    x, dim = case
    first_and_second(lambda t: getattr(t, name)(dim).values * t, x)  # times t: a second derivative not 0


def test_logcumsumexp_is_stable_where_exp_overflows_and_at_minus_infinity():
    big = Tensor(np.array([1000.0, 1000.0, -np.inf, 999.0]), requires_grad=True)
    out = big.logcumsumexp(0)
    expected = [1000.0, 1000 + np.log(2), 1000 + np.log(2), 1000 + np.log(2 + np.exp(-1))]
    np.testing.assert_allclose(out.data, expected, rtol=1e-15)
    out.sum().backward()  # each entry's share of each later sum: exp(x_i - out_k)
    e = np.exp(-1)
    np.testing.assert_allclose(big.grad, [1 + 0.5 + 0.5 + 1 / (2 + e), 0.5 + 0.5 + 1 / (2 + e), 0, e / (2 + e)])


def test_logcumsumexp_of_a_leading_run_of_minus_infinity_is_minus_infinity_with_a_nan_gradient():
    """An empty sum so far: -inf; its entries' gradient NaN, as logsumexp's at a row of -inf and PyTorch's."""
    x = Tensor(np.array([-np.inf, -np.inf, 0.0]), requires_grad=True)
    out = x.logcumsumexp(0)
    np.testing.assert_array_equal(out.data, [-np.inf, -np.inf, 0.0])
    out.sum().backward()
    assert np.isnan(x.grad[:2]).all() and x.grad[2] == 1.0


def test_logcumsumexp_sends_a_nan_gradient_on_to_every_entry_it_depends_on():
    """As cumsum's: a NaN g_k reaches each x_j with j <= k (before, it stood as 0, as in PyTorch 2.13)."""
    for g, nan in (([1.0, 1.0, np.nan], [True, True, True]), ([np.nan, 1.0, 1.0], [True, False, False])):
        x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
        x.logcumsumexp(0).backward(Tensor(np.array(g)))
        assert np.isnan(x.grad).tolist() == nan
    out = np.logaddexp.accumulate([1.0, 2.0, 3.0])
    np.testing.assert_allclose(x.grad[1:], [np.exp(2 - out[1]) + np.exp(2 - out[2]), np.exp(3 - out[2])], rtol=1e-14)


def test_logcumsumexp_in_float32_sums_in_float64_and_stays_float32():
    x = np.full(100_000, 0.1, dtype=np.float32)
    out = Tensor(x).logcumsumexp(0)
    assert out.dtype == np.float32
    exact = np.log(np.arange(1, 100_001)) + np.float64(np.float32(0.1))
    np.testing.assert_allclose(out.data, exact, rtol=2**-24)  # rounded once: half a unit in the last place


def test_logcumsumexp_gradient_in_float32_is_rounded_once():
    """Each share exp(x_j − out_k) from float64: x − out in float32, with out rounded by |out|·2^-24, was 170,000
    ulps off at entries of size 1000 (PyTorch 2.13's too)."""
    rng = np.random.default_rng(0)
    x, g = (rng.normal(size=(3, 50)) * 1000).astype(np.float32), rng.normal(size=(3, 50)).astype(np.float32)
    t = Tensor(x, requires_grad=True)
    t.logcumsumexp(1).backward(Tensor(g))
    wide, out = x.astype(np.float64), np.logaddexp.accumulate(x.astype(np.float64), axis=1)
    shares = np.exp(np.minimum(wide[:, :, None] - out[:, None, :], 0)) * np.triu(np.ones((50, 50)))  # [row, j, k]
    exact = (shares * g[:, None, :]).sum(axis=2)
    assert t.grad.dtype == np.float32
    np.testing.assert_array_less(np.abs(t.grad - exact), np.spacing(np.abs(exact).astype(np.float32)) * 0.51 + 1e-30)


@pytest.mark.parametrize("size", [1e2, 1e5, 1e10, 1e15, 1e300])
@pytest.mark.parametrize("create_graph", [False, True])
def test_logcumsumexp_gradient_at_large_entries_keeps_the_gradient_from_above(size, create_graph):
    """Σ_{k≥j} g_k·exp(x_j − out_k) taken in logs, exp(x_j + log Σ |g_k|·e^(−out_k)) (PyTorch 2.13's method too),
    rounds log|g_k| − out_k at out's size: float64 entries near 1e5 lost 6e-10 of the gradient, near 1e10 7e-5, and
    at 1e300 all of g (a weight of -0.638 on the last entry gave -1, PyTorch's too). Compared with the pairwise sum."""
    rng = np.random.default_rng(1)
    x = -size + rng.uniform(-3, 3, (2, 40))
    g = rng.uniform(-1, 1, (2, 40))
    t = Tensor(x, requires_grad=True)
    (got,) = autograd.gradients((t.logcumsumexp(1) * Tensor(g)).sum(), [t], create_graph=create_graph)
    out = np.logaddexp.accumulate(x, axis=1)
    shares = np.exp(np.minimum(x[:, :, None] - out[:, None, :], 0)) * np.triu(np.ones((40, 40)))  # [row, j, k]
    exact = (shares * g[:, None, :]).sum(axis=2)
    np.testing.assert_allclose(np.asarray(autograd.raw(got)), exact, rtol=1e-13, atol=1e-15)


def test_logcumsumexp_takes_numpys_axis_and_pytorchs_dim_and_flattens_without_either():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(Tensor(x).logcumsumexp(1).data, np.logaddexp.accumulate(x, axis=1))
    np.testing.assert_allclose(autograd.logcumsumexp(x, dim=0).data, np.logaddexp.accumulate(x, axis=0))
    np.testing.assert_allclose(Tensor(x).logcumsumexp().data, np.logaddexp.accumulate(x.ravel()))


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_a_tie_gives_the_later_entry_its_index_and_gradient(name):
    x = Tensor(np.array([1.0, 3.0, 3.0, 2.0, 3.0]) * (1 if name == "cummax" else -1), requires_grad=True)
    values, indices = getattr(x, name)(0)
    assert indices.tolist() == [0, 1, 2, 2, 4]
    values.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 2.0, 0.0, 1.0])


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_from_a_nan_on_the_values_are_nan_and_the_index_the_latest_nan(name):
    x = Tensor(np.array([1.0, np.nan, 5.0, -5.0, np.nan, 0.0]), requires_grad=True)
    values, indices = getattr(x, name)(0)
    assert indices.tolist() == [0, 1, 1, 1, 4, 4]
    assert np.isnan(values.data[1:]).all()
    values.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 3.0, 0.0, 0.0, 2.0, 0.0])


def test_running_extremes_of_integers_a_0d_tensor_and_an_empty_dim():
    values, indices = Tensor(np.array([[2, 7, 7], [-1, -3, 0]], np.int8)).cummin(1)
    assert values.dtype == np.int8 and values.tolist() == [[2, 2, 2], [-1, -3, -3]] and indices.dtype == np.int64
    assert indices.tolist() == [[0, 0, 0], [0, 1, 1]]
    values, indices = Tensor(np.array(4.0)).cummax(0)
    assert values.shape == () and values.item() == 4.0 and indices.item() == 0
    values, indices = Tensor(np.zeros((2, 0))).cummax(1)
    assert values.shape == indices.shape == (2, 0)


@pytest.mark.parametrize("call", [lambda t: t.cummax(2), lambda t: t.cummin(-3), lambda t: t.logcumsumexp(dim=5)])
def test_a_dim_out_of_range_is_an_index_error_naming_the_range(call):
    with pytest.raises(IndexError, match=r"out of (range|bounds) for a 2-d tensor \(it takes -2 to 1\)"):
        call(Tensor(np.zeros((2, 3)), requires_grad=True))


def test_a_dim_that_is_not_an_int_is_a_type_error():
    with pytest.raises(TypeError, match="dim must be an int"):
        Tensor(np.zeros(3)).cummax(0.5)


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_a_compiled_step_does_not_replay_indices_read_off_the_numbers(name, monkeypatch):
    """Where the running extreme lies changes with the numbers: a replay would reuse the recorded indices."""

    def scenario(compile):
        w = Tensor(np.zeros(3), requires_grad=True)
        opt = nn.SGD([w], lr=0.1)  # the gradient moves w: later losses show where it went

        def step(x):
            opt.zero_grad()
            loss = (getattr(w + Tensor(x), name)(0).values * Tensor(np.array([3.0, 2.0, 1.0]))).sum()
            loss.backward()
            return loss.item()

        run = compile(step)
        return [run(np.array(x)) for x in ([1.0, 3.0, 2.0], [1.0, 5.0, 2.0], [3.0, 1.0, 2.0])]

    assert check_refused(scenario, rf"{name} finds where the running", monkeypatch) == 0


def test_viz_draws_logcumsumexp_with_its_rule_and_cummax_as_indexing():
    x = Tensor(np.array([[1.0, 3.0, 2.0]]), requires_grad=True, label="x")
    y = (x.logcumsumexp(1) + x.cummax(1).values).sum()
    words = viz.draw(y, backward=True).pipe(format="svg").decode()
    assert "logcumsumexp(axis=1)" in words and "∂logcumsumexp(x)ₖ/∂xᵢ = exp(xᵢ − outₖ) where k ≥ i, else 0" in words
    assert "the gradient, added at the index" in words  # cummax's values: x picked at its indices


@pytest.mark.parametrize(("op", "joined_by"), [("logcumsumexp", "logaddexp'd with"), ("cumprod", "times")])
def test_a_running_op_under_create_graph_refuses_pairs_past_the_bound_before_making_them(monkeypatch, op, joined_by):
    """Their rules under create_graph form n entries per entry (each pair i <= k of a line of n): a line of 10,000
    made arrays of 10**8 entries, several, unannounced (cumprod's too, unchecked). Past conv_limits' bound (64
    times the input, at least FLOOR entries: lowered here, so that the refused case is small) it is one
    MemoryError naming the line and the ways out; a plain backward of the same line, linear in its length, runs."""
    from autograd import conv_limits

    monkeypatch.setattr(conv_limits, "FLOOR", 1000)
    x = Tensor(np.linspace(0.5, 1.5, 100), requires_grad=True)
    (g,) = autograd.gradients(getattr(x, op)(0).sum(), [x])  # no create_graph: no pairs
    assert g.shape == (100,)
    with pytest.raises(
        MemoryError,
        match=rf"{op} under create_graph: a line of 100 entries along axis 0 .*its pairs \(i, k\) of 10,000 "
        rf"entries.*a plain backward \(without create_graph\).*each run's {op} {joined_by} the last entry",
    ):
        autograd.gradients(getattr(x, op)(0).sum(), [x], create_graph=True)
    short = Tensor(np.linspace(0.5, 1.5, 8), requires_grad=True)  # 64 pairs: within the bound
    (first,) = autograd.gradients(getattr(short, op)(0).sum(), [short], create_graph=True)
    assert first.shape == (8,)


@pytest.mark.parametrize(
    ("x", "g", "expected"),
    [
        ([0.0, 800.0], [0.0, np.inf], [np.inf, np.inf]),  # exp(0 − 800) underflows; its g of inf does not vanish
        ([-800.0, 0.0], [-np.inf, -np.inf], [-np.inf, -np.inf]),
        ([0.0, 1000.0, 0.0], [1.0, 1.0, np.inf], [np.inf, np.inf, np.inf]),  # exp(x₂ − out₂) = exp(−1000) too
    ],
)
def test_logcumsumexp_sends_an_infinite_gradient_past_a_share_that_underflows(x, g, expected):
    """g_k·exp(x_j − out_k) is ±inf for an infinite g_k however small the factor (PyTorch 2.13's too): the running
    sum from the end multiplied it by an exp(−800) rounded to 0 and gave NaN."""
    t = Tensor(np.array(x), requires_grad=True)
    t.logcumsumexp(0).backward(Tensor(np.array(g)))
    np.testing.assert_array_equal(t.grad, expected)


def test_logcumsumexp_plain_backward_is_no_python_loop_along_the_line():
    """A line of n entries takes about 2·√n Python steps in the rule, not n (a loop along it took 230 ms for 1e5
    entries, 15 times the sums in logs before it; 2.6 s for 1e6). Counted by a tracer: no clock."""
    import sys

    from autograd import op_table_scans

    x = Tensor(np.linspace(-3.0, 3.0, 10_000), requires_grad=True)
    out = x.logcumsumexp(0)
    lines = [0]

    def tracer(frame, event, arg):
        if frame.f_code.co_filename == op_table_scans.__file__:
            lines[0] += event == "line"
            return tracer
        return None

    before = sys.gettrace()  # a coverage tool's, put back after
    sys.settrace(tracer)
    try:
        out.backward(Tensor(np.ones(10_000)))
    finally:
        sys.settrace(before)
    assert 0 < lines[0] < 2_000


def test_logcumsumexp_gradient_along_a_long_line_is_rounded_a_few_times():
    """10^5 entries of 0, out_k = log(k + 1): each share Σ_{k≥j} g_k / (k + 1) (against float64's out, summed in
    long double). A running sum from the end multiplied up to 10^5 rounded factors: 3e-13 off; the sums in logs
    2e-14; blocks of √n now 3e-15."""
    rng = np.random.default_rng(2)
    g = rng.uniform(0.1, 1.0, 100_000)
    x = Tensor(np.zeros(100_000), requires_grad=True)
    out = x.logcumsumexp(0)
    out.backward(Tensor(g))
    exact = np.cumsum((g * np.exp(-out.data.astype(np.longdouble)))[::-1])[::-1].astype(np.float64)
    np.testing.assert_allclose(x.grad, exact, rtol=1e-14)
