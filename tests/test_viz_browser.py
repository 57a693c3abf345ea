"""The step-by-step page in a real headless Chromium: it loads, shows its first frame, steps on
next and on the arrow key, and logs no errors. CI installs chromium, its driver and selenium."""

import shutil
import tempfile
import time

import pytest

import nn
import viz
from autograd import topological_order
from viz.demo import neuron

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium and chromedriver are not installed")


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tempfile.mkdtemp()}"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    yield driver
    driver.quit()


def test_page_loads_steps_forward_and_back_without_errors(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = viz.save_html(neuron(), tmp_path / "backprop.html")
    browser.get(page.as_uri())
    counter = browser.find_element(By.ID, "counter")
    shown = lambda: [
        f.get_attribute("id") for f in browser.find_elements(By.CSS_SELECTOR, ".frame") if f.is_displayed()
    ]  # noqa: E731
    assert counter.text == "step 1 of 10" and shown() == ["frame0"]
    assert browser.find_element(By.ID, "frame0").find_element(By.TAG_NAME, "svg").size["width"] > 100
    first_caption = browser.find_element(By.ID, "caption").text
    browser.find_element(By.ID, "next").click()
    assert counter.text == "step 2 of 10" and shown() == ["frame1"]
    assert browser.find_element(By.ID, "caption").text != first_caption
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert counter.text == "step 3 of 10" and shown() == ["frame2"]
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_LEFT)
    browser.find_element(By.ID, "prev").click()
    assert counter.text == "step 1 of 10"
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def grad_text(browser, position: int) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, f"v{position}").find_elements(By.TAG_NAME, "text")[-1].text


def test_one_svg_updated_step_by_step_back_and_forth(browser, tmp_path):
    from selenium.webdriver.common.by import By

    page = viz.save_html(neuron(), tmp_path / "backprop.html")
    assert page.read_text().count("<svg") == 1
    browser.get(page.as_uri())
    x1 = 4  # x1's position in backward's order: o, n, x1*w1 + x2*w2, x1*w1, x1, ...
    assert grad_text(browser, 0) == "grad 1" and grad_text(browser, x1) == "grad not computed"
    assert "current" in browser.find_element(By.ID, "v0").get_attribute("class")
    pending = lambda: len(browser.find_elements(By.CSS_SELECTOR, ".edge.pending"))  # noqa: E731
    before = pending()
    for _ in range(3):
        browser.find_element(By.ID, "next").click()
    assert browser.find_element(By.ID, "counter").text == "step 4 of 10" and pending() < before
    assert grad_text(browser, x1) == "grad -1.5"  # sent by x1*w1, at position 3, in step 4
    assert "current" in browser.find_element(By.ID, "v3").get_attribute("class")
    browser.find_element(By.ID, "prev").click()
    assert grad_text(browser, x1) == "grad not computed"
    assert "current" not in browser.find_element(By.ID, "v3").get_attribute("class")
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_thousand_node_mlp_page_is_small_quick_and_plays(browser, tmp_path):
    from selenium.webdriver.common.by import By

    out = nn.MLP(2, [16, 16, 1], seed=0)([0.5, -1.0])
    order = topological_order(out)
    nodes = len(order) + sum(1 for n in order if n.op is not None)
    start = time.perf_counter()
    page = viz.save_html(out, tmp_path / "mlp.html", max_nodes=None)
    assert time.perf_counter() - start < 20 and nodes > 1000
    assert page.stat().st_size < 10_000 * nodes
    browser.get(page.as_uri())
    browser.find_element(By.ID, "next").click()
    assert browser.find_element(By.ID, "counter").text.startswith("step 2 of ")
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
