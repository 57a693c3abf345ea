"""Make the README's pictures under docs/images/: micrograd's neuron drawn with the chain rule on
every edge, and a step of the HTML player (headless Chromium through selenium, as the browser
tests drive it). Run from the repository: python docs/make_images.py"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By

import viz
from viz.demo import neuron

IMAGES = Path(__file__).resolve().parent / "images"
STEPS = 4  # the player's step shown: x1*w1 + x2*w2 sends its gradient to x1*w1 and x2*w2


def chain_rule_drawing() -> Path:
    o = neuron()
    o.backward()
    return Path(viz.render(o, IMAGES / "neuron_backward.png", backward=True))


def player_step(page: Path) -> Path:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1400,800",
                 "--disable-background-networking", f"--user-data-dir={tempfile.mkdtemp()}"):  # fmt: skip
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    with webdriver.Chrome(options=options, service=service) as browser:
        browser.get(page.as_uri())
        for _ in range(STEPS):
            browser.find_element(By.ID, "next").click()
        out = IMAGES / "player_step.png"
        browser.save_screenshot(str(out))
    return out


def main() -> None:
    IMAGES.mkdir(exist_ok=True)
    print("wrote", chain_rule_drawing())
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "neuron.html"
        viz.save_html(neuron(), page, title="micrograd's neuron, step by step")
        print("wrote", player_step(page))


if __name__ == "__main__":
    main()
