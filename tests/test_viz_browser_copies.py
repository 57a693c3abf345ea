"""The player page in headless Chromium, for a value drawn again beside its far uses (viz/repeats.py): its
copies are marked with it, picked when it is (a click on a copy picks the value) and red where draw draws them
red (on the first NaN's path), so that the copy clicked or the copy an infinity came through says so."""

import test_viz_browser
from test_viz_browser import pytestmark, severe  # noqa: F401 (pytestmark: skipped without chromium)

import viz
from autograd import Value, backward_order

browser = test_viz_browser.browser  # its fixture: headless Chromium driven by chromedriver


def chain(w: Value) -> Value:
    """r = tanh(r/2 + w * x_t) over 8 steps: w's uses from the third step on drawn from copies."""
    r = Value(1.0, label="r0")
    for t in range(8):
        r = (r * 0.5 + w * Value(0.1 * t, label=f"x{t}")).tanh()
    return r


def marked(browser, cls: str) -> list[str]:
    return browser.execute_script(f"return Array.from(document.querySelectorAll('#viewport .{cls}')).map("
                                  "function (g) { return g.id; }).filter(function (id) { return /^v/.test(id); })"
                                  ".sort();")  # fmt: skip


def test_a_click_on_a_copy_picks_the_value_and_every_copy_of_it(browser, tmp_path):
    w = Value(0.5, label="w")
    root = chain(w)
    k = next(i for i, n in enumerate(backward_order(root)) if n is w)
    browser.get(viz.save_html(root, tmp_path / "copies.html").as_uri())
    copies = browser.execute_script(f"return Array.from(document.querySelectorAll('[id^=\"v{k}_\"]'))"
                                    ".map(function (g) { return g.id; }).sort();")  # fmt: skip
    assert len(copies) == 6 and copies[0] == f"v{k}_1"
    copy = browser.find_element("id", copies[2])
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", copy)
    assert browser.find_element("id", "explanation").text == str(viz.explain(root, w))
    assert marked(browser, "picked") == sorted([f"v{k}", *copies])
    assert severe(browser) == []


def test_the_copies_of_the_first_infinity_are_red_as_draw_draws_them(browser, tmp_path):
    w = Value(float("inf"), label="w")  # the first non-finite number, used at every step
    root = chain(w)
    k = next(i for i, n in enumerate(backward_order(root)) if n is w)
    drawn = viz.draw(root, backward=True).source
    red_copies = sorted(f"v{k}_{j}" for j in range(1, 7) if f"id=v{k}_{j} penwidth=2.5" in drawn)
    assert len(red_copies) == 6  # draw draws them red
    browser.get(viz.save_html(root, tmp_path / "inf.html").as_uri())
    assert [f"v{k}", *red_copies] == [v for v in marked(browser, "nonfinite") if v.startswith(f"v{k}")]
    assert marked(browser, "first-nonfinite") == [f"v{k}"]  # the fill on its own box only, as draw fills it
    assert severe(browser) == []


def test_every_box_a_highlighted_path_leaves_from_is_highlighted_copies_too(browser, tmp_path):
    """exp(x) added at each of 24 levels is drawn again beyond 32 ranks: x's paths leave from those copies."""
    x = Value(0.5, label="x")
    s, h = x.exp(), Value(1.0, label="h0")
    for _ in range(24):
        h = h * 0.9 + s
    k = next(i for i, n in enumerate(backward_order(h)) if n is x)
    browser.get(viz.save_html(h, tmp_path / "chain.html").as_uri())
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));",
                           browser.find_element("id", f"v{k}"))  # fmt: skip
    tails, lit = browser.execute_script(
        "var on = Array.from(document.querySelectorAll('#viewport .onpath, #viewport .picked'));"
        "var tails = on.filter(function (g) { return /^e\\d+_\\d+$/.test(g.id); }).map(function (g) {"
        " return g.querySelector('title').textContent.split('->')[0]; });"
        "return [tails, on.map(function (g) { return g.id; })];"
    )
    assert any("_" in tail for tail in tails)  # some paths leave from a copy of exp(x)
    assert set(tails) <= set(lit)
    assert severe(browser) == []
