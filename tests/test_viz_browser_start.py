"""The player's first view (step 0) in headless Chromium, in a 900x700 window: a 2-4-4-1 MLP is too wide to
read whole, so the view shows where backward starts: the root, outlined, and its op wholly in view at the
drawing's own size, the root at the right edge with the inputs it came from filling the rest. It centred the
root: half the view empty to its right, its op cut off at the left edge, nothing said where to begin."""

import test_viz_browser
from test_viz_browser import pytestmark, severe  # noqa: F401 (pytestmark: skipped without chromium)
from test_viz_browser_follow import NOT_IN_VIEW, mlp_page

import nn
import viz
from autograd import Value

browser = test_viz_browser.browser  # its fixture: headless Chromium driven by chromedriver

FIRST_VIEW = (  # what step 0 shows, taken in one script
    "var r = document.getElementById('viewport').getBoundingClientRect();"
    "var root = document.getElementById('v0'), op = document.getElementById('o0');"
    "function out(e) { var b = e.getBoundingClientRect(); return b.left < r.left - 1 || b.right > r.right + 1"
    " || b.top < r.top - 1 || b.bottom > r.bottom + 1; }"
    "return {outside: [root, op].filter(out).map(function (e) { return e.id; }),"
    " emptyRight: r.right - root.getBoundingClientRect().right, rootWidth: root.getBoundingClientRect().width,"
    " start: root.classList.contains('start'), caption: document.getElementById('caption').textContent};"
)


def test_the_first_view_shows_where_backward_starts_with_its_op_outlined(browser, tmp_path):
    browser.set_window_size(900, 700)
    browser.get(mlp_page(tmp_path).as_uri())
    seen = browser.execute_script(FIRST_VIEW)
    assert seen["outside"] == []  # was ["o0"]: the op cut off at the left edge
    assert seen["emptyRight"] < 40  # was 130 pixels of nothing right of the root
    assert seen["rootWidth"] > 250  # at the drawing's own size (0.75 points a pixel), readable
    assert seen["start"] and "backward starts at out, outlined in dashes, at the next step" in seen["caption"]
    after = browser.execute_script(
        "document.getElementById('next').click(); var r = {start: document.getElementById('v0').classList"
        f".contains('start')}}; r.unseen = (function () {{ {NOT_IN_VIEW} }})(); return r;"
    )
    assert after == {"start": False, "unseen": []}  # step 1: the root is current, no longer the start
    a, x = Value(0.5, label="a"), Value(2.0, label="x")
    y = (a * x).tanh() + a
    y.label = "y"
    browser.get(viz.save_html(y, tmp_path / "tanh.html").as_uri())
    small = browser.execute_script(FIRST_VIEW)
    assert small["outside"] == [] and small["start"]  # a small graph is still drawn whole
    assert severe(browser) == []


def test_a_drawing_read_top_to_bottom_starts_with_the_root_at_the_bottom_centred(browser, tmp_path):
    """rankdir='TB' puts the root at the bottom, its inputs above, spread either way: the first view put the
    root at the right edge (as for a drawing read left to right), hiding the half of the graph right of it."""
    browser.set_window_size(900, 700)
    model = nn.MLP(2, [4, 4, 1], seed=0)
    out = model([0.5, -1.0])
    out.label = "out"
    browser.get(viz.save_html(out, tmp_path / "tb.html", modules=model, rankdir="TB").as_uri())
    seen = browser.execute_script(
        FIRST_VIEW.replace(
            "return {",
            "var b = root.getBoundingClientRect(); return {emptyBelow: r.bottom - b.bottom,"
            " offCentre: (b.left + b.right) / 2 - (r.left + r.right) / 2,",
        )  # fmt: skip
    )
    assert seen["outside"] == [] and seen["start"] and seen["rootWidth"] > 150  # own size: fields stacked, narrower
    assert seen["emptyBelow"] < 40 and abs(seen["offCentre"]) < 40  # was 152 pixels right of the centre
    assert severe(browser) == []
