"""The step-by-step page in a real headless Chromium: it loads, shows its first frame, steps on
next and on the arrow key, and logs no errors. CI installs chromium, its driver and selenium."""

import shutil
import tempfile

import pytest

import viz
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
