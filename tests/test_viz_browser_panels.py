"""The player page in headless Chromium, for what a learner reads beside the graph: a clicked tensor's
paths told as arrays that add element by element (never their summaries joined by +), and the first
NaN or infinity drawn red with its path and its story, from the step it appears at, per training step."""

import re

import numpy as np
import pytest
import test_viz_browser
import torch
from test_viz_browser import grad_text, pytestmark, severe, text  # noqa: F401 (pytestmark: skipped without chromium)
from test_viz_player_nonfinite import backward_inf, diverging_training, forward_nan

import viz
from autograd import Tensor, Value, backward_order
from viz.number_text import summary
from viz.story import mean_figures

browser = test_viz_browser.browser  # its fixture: headless Chromium driven by chromedriver
RED, FIRST_FILL = "rgb(255, 0, 0)", "rgb(255, 156, 156)"


def position(root, label: str) -> int:
    return next(k for k, n in enumerate(backward_order(root)) if n.label == label)


def click(browser, position: int) -> str:
    value = browser.find_element("id", f"v{position}")
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", value)
    return text(browser, "explanation")


def step_to(browser, step: int) -> None:
    slider = browser.find_element("id", "slider")
    browser.execute_script(f"arguments[0].value = {step}; arguments[0].dispatchEvent(new Event('input'));", slider)


def red_marks(browser) -> dict:
    """The elements marked red, the one filled as the first, whether each renders red, and the story shown."""
    return browser.execute_script(
        "var red = Array.from(document.querySelectorAll('#viewport .nonfinite'));"
        "var first = Array.from(document.querySelectorAll('#viewport .first-nonfinite'));"
        "var line = function (g) { return getComputedStyle(g.querySelector('path, polygon, ellipse')).stroke; };"
        "var story = document.getElementById('nonfinite');"
        "return {ids: red.map(function (g) { return g.id; }).sort(), strokes: red.map(line),"
        " first: first.map(function (g) { return g.id; }),"
        " fills: first.map(function (g) { return getComputedStyle(g.querySelector('polygon')).fill; }),"
        " story: story.hidden ? null : story.textContent};"
    )


def test_a_clicked_tensor_tells_its_paths_as_arrays_added_element_by_element(browser, tmp_path):
    data = np.random.default_rng(2).normal(size=(3, 3))
    a = Tensor(data, requires_grad=True, label="A")
    b = a @ a
    loss = (b * a).mean(axis=0).sum() + a.max()
    loss.label = "L"
    page = viz.save_html(loss, tmp_path / "tensor.html")
    browser.get(page.as_uri())
    told = viz.explain(loss, a)
    reference = torch.tensor(data, requires_grad=True)
    ((reference @ reference) * reference).mean(0).sum().add(reference.max()).backward()
    assert np.allclose(sum(p.product for p in told.paths), told.total)  # the arrays add up to the gradient
    assert np.allclose(told.total, reference.grad.numpy())
    explanation = click(browser, next(i for i, n in enumerate(backward_order(loss)) if n is a))
    assert explanation.startswith(f"∂L/∂A (shape (3, 3)) = {summary(told.total)}: the sum over the 4 paths")
    n = mean_figures([p.product for p in told.paths], told.total)  # the figures whose means add up as written
    for path in told.paths:
        assert f"this path's share of L's gradient: {summary(path.product, n=n)}" in explanation
    assert f"total: the paths' shares added element by element, {summary(told.total, n=n)} = ∂L/∂A" in explanation
    assert explanation == str(told)  # as viz.explain tells it
    assert "the means add up, the minima and maxima need not" in explanation
    assert not re.search(r"max \S+ \+ min", explanation)  # no summary added to another as if it were a number
    assert severe(browser) == []


def test_a_grouped_tensor_explanation_adds_the_listed_and_the_other_paths_arrays(browser, tmp_path):
    x = Tensor(np.array([0.5, -0.2]), requires_grad=True, label="x")
    y = x
    for _ in range(4):  # three edges from each y to the next: 3**4 paths, more than are listed
        y = y * 0.9 + y * y
    root = y.sum()
    page = viz.save_html(root, tmp_path / "grouped.html")
    browser.get(page.as_uri())
    told = viz.explain(root, x)
    others = told.count - len(told.paths)
    assert others > 0
    explanation = click(browser, next(i for i, n in enumerate(backward_order(root)) if n is x))
    assert (
        f"the other {others} paths: {summary(told.rest)} together (the total minus the 24 paths above)" in explanation
    )
    assert f"total: the paths' shares added element by element, {summary(told.total)} = ∂#1/∂x" in explanation
    assert explanation == str(told)  # as viz.explain tells it
    assert severe(browser) == []


def test_the_first_nan_of_the_forward_pass_is_red_at_every_step_with_its_story(browser, tmp_path):
    root = forward_nan()
    page = viz.save_html(root, tmp_path / "nan.html")
    browser.get(page.as_uri())
    y, b, a = (position(root, name) for name in "yba")
    for step in range(6):  # the forward pass, backward's 5 steps
        step_to(browser, step)
        marks = red_marks(browser)
        assert marks["first"] == [f"v{a}"] and marks["fills"] == [FIRST_FILL]
        assert {f"{kind}{k}" for kind in "vo" for k in (y, b, a)} | {f"e{y}_0", f"e{b}_0"} <= set(marks["ids"])
        assert set(marks["strokes"]) == {RED}  # over the forward pass's grey arrows and the pending edges
        assert (
            marks["story"]
            == "the first NaN or infinity of the forward pass: a = inf (made by * from 1e+200 and 1e+200; overflowed: "
            "on paper 1e+400, beyond the largest float, 1.798e+308)"
        )
    assert severe(browser) == []


def test_a_gradients_first_infinity_turns_red_at_the_step_that_makes_it(browser, tmp_path):
    root = backward_inf()
    page = viz.save_html(root, tmp_path / "inf.html")
    browser.get(page.as_uri())
    x = position(root, "x")
    for step in range(4):
        step_to(browser, step)
        assert red_marks(browser) == {"ids": [], "strokes": [], "first": [], "fills": [], "story": None}
    browser.find_element("id", "next").click()  # step 4: log sends x its infinite gradient
    marks = red_marks(browser)
    assert marks["first"] == [f"v{x}"] and marks["fills"] == [FIRST_FILL] and set(marks["strokes"]) == {RED}
    assert marks["story"] == (
        "the first NaN or infinity of backward: the gradient of x, inf, from the rule of log at l; overflowed: on "
        "paper 2e+310, beyond the largest float, 1.798e+308"
    )
    assert grad_text(browser, x) == "grad inf (overflowed)"  # 1 + 2e310 on paper
    browser.find_element("id", "prev").click()
    assert red_marks(browser)["story"] is None
    assert severe(browser) == []


def test_each_training_step_shows_its_own_first_nonfinite_number(browser, tmp_path):
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning, match="ends the run"):  # the overflows are the point
        page = viz.save_html(diverging_training(), tmp_path / "diverge.html")
    browser.get(page.as_uri())
    assert red_marks(browser)["story"] is None  # training step 1: every number finite
    rounds = browser.find_element("id", "round")
    assert rounds.get_attribute("max") == "3"  # 4 steps: the optimizer refused step 4's infinite gradient
    browser.execute_script("arguments[0].value = 3; arguments[0].dispatchEvent(new Event('input'));", rounds)
    assert red_marks(browser)["story"] is None  # step 4: finite values, an infinite gradient later on
    browser.execute_script("arguments[0].value = 0; arguments[0].dispatchEvent(new Event('input'));", rounds)
    assert red_marks(browser)["ids"] == []
    assert severe(browser) == []


def test_a_long_label_without_spaces_wraps_in_the_panels_beside_the_graph(browser, tmp_path):
    # the caption and the explanation break lines at spaces only: a label of 84 characters without one ran past
    # the panel's edge, cut there ("#2 = a_very_long_..._goes_c") with its "* b = -6" on the next line
    a = Value(2.0, "a_very_long_label_for_a_learner_value_that_goes_on_and_on_without_any_space_at_all")
    root = (a * Value(-3.0, "b")).tanh()
    root.backward()
    browser.get(viz.save_html(root, tmp_path / "long.html").as_uri())
    click(browser, position(root, a.label))
    overflowing = browser.execute_script(
        "var out = [], last = +document.getElementById('slider').max;"
        "for (var step = 0; step <= last; step++) { ['caption', 'explanation'].forEach(function (id) {"
        " var e = document.getElementById(id); if (e.scrollWidth > e.clientWidth) out.push(id + ' ' + step); });"
        " document.getElementById('next').click(); }"
        "return out;"
    )
    assert overflowing == []
    assert severe(browser) == []


def test_the_shares_rounded_along_the_way_are_told_beside_the_drawing_while_it_draws_their_sum(browser, tmp_path):
    """x = 7.619e-151 in (x - x) + x*x: its shares 7.619e-151 + 7.619e-151 + 1 + (-1) beside "grad 0" (1.524e-150 on
    paper) had no word at the steps after the caption that adds them; the panel says it from there on."""
    x = Value(7.619e-151, label="x")
    out = (x - x) + x * x
    out.label = "out"
    browser.get(viz.save_html(out, tmp_path / "sums.html").as_uri())
    shown = []
    for step in range(5):
        step_to(browser, step)
        panel = browser.find_element("id", "sums")
        shown.append(panel.text if panel.is_displayed() else None)
    line = "x.grad = 7.619e-151 + 7.619e-151 + 1 + (-1) = 0 (on paper 1.524e-150: a float keeps about 16"
    assert shown[:3] == [None, None, None] and all(s.startswith(line) for s in shown[3:]), shown
    assert grad_text(browser, position(out, "x")) == "grad 0" and not severe(browser)
