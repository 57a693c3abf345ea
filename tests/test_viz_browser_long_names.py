"""The player page in headless Chromium with a long label: drawn shortened (its start … its end), the whole name is
the hover text of its box, of the edge labels naming it and of the captions; a long title wraps, where it made the
page scroll sideways."""

import pytest
import test_viz_browser
from test_viz_browser import pytestmark, severe  # noqa: F401 (pytestmark: skipped without chromium)
from test_viz_long_names import LONG, neuron

import viz
from viz.text import drawn, shortened, visible

browser = test_viz_browser.browser  # its fixture: headless Chromium driven by chromedriver

HOVER = (  # what the browser shows on hover: a box's and a caption's title, the <title> of an edge label's line
    "var shown = arguments[0], box = document.getElementById('v' + page.names.indexOf(shown));"
    "var lines = [].filter.call(document.querySelectorAll('g.edge text'), function (t) {"
    " return t.textContent.indexOf(shown) >= 0; });"
    "var titled = lines.filter(function (t) { return t.querySelector('title'); });"
    "var captions = [];"
    "for (var s = 0; s <= +document.getElementById('slider').max; s++) {"
    " var caption = document.getElementById('caption');"
    " if (caption.textContent.indexOf(shown) >= 0) captions.push(caption.title);"
    " document.getElementById('next').click(); }"
    "box.dispatchEvent(new MouseEvent('click', {bubbles: true}));"
    "return {box: box.querySelector('title').textContent, lines: lines.length,"
    " edges: titled.map(function (t) { return t.querySelector('title').textContent; }), captions: captions,"
    " explained: document.getElementById('explanation').title,"
    " sideways: document.documentElement.scrollWidth - window.innerWidth};"
)


def test_a_long_name_is_whole_on_hover_and_a_long_title_wraps(browser, tmp_path):
    path = viz.save_html(neuron(LONG), tmp_path / "long.html", title=LONG)
    browser.get(path.as_uri())
    shown = shortened(LONG)
    found = browser.execute_script(HOVER, shown)
    whole = f"{shown} is {LONG}"
    assert found["box"] == whole
    assert found["lines"] >= 3 and found["edges"] == [whole] * found["lines"]
    assert found["captions"] and all(c == whole for c in found["captions"])
    assert found["explained"] == whole
    assert found["sideways"] <= 0  # the title wraps: a 195-character one made the page 2,253 pixels wide in a 1,400 one
    assert severe(browser) == []


@pytest.mark.parametrize("label", ["é " + "mot très long " * 4, "שלום עולם " * 4 + "סוף"])
def test_a_long_name_drawn_with_no_break_spaces_is_whole_on_hover(browser, tmp_path, label):
    """A record writes a space before its field's first ASCII letter as a no-break space (text.escape_field), which
    graphviz keeps: the box of "é mot très long…" had no hover text, its text matching no shortened name."""
    browser.get(viz.save_html(neuron(label), tmp_path / "long.html").as_uri())
    shown = drawn(label)
    found = browser.execute_script(HOVER, shown)
    assert found["box"] == f"{shown} is {visible(label)}"
    assert found["edges"] and all(t == found["box"] for t in found["edges"])
    assert severe(browser) == []


def test_a_box_numbered_apart_is_not_told_as_the_bare_name_it_starts_with(browser, tmp_path):
    """The value "…ut_projection#3" beside an op drawn "…ut_projection": the value's box said on hover that
    "…ut_projection is model_encoder_layers_0_…" (the op's name) too, "x…y" found in "x…y#3"."""
    from test_viz_short_names_apart import PATHS, SHORT, value_beside_op

    browser.get(viz.save_html(value_beside_op(), tmp_path / "apart.html").as_uri())
    found = browser.execute_script(HOVER, f"{SHORT}#3")
    assert found["box"] == f"{SHORT}#3 is {PATHS[1]}#3"
    assert found["edges"] and all(t == found["box"] for t in found["edges"])
    assert severe(browser) == []
