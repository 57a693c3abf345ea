"""An infinity given as an input is infinite on paper too: what an op makes of it is no overflow. A Value
p = inf drew p * 1e-5 as "data inf (overflowed)", and the edge of s = q * k to k (whose local derivative is q, that
infinity) as "1 × inf = inf (the local derivative overflowed)": nothing overflowed, the first infinity was p,
given so. Nor does an infinite gradient arriving from it overflow where it passes on (k1 of k = k1 * k2 in p * k
drew "grad inf (overflowed)"). A product of finite numbers beyond the largest float still says it overflowed."""

import numpy as np
import pytest

import viz
from autograd import Value
from viz import lost_masks
from viz.captions import lost_lines
from viz.labels import data_text
from viz.steps import backward_pass


def _carried() -> tuple[Value, Value]:
    """p = inf (a leaf given so), q = p * 1e-5 and s = q * k: q and s infinite because p is."""
    p, k = Value(float("inf"), label="p"), Value(2.0, label="k")
    q = p * Value(1e-5)
    q.label = "q"
    s = q * k
    s.label = "s"
    s.backward()
    return q, s


@pytest.fixture(params=["long double", "float64"])
def platform(request, monkeypatch):
    """As here (a long double wider than a float, x86), and where it is a float64 (macOS arm64, Windows)."""
    if request.param == "float64":
        monkeypatch.setattr(lost_masks, "WIDE", np.float64)
    return request.param


def test_a_value_carrying_a_given_infinity_is_not_drawn_as_overflowed(platform):
    q, s = _carried()
    assert data_text(q) == "data inf"
    assert data_text(s) == "data inf"
    source = viz.draw(s, backward=True).source
    assert "overflowed" not in source
    assert "= 1 × inf = inf<" in source  # ∂s/∂k = ∂s/∂s · ∂s/∂k, k's local derivative q: inf on paper too


def test_the_captions_of_a_given_infinity_tell_no_overflow(platform):
    _, s = _carried()
    assert not any("overflow" in line for line in lost_lines(backward_pass(s)))
    assert "overflow" not in "\n".join(step.caption for step in viz.backward_steps(s))


def test_an_infinite_gradient_passed_on_is_not_drawn_as_overflowed(platform):
    p, k1, k2 = Value(float("inf"), label="p"), Value(3.0, label="k1"), Value(2.0, label="k2")
    k = k1 * k2
    k.label = "k"
    s = p * k
    s.label = "s"
    s.backward()
    source = viz.draw(s, backward=True).source
    assert "{ k1 | data 3 | grad inf }" in source and "{ k2 | data 2 | grad inf }" in source
    assert "overflow" not in "\n".join(step.caption for step in viz.backward_steps(s))


def test_a_product_beyond_the_largest_float_still_says_it_overflowed(platform):
    x, y = Value(1e200, label="x"), Value(1e200, label="y")
    z = x * y
    z.label = "z"
    assert data_text(z) == "data inf (overflowed)"


@pytest.mark.parametrize("upstream", ["a product", "a sum of shares"])
def test_an_infinite_gradient_carried_from_an_overflow_still_says_it_overflowed(platform, upstream):
    """Before (s34 review): every infinite gradient arriving at a Value was taken as given, so v and w of y = v * w
    read "grad inf" where on paper theirs are finite: 1e400 * 0.25 and * 0.5 (y's own read "(overflowed)"), or
    (1e308 + 1e308) * 0.25 and * 0.5."""
    v, w = Value(0.5, label="v"), Value(0.25, label="w")
    y = v * w
    y.label = "y"
    if upstream == "a product":  # ∂L/∂y = z * x = 1e400 on paper
        x, z = Value(1e200, label="x"), Value(1e200, label="z")
        xy = x * y
        xy.label = "xy"
        root = xy * z
    else:  # ∂L/∂y = 1e308 + 1e308, each share finite
        root = y * Value(1e308, label="a") + y * Value(1e308, label="b")
    root.label = "L"
    root.backward()
    source = viz.draw(root, backward=True).source
    assert (
        "{ v | data 0.5 | grad inf (overflowed) }" in source and "{ w | data 0.25 | grad inf (overflowed) }" in source
    )
    assert upstream != "a product" or "{ y | data 0.125 | grad inf (overflowed) }" in source


def test_a_given_infinity_beside_an_underflowed_share_is_still_taken_as_given(platform):
    """y's gradient is 1e-200 * 1e-200 (0 in floats, underflowed) + inf (p's, given): what v and w get of it is
    infinite on paper too, not an overflow."""
    v, w = Value(0.5, label="v"), Value(0.25, label="w")
    y = v * w
    y.label = "y"
    yt = y * Value(1e-200, label="t")
    yt.label = "yt"
    root = yt * Value(1e-200, label="s") + y * Value(float("inf"), label="p")
    root.label = "L"
    root.backward()
    source = viz.draw(root, backward=True).source
    assert "{ v | data 0.5 | grad inf }" in source and "{ w | data 0.25 | grad inf }" in source
