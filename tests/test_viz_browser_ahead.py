"""The player page in headless Chromium: a value clicked before backward gives it its gradient (at step 0,
its box reading "not computed") is explained with a note saying the step that gives it, until that step."""

import test_viz_browser
from selenium.webdriver.common.by import By
from test_viz_browser import grad_text, pytestmark, severe  # noqa: F401 (pytestmark: skipped without chromium)
from test_viz_browser_panels import click

import viz
from autograd import Value

browser = test_viz_browser.browser  # its fixture: headless Chromium driven by chromedriver


def ahead(browser) -> str | None:
    """The note beside the clicked value's explanation, None while it is hidden."""
    note = browser.find_element(By.ID, "ahead")
    return None if note.get_attribute("hidden") is not None else note.get_attribute("textContent")


def test_an_explanation_ahead_of_backward_says_which_step_gives_the_gradient(browser, tmp_path):
    a = Value(2.0, label="a")
    c = a * a + a  # #1 = #2 + a, #2 = a * a: a gets a share at step 1, the last two at step 2
    browser.get(viz.save_html(c, tmp_path / "ahead.html").as_uri())
    assert ahead(browser) is None
    assert click(browser, 2) == str(viz.explain(c, a))  # ∂#1/∂a = 5, before backward gives it
    assert ahead(browser) == "ahead of backward, which gives a this gradient at step 2 (its box shows it from there):"
    browser.find_element(By.ID, "next").click()
    assert "at step 2" in ahead(browser) and grad_text(browser, 2) == "grad 1 so far (1 of 3 shares)"
    browser.find_element(By.ID, "next").click()
    assert ahead(browser) is None and grad_text(browser, 2) == "grad 5"
    browser.find_element(By.ID, "prev").click()
    assert "at step 2" in ahead(browser)
    svg = browser.find_element(By.CSS_SELECTOR, "#viewport svg")  # a click beside the values: none picked, no note
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", svg)
    assert ahead(browser) is None
    assert severe(browser) == []
