"""The player page in a real headless Chromium: it loads without errors, steps from the forward pass
(step 0, no gradients) through backward with the slider, the buttons and the keys, zooms and pans,
explains a clicked value's gradient, and stays small and quick on a 2-16-16-1 MLP.
CI installs chromium, its driver and selenium."""

import shutil
import tempfile

import pytest

import nn
import viz
from autograd import Value, backward_order
from nn.optim import SGD
from viz.demo import neuron
from viz.number_text import summary
from viz.player import player

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium and chromedriver are not installed")
X1 = 9  # x1's position in backward's order: o, n, b, x1*w1 + x2*w2, x2*w2, w2, x2, x1*w1, w1, x1


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,900", f"--user-data-dir={tempfile.mkdtemp()}"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    yield driver
    driver.quit()


def severe(browser) -> list:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def text(browser, element_id: str) -> str:
    return browser.find_element(By.ID, element_id).text


def grad_text(browser, position: int) -> str:
    texts = browser.find_element(By.ID, f"v{position}").find_elements(By.TAG_NAME, "text")
    return texts[-1].get_attribute("textContent")  # also when panned out of view


def grad_texts(browser) -> list[str]:
    return browser.execute_script(
        "return page.values.map(function (k) { var t = document.getElementById('v' + k)"
        ".getElementsByTagName('text'); return t[t.length - 1].textContent; });"
    )


def sent_edges(browser) -> list[str]:
    """The ids of the edges into ops ("e<child>_<input>") that show a gradient sent along them."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('g.edge')).map(function (e) { return e.id; })"
        ".filter(function (id) { return /^e\\d+_\\d+$/.test(id) && !document.getElementById(id)"
        ".classList.contains('pending'); });"
    )


def test_step_zero_is_the_forward_pass_then_buttons_keys_and_slider_step_backward(browser, tmp_path):
    page = viz.save_html(neuron(), tmp_path / "backprop.html")
    browser.get(page.as_uri())
    assert text(browser, "counter") == "step 0: forward"
    assert set(grad_texts(browser)) == {"grad not computed"}  # no gradient shown in the forward pass
    assert "forward pass" in text(browser, "caption") and "o = tanh(n) = 0.7071" in text(browser, "caption")
    assert sent_edges(browser) == []  # no edge has sent anything yet
    body = browser.find_element(By.TAG_NAME, "body")
    browser.find_element(By.ID, "next").click()
    assert text(browser, "counter") == "step 1 of 10" and grad_text(browser, 0) == "grad 1"
    assert sent_edges(browser) == ["e0_0"]  # o's op, tanh, sent to n
    assert "current" in browser.find_element(By.ID, "v0").get_attribute("class")
    for _ in range(7):
        body.send_keys(Keys.ARROW_RIGHT)
    assert text(browser, "counter") == "step 8 of 10" and grad_text(browser, X1) == "grad -1.5"
    assert "current" in browser.find_element(By.ID, "v7").get_attribute("class")
    body.send_keys(Keys.ARROW_LEFT)
    assert grad_text(browser, X1) == "grad not computed"
    assert "current" not in browser.find_element(By.ID, "v7").get_attribute("class")
    slider = browser.find_element(By.ID, "slider")
    browser.execute_script("arguments[0].value = 10; arguments[0].dispatchEvent(new Event('input'));", slider)
    assert text(browser, "counter") == "step 10 of 10" and "not computed" not in " ".join(grad_texts(browser))
    browser.find_element(By.ID, "prev").click()
    assert slider.get_attribute("value") == "9"
    browser.execute_script("arguments[0].value = 0; arguments[0].dispatchEvent(new Event('input'));", slider)
    assert set(grad_texts(browser)) == {"grad not computed"}
    assert severe(browser) == []


def test_captions_carry_the_chain_rule_arithmetic_and_sums_of_contributions(browser, tmp_path):
    a = Value(2.0, label="a")
    b = a * a
    c = b + a
    page = viz.save_html(c, tmp_path / "reuse.html")
    browser.get(page.as_uri())
    browser.find_element(By.ID, "next").click()
    assert "share of ∂#1/∂a via input 2 of +: ∂#1/∂#1 · local = 1 × 1 = 1" in text(browser, "caption")
    browser.find_element(By.ID, "next").click()
    caption = text(browser, "caption")
    assert "share of ∂#1/∂a via input 1 of *: ∂#1/∂#2 · local = 1 × 2 = 2    (∂(①·②)/∂① = ②)" in caption
    assert "a.grad = 1 + 2 = 3" in caption and "a.grad = 1 + 2 + 2 = 5" in caption
    assert "nan" not in caption
    assert severe(browser) == []


def test_zoom_pan_and_fit_change_the_view(browser, tmp_path):
    page = viz.save_html(neuron(), tmp_path / "backprop.html")
    browser.get(page.as_uri())
    svg = browser.find_element(By.CSS_SELECTOR, "#viewport svg")
    view = lambda: [float(x) for x in svg.get_dom_attribute("viewBox").split()]  # noqa: E731
    browser.find_element(By.ID, "fit").click()
    fitted = view()
    assert fitted[2] >= 2582 * 0.99  # the whole drawing (2582 points wide) is in view
    ActionChains(browser).scroll_from_origin(ScrollOrigin.from_element(svg), 0, -300).perform()
    zoomed = view()
    assert zoomed[2] < fitted[2] * 0.8  # wheel up zooms in, about the cursor (at the centre)
    assert zoomed[0] + zoomed[2] / 2 == pytest.approx(fitted[0] + fitted[2] / 2, abs=fitted[2] / 500)  # a pixel
    ActionChains(browser).move_to_element(svg).click_and_hold().move_by_offset(120, 40).release().perform()
    panned = view()
    assert panned[2] == pytest.approx(zoomed[2]) and panned[0] < zoomed[0] and panned[1] < zoomed[1]
    browser.find_element(By.ID, "zoom-in").click()
    assert view()[2] < panned[2]
    browser.find_element(By.ID, "fit").click()
    assert view() == pytest.approx(fitted)
    assert severe(browser) == []


def test_follow_keeps_each_steps_value_op_and_labelled_edges_in_view(browser, tmp_path):
    page = viz.save_html(neuron(), tmp_path / "backprop.html")  # 2582 points wide: drawn at its size, not fitted
    browser.get(page.as_uri())
    outside = (  # the ids of the step's value, op and edges sent along (with their labels) not wholly in view
        "var r = document.getElementById('viewport').getBoundingClientRect();"
        "return Array.from(document.querySelectorAll('#viewport .current, #viewport .bold')).filter(function (e) {"
        "var b = e.getBoundingClientRect(); return b.left < r.left - 1 || b.right > r.right + 1"
        " || b.top < r.top - 1 || b.bottom > r.bottom + 1; }).map(function (e) { return e.id; });"
    )
    for step in range(1, 11):
        browser.find_element(By.ID, "next").click()
        assert browser.execute_script(outside) == [], f"step {step}"
    assert severe(browser) == []


def test_clicking_a_value_highlights_its_paths_and_sums_them_to_its_gradient(browser, tmp_path):
    a = Value(2.0, label="a")
    b = a * a
    c = b + a
    page = viz.save_html(c, tmp_path / "reuse.html")
    browser.get(page.as_uri())
    browser.find_element(By.ID, "fit").click()
    leaf = browser.find_element(By.ID, "v2")  # a: #1 = #2 + a, #2 = a * a
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", leaf)
    explanation = text(browser, "explanation")
    assert "∂#1/∂a = 5: the sum over the 3 paths from a up to #1" in explanation
    assert "total: 1 + 2 + 2 = 5 = ∂#1/∂a" in explanation  # in backward's order, as viz.explain tells it
    assert explanation == str(viz.explain(c, a))
    highlighted = {e.get_attribute("id") for e in browser.find_elements(By.CSS_SELECTOR, ".edge.onpath")}
    assert {"e0_0", "e0_1", "e1_0", "e1_1"} <= highlighted  # both uses by *, the use by +, and * to +
    assert "picked" in leaf.get_attribute("class")
    browser.find_element(By.ID, "next").click()
    browser.find_element(By.ID, "next").click()
    browser.find_element(By.ID, "next").click()
    assert grad_text(browser, 2) == "grad 5"  # what the explanation's total said
    assert severe(browser) == []


def test_a_grouped_explanation_still_adds_up_to_the_gradient(browser, tmp_path):
    x = Value(0.5, label="x")
    y = x
    for _ in range(6):  # 3 edges from each y to the next: 3**6 paths from x, more than are listed
        y = y * 0.9 + y * y
    page = viz.save_html(y, tmp_path / "many.html")
    browser.get(page.as_uri())
    x_box = browser.execute_script("return document.getElementById('v' + page.names.indexOf('x'));")
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", x_box)
    explanation = text(browser, "explanation")
    told = viz.explain(y, x)
    assert told.count == 3**6 and f"the sum over the {told.count} paths" in explanation
    assert f"the other {told.count - len(told.paths)} paths: {summary(told.rest)} together" in explanation
    assert f"= {summary(told.total)} = ∂#1/∂x, the gradient backward gives" in explanation
    assert explanation == str(told)  # as viz.explain tells it
    assert explanation.count("path ") >= len(told.paths)
    assert severe(browser) == []


def test_with_an_optimizer_the_last_step_shows_the_update_and_stepping_back_undoes_it(browser, tmp_path):
    root = neuron()
    w1 = next(n for n in backward_order(root) if n.label == "w1")
    position = next(i for i, n in enumerate(backward_order(root)) if n is w1)
    page = viz.save_html(root, tmp_path / "train.html", optimizer=SGD([w1], lr=0.1))
    browser.get(page.as_uri())
    data_text = lambda: browser.find_element(By.ID, f"v{position}").find_elements(By.TAG_NAME, "text")[-2]  # noqa: E731
    assert data_text().get_attribute("textContent") == "data -3"
    slider = browser.find_element(By.ID, "slider")
    browser.execute_script("arguments[0].value = 11; arguments[0].dispatchEvent(new Event('input'));", slider)
    assert text(browser, "counter") == "step 11: update"
    assert data_text().get_attribute("textContent") == "data -3.1" and grad_text(browser, position) == "grad 1"
    assert "w1 ← w1 − 0.1 × 1: -3 → -3.1" in text(browser, "caption")
    browser.find_element(By.ID, "prev").click()
    assert data_text().get_attribute("textContent") == "data -3"
    assert "updated" not in browser.find_element(By.ID, f"v{position}").get_attribute("class")
    assert severe(browser) == []


def test_a_2_16_16_1_mlp_page_is_small_and_plays(browser, tmp_path):
    # no clock here: timed tests fail on shared, loaded machines (its speed is the player's own to show)
    out = nn.MLP(2, [16, 16, 1], seed=0)([0.5, -1.0])
    order = backward_order(out)
    nodes = len(order) + sum(1 for n in order if n.op is not None)
    page = viz.save_html(out, tmp_path / "mlp.html", max_nodes=None)
    assert nodes > 1000 and page.stat().st_size < 10_000 * nodes
    browser.get(page.as_uri())
    browser.find_element(By.ID, "next").click()
    browser.find_element(By.ID, "next").click()
    assert text(browser, "counter").startswith("step 2 of ")
    assert severe(browser) == []


def test_the_inline_player_embeds_the_page_in_an_iframe(browser, tmp_path):
    shown = player(neuron())
    frame = shown._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "<script>" not in frame  # escaped into the attribute
    (tmp_path / "notebook.html").write_text(f"<!DOCTYPE html><html><body>{frame}</body></html>")
    browser.get((tmp_path / "notebook.html").as_uri())
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    assert text(browser, "counter") == "step 0: forward"
    browser.find_element(By.ID, "next").click()
    assert grad_text(browser, 0) == "grad 1"
    assert severe(browser) == []


def test_the_training_slider_shows_each_training_steps_numbers_and_the_loss_line(browser, tmp_path):
    model = nn.MLP(2, [4, 1], seed=0)
    points, targets = [[0.5, -1.0], [1.0, 0.3], [-0.7, 0.2], [0.1, 0.9]], [1.0, -1.0, 1.0, -1.0]
    training = viz.training_steps(
        model,
        lambda m, batch: sum((m(x) - y) ** 2 for x, y in zip(*batch)),
        (points, targets),
        SGD(model.parameters(), lr=0.05),
        steps=10,
    )
    page = viz.save_html(training, tmp_path / "training.html")
    assert page.stat().st_size < 1_200_000
    browser.get(page.as_uri())
    name = "layers.0.neurons.0.w.0"
    position = browser.execute_script(f"return page.names.indexOf('{name}');")
    weight = lambda t: dict(training.models[t].named_parameters())[name]  # noqa: E731
    data_text = lambda: browser.find_element(By.ID, f"v{position}").find_elements(By.TAG_NAME, "text")[-2]  # noqa: E731
    now = lambda: [d.get_attribute("id") for d in browser.find_elements(By.CSS_SELECTOR, "#losses circle.now")]  # noqa: E731
    assert text(browser, "round-counter") == f"1 of 10, loss {summary(training.losses[0])}" and now() == ["loss0"]
    assert data_text().get_attribute("textContent") == f"data {summary(weight(0).data)}"
    backward = browser.execute_script("return runs[0].steps.length;")
    slider, rounds = browser.find_element(By.ID, "slider"), browser.find_element(By.ID, "round")
    browser.execute_script(f"arguments[0].value = {backward}; arguments[0].dispatchEvent(new Event('input'));", slider)
    assert grad_text(browser, position) == f"grad {summary(weight(0).grad)}"
    edge_numbers = lambda: browser.execute_script(  # noqa: E731 (the edges sending the weight its gradient)
        f"return page.edges.filter(function (e) {{ return e[2] === {position}; }}).map(function (e) {{"
        " return document.getElementById('e' + e[0] + '_' + e[1]).getElementsByTagName('text')[1].textContent; });"
    )
    caption, numbers = text(browser, "caption"), edge_numbers()
    browser.execute_script("arguments[0].value = 5; arguments[0].dispatchEvent(new Event('input'));", rounds)
    assert text(browser, "round-counter") == f"6 of 10, loss {summary(training.losses[5])}" and now() == ["loss5"]
    assert text(browser, "counter") == f"step {backward} of {backward}"  # the same backward step, another training step
    assert data_text().get_attribute("textContent") == f"data {summary(weight(5).data)}"
    assert grad_text(browser, position) == f"grad {summary(weight(5).grad)}"
    assert text(browser, "caption") != caption and edge_numbers() != numbers
    browser.find_element(By.ID, "next").click()
    assert text(browser, "counter") == f"step {backward + 1}: update"
    assert data_text().get_attribute("textContent") == f"data {summary(weight(6).data)}"  # the next step's weight
    browser.find_element(By.ID, "next").click()  # past the update: the next training step's forward pass
    assert text(browser, "counter") == "step 0: forward" and now() == ["loss6"]
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.PAGE_UP)
    assert now() == ["loss5"] and rounds.get_attribute("value") == "5"
    browser.find_element(By.ID, "loss9").click()  # a point of the loss line picks its step
    assert text(browser, "round-counter").startswith("10 of 10")
    assert severe(browser) == []
