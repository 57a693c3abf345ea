"""Tests that kill mutants the engine suite let live (docs/mutation-testing.md), continued: grad's argnums
and result checks, gradcheck's table, weights, leaves and moved points, gradcheck_params on Values."""

import functools

import numpy as np
import pytest
from test_mutants_engine import _scaled

from autograd import (
    GradcheckError,
    Op,
    Tensor,
    Value,
    grad,
    gradcheck,
    gradcheck_params,
)


def test_grad_argnums_name_and_result_checks():
    def mul(x, y):
        return x * y

    g = grad(mul, argnums=(0, 1))
    assert g(2.0, 5.0) == (5.0, 2.0) and g.__name__ == "grad_mul"
    assert g.__doc__ == "The gradient of mul with respect to argument(s) (0, 1)."
    assert grad(lambda x: x * x, argnums=-1)(3.0) == 6.0
    with pytest.raises(IndexError, match="argnums=2 but the function was called with 2 positional arguments"):
        grad(mul, argnums=2)(2.0, 5.0)
    p = grad(functools.partial(mul, 3.0))
    assert p.__name__ == "grad_f" and p.__doc__ == "The gradient of f with respect to argument(s) 0."
    with pytest.raises(
        TypeError, match=r"grad: the function must return real numbers \(a number, Value or Tensor\), got str$"
    ):
        grad(lambda x: "abc")(1.0)


def test_gradcheck_table_shows_every_row_exactly():
    flat = Op("flat", lambda x: x * 0.0, lambda g, o, x: (g * 0.25,))  # numeric 0, analytic 0.25
    with pytest.raises(GradcheckError) as e:
        f = lambda a, b, c, d: _scaled(1.5)(a * 2.0) + b * b + flat(c) + d * 3.0
        gradcheck(f, [Value(2.0, "a"), 0.0, 1.0, 1.0], eps=0.5)  # eps=0.5: exact differences of these
    assert str(e.value).splitlines() == [
        "gradcheck: 2 of 4 gradients disagree with finite differences",
        "input    at value  analytic  numeric  abs error  rel error",
        "a        2         3         2        1          0.5        <- fails",
        "input 2  1         0.25      0        0.25       inf        <- fails",
        "input 1  0         0         0        0          0",
        "input 3  1         3         3        0          0",
        "analytic: from backward; numeric: central difference (f(x+eps) - f(x-eps)) / ((x+eps) - (x-eps)) "
        "with eps=0.5; abs error: |analytic - numeric|; rel error: abs error / |numeric|;",
        "a row fails when abs error > atol + rtol * |numeric| (atol=1e-05, rtol=0.001).",
        "fix: the derivative rule (backward) of one of your ops f uses ('flat', 'scaled') gives a wrong slope there; "
        "check each alone, gradcheck(op, [x]) at its own inputs, to find it",
    ]
    with pytest.raises(GradcheckError) as e:
        gradcheck(lambda t: (t * t).sum() + flat(t[0]), [np.arange(40.0)])
    lines = str(e.value).splitlines()
    assert lines[0].startswith("gradcheck: 1 of 40 gradients") and lines[-4] == "... 10 more rows, all passing"
    # a row passes when its error equals the tolerance
    assert gradcheck(_scaled(1.5), [0.0], eps=0.5, atol=0.5, rtol=0.0)


def test_gradcheck_checks_results_of_several_numbers_by_random_weights():
    assert gradcheck(lambda t: t * 2.0, [np.ones(3)])
    wrong = Op("wrong", lambda t: t * 2.0, lambda g, out, t: (g[::-1] * 2.0,))  # right only for a uniform g
    assert gradcheck(lambda t: wrong(t).sum(), [np.ones(3)])
    with pytest.raises(GradcheckError, match="2 of 3 gradients disagree"):  # the middle one stays
        gradcheck(wrong, [np.ones(3)])


def test_gradcheck_hands_f_labelled_leaves_and_refuses_captured_nodes():
    seen = []
    assert gradcheck(lambda x, y: seen.append((x.label, y.label)) or x * y, [Value(1.0, "x"), 2.0])
    assert seen[0] == ("x", "input 1") and len(seen) == 1 + 3 * 2  # once, then 3 times per element
    assert gradcheck(lambda t: seen.append(t.label) or (t * t).sum(), [np.ones(2)]) and seen[7] == "input 0"
    w = Value(3.0)
    seen.clear()
    message = (
        r"^gradcheck: f's result depends on nodes it captured, not on the inputs it was given \(f gets fresh "
        r"float64 copies of `inputs`\): make f compute from its arguments; to check the parameters a loss uses, "
        r"call gradcheck_params$"
    )
    with pytest.raises(GradcheckError, match=message):
        gradcheck(lambda x: seen.append(x.label) or w * 2.0, [Value(1.0, "x")])
    assert seen == ["x", "x"]


def test_gradcheck_names_the_moved_point_where_f_is_undefined():
    def forward(x):
        if np.any(x < 0):
            raise ValueError("negative input")
        return np.sqrt(x)

    root = Op("root", forward, lambda g, o, x: (g * 0.5 / o,))
    message = r"f is undefined at input 0 = .* at \[1\] \(the point moved by eps=1e-06\): .*farther from the edge"
    with pytest.raises(ValueError, match=message + r" of its domain$"):
        gradcheck(lambda t: root(t).sum(), [np.array([1.0, 1e-7])])


def test_gradcheck_params_on_values_names_them_and_puts_them_back():
    w, b = Value(2.0, "w"), Value(-1.0)
    assert gradcheck_params(lambda: w * w + 3.0 * b, [w, b])
    assert (w.data, b.data) == (2.0, -1.0)
    with pytest.raises(GradcheckError) as e:
        gradcheck_params(lambda: _scaled(1.01)(w) + b, [w, b])  # 1% off: beyond the default tolerances
    lines = str(e.value).splitlines()
    assert lines[0] == "gradcheck: 1 of 2 gradients disagree with finite differences"
    assert [line.split()[0] for line in lines[2:4]] == ["w", "param"] and lines[3].startswith("param 1 ")
    assert "with eps=1e-06;" in lines[4] and lines[5].endswith("(atol=1e-05, rtol=0.001).")
    t = Tensor([1.0, 2.0], requires_grad=True)
    for loss in (lambda: t * 2.0, lambda: 1.0):
        with pytest.raises(TypeError, match=r"^gradcheck_params: loss\(\) must return a scalar Value or Tensor"):
            gradcheck_params(loss, [t])


def test_gradcheck_params_samples_distinct_elements_reproducibly():
    w = Tensor(np.arange(30.0), requires_grad=True)
    off = _scaled(2.0)

    def table(**options):
        with pytest.raises(GradcheckError) as e:
            gradcheck_params(lambda: off(w).sum(), {"w": w}, **options)
        return str(e.value)

    first = table()  # 20 elements, and the row along a direction moving all 30 (one block)
    assert first.startswith("gradcheck: 21 of 21 gradients disagree") and "\nw[0:30]·d " in first
    assert len({line.split()[0] for line in first.splitlines()[1:23]} - {"input", "w[0:30]·d"}) == 20  # 20 distinct
    assert first == table() == table(seed=0) != table(seed=1)
    assert table(max_per_param=None).startswith("gradcheck: 30 of 30 gradients disagree")
