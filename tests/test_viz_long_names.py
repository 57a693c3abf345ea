"""A long name (a label, a module's path, an op's name) is drawn shortened, its start and its end with … between, at
a fixed width: a 195-character label drew a box 4,521 pixels wide (a backward drawing 8,756), the rest of the graph
shrunk to nothing beside it. Its whole text stays reachable: in a note under the drawing (a PNG has no tooltips),
in the SVG's tooltips, on hover in the player's page, and in explain's text; two long names alike at both ends are
told apart by their step, as two values of one label are."""

import html
import re
import unicodedata
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from test_viz_player import page_data

import nn
import viz
from autograd import Op, Tensor, Value
from viz.html import page_html
from viz.long_names import NOTE_HEAD
from viz.text import NAME_COLUMNS, NOTE_COLUMNS, shortened, visible, wrapped

SVG = "{http://www.w3.org/2000/svg}"
LONG = ("encoder.layers.0.self_attention.query_projection.weight_" * 4)[:195]
OPTIONS = [{}, {"backward": True}, {"check": True}]


def columns(text: str) -> int:
    """Columns of a fixed-width font: 2 for a wide character, 0 for a mark or a format character."""
    wide = lambda c: 2 if unicodedata.east_asian_width(c) in "WF" else 1  # noqa: E731
    return sum(0 if unicodedata.category(c) in ("Mn", "Mc", "Me", "Cf") else wide(c) for c in text)


def svg_of(drawing) -> str:
    return drawing.pipe(format="svg").decode()


def width(drawing) -> int:
    return int(re.search(r'<svg width="(\d+)pt"', svg_of(drawing)).group(1))


def tooltips(drawing) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'xlink:title="([^"]*)"', svg_of(drawing))]


def neuron(label: str) -> Value:
    a, b = Value(2.0, label=label), Value(-3.0, label="b")
    y = (a * b + a).tanh()
    y.label = "y"
    y.backward()
    return y


def note_lines(drawing) -> list[str]:
    """The lines of the note giving the shortened names whole, as the SVG draws them."""
    graph = ET.fromstring(drawing.pipe(format="svg")).find(SVG + "g")
    lines = [t.text.replace("\xa0", " ") for t in graph.findall(SVG + "text")]  # the graph's own: its notes
    return lines[lines.index(NOTE_HEAD) + 1 :]  # svg keeps a run of spaces as no-break spaces


def told(drawing, shown: str, whole: str) -> bool:
    """Whether the note under `drawing` says "`shown` is `whole`", in its lines as they wrap."""
    lines, said = note_lines(drawing), wrapped(f"{shown} is {whole}", NOTE_COLUMNS)
    return any(lines[k : k + len(said)] == said for k in range(len(lines)))


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("label", [LONG, LONG * 5])
def test_a_long_label_draws_as_wide_as_its_shortened_form_given_as_the_label(label, options):
    """LONG (195 characters) drew 2,103 points wide (backward: 6,525, check=True: 2,235), where its shortened form
    draws 1,200 (2,310; 1,332); LONG * 5 drew 6,435 (26,877; 6,567)."""
    shown = shortened(label)
    assert columns(shown) == NAME_COLUMNS
    assert width(viz.draw(neuron(label), **options)) == width(viz.draw(neuron(shown), **options))


def test_the_whole_name_is_in_the_tooltips_and_in_the_note_under_the_drawing():
    y = neuron(LONG)
    drawing = viz.draw(y, backward=True)
    shown = shortened(LONG)
    assert shown.startswith(LONG[:10]) and shown.endswith(LONG[-10:]) and "…" in shown and columns(shown) <= 32
    assert f"{{ {shown} | data 2 |" in drawing.source  # the record
    assert LONG in tooltips(drawing)  # the box's
    assert f"∂y/∂{shown}" in drawing.source  # the edges' chain rule names it as the record does
    edge_tips = [t for t in tooltips(drawing) if t.startswith(f"{shown} is ")]
    assert edge_tips and all(t == f"{shown} is {LONG}" for t in edge_tips)  # the edges' labels'
    assert note_lines(drawing) == wrapped(f"{shown} is {LONG}", NOTE_COLUMNS)  # a PNG's reader has it too


def test_names_drawn_whole_get_no_note_and_no_tooltip():
    drawing = viz.draw(neuron(LONG[:NAME_COLUMNS]), backward=True)
    assert NOTE_HEAD not in drawing.source and "tooltip" not in drawing.source


def test_two_long_names_alike_at_both_ends_are_told_apart():
    first, second = LONG[:100] + "A" + LONG[100:], LONG[:100] + "B" + LONG[100:]
    assert shortened(first) == shortened(second)
    a, b = Value(2.0, label=first), Value(3.0, label=second)
    y = a * b
    y.backward()
    drawing = viz.draw(y, backward=True)
    boxes = re.findall(r'label="\{ (\S+) \| data (\d) \|.* tooltip="([^"]+)"', drawing.source)
    drawn = {data: (shown, whole) for shown, data, whole in boxes}
    assert drawn["2"][0] != drawn["3"][0]  # by their steps: "encoder.layers.0.s…ction.weight_#2" and "…#3"
    for data, label in (("2", first), ("3", second)):
        shown, whole = drawn[data]
        k = shown.rsplit("#", 1)[1]
        assert shown == f"{shortened(label)}#{k}" and whole == f"{label}#{k}"  # its own whole name, by its #k
        assert told(drawing, shown, f"{label}#{k}")


@pytest.mark.parametrize(
    "label",
    [
        "漢字の名前" * 30,  # wide characters: two columns each
        "e\u0301" * 100,  # a mark on each letter, never parted from it
        "line one\nline two " * 15,  # line breaks as ⏎
        '<{a|b}> "quoted" \\N \\G &amp; ' * 8,  # graphviz's special characters, and its escapes
        "שלום עולם " * 20,  # right to left, between its isolate's ends
    ],
)
def test_any_long_label_is_shortened_to_the_width_and_whole_in_its_tooltip(label):
    shown = shortened(visible(label))
    assert columns(shown) <= NAME_COLUMNS
    assert unicodedata.category(shown[shown.index("…") + 1])[0] != "M"  # the end starts at a character, not a mark
    drawing = viz.draw(neuron(label), backward=True)
    assert visible(label) in tooltips(drawing)  # whole, the escapes not taken as graphviz's (\N is not the node's name)
    assert note_lines(drawing) == wrapped(f"{shown} is {visible(label)}", NOTE_COLUMNS)
    assert width(drawing) <= width(viz.draw(neuron(shown), backward=True))  # its note's lines, at most as wide


def test_a_long_op_name_a_module_path_and_a_constant_label_are_shortened_too():
    op = Op("my_" + "very_long_op_name_" * 10, lambda x: x * 2.0, lambda g, out, x: (g * 2.0,))
    x = Value(1.5, label="x")
    z = op(x) * x
    z.backward()
    drawing = viz.draw(z, backward=True)
    assert f'label="{shortened(op.name)}\\nstep' in drawing.source and told(drawing, shortened(op.name), op.name)

    path = "a_rather_long_module_name_" * 4
    model = Deep(path)
    inputs = Tensor(np.ones((3, 2)), label="X" * 80)  # a constant, drawn by its label
    loss = model(inputs).sum()
    for collapse in (False, True):
        drawing = viz.draw(loss, modules=model, collapse=collapse)
        assert shortened(path) in drawing.source and told(drawing, shortened(path), path) and path in tooltips(drawing)
    assert "X" * 80 in tooltips(viz.draw(loss)) and shortened("X" * 80) in viz.draw(loss).source


class Deep(nn.Module):
    """A model whose one layer has a long name."""

    def __init__(self, name: str) -> None:
        super().__init__()
        setattr(self, name, nn.Linear(2, 1, seed=0))
        self.name = name

    def forward(self, x: Tensor) -> Tensor:
        return getattr(self, self.name)(x)


def test_the_player_names_a_long_label_shortened_and_gives_it_whole_on_hover():
    y = neuron(LONG)
    page = page_html(y)
    data, shown = page_data(page), shortened(LONG)
    assert data["whole"] == {shown: LONG} and shown in data["names"]
    assert any(shown in c for c in data["captions"]) and not any(LONG in c for c in data["captions"])
    assert "xlink:title" not in page  # the script gives the whole name: a tooltip's link would wrap what it styles


def test_explain_tells_the_whole_name():
    y = neuron(LONG)
    a = next(n for n in y.parents[0].parents[0].parents if n.label == LONG)
    assert LONG in str(viz.explain(y, a))


class Twins(nn.Module):
    """A model of two layers whose long names are alike at both ends (layers 0 and 1 of an encoder)."""

    def __init__(self) -> None:
        super().__init__()
        self.names = [f"model_encoder_layers_{k}_self_attention_output_projection" for k in (0, 1)]
        for k, name in enumerate(self.names):
            setattr(self, name, nn.Linear(2, 2, seed=k))

    def forward(self, x: Tensor) -> Tensor:
        return getattr(self, self.names[1])(getattr(self, self.names[0])(x))


def test_two_module_paths_shortened_alike_are_numbered_apart_and_each_named_whole():
    """Both layers' clusters (and collapsed boxes) read "model_encoder_laye…ut_projection", and the note said
    "… is model_encoder_layers_0_… or model_encoder_layers_1_…": which box was which could not be told."""
    model = Twins()
    assert shortened(model.names[0]) == shortened(model.names[1])
    loss = model(Tensor(np.ones((1, 2)))).sum()
    for collapse in (False, True):
        drawing = viz.draw(loss, modules=model, collapse=collapse)
        for k, name in enumerate(model.names, 1):  # in the order of their paths
            assert f"{shortened(name)}#{k}" in drawing.source and told(drawing, f"{shortened(name)}#{k}", name)
            assert name in tooltips(drawing)
        assert " or " not in "".join(note_lines(drawing))
    assert not any(".W#" in line or ".b#" in line for line in note_lines(drawing))  # the parameters are in the boxes


def test_an_error_names_a_long_label_whole_not_only_its_shortened_form():
    """The refusal of a graph whose data changed said "encoder.layers.0.s…ction.weight * b holds ...": an ellipsis no
    one can search the code for."""
    y = neuron(LONG)
    a = next(n for n in y.parents[0].parents[0].parents if n.label == LONG)
    a.data += 1.0
    with pytest.raises(ValueError, match=re.escape(f"{LONG} * b holds")):
        viz.draw(y, backward=True)
    x = Value(1.0, label=LONG)
    z = x * 2.0 + x
    x.register_hook(lambda g: g)
    with pytest.raises(ValueError, match=re.escape(f"but {LONG} has a gradient hook")):
        viz.draw(z, check=True)


@pytest.mark.parametrize("word", [None, "mode"])
def test_an_error_names_a_long_op_name_and_its_words_whole(word):
    """The refusal of a graph whose data changed said "my_very_long_op_na…long_op_name_(x) holds ...", the op's name
    shortened as in a drawing; so was a word it was given, and the op named in a hook's refusal."""
    name, long_word = "my_" + "very_long_op_name_" * 10, "a_rather_long_word_given_to_it_" * 3
    op = Op(name, lambda x, **kw: x * 2.0, lambda g, out, x, **kw: (g * 2.0,))
    x = Value(1.5, label="x")
    y = op(x, **{word: long_word} if word else {}) * 3.0
    x.data += 1.0
    called = f"{name}(x{f', {word}={long_word!r}' if word else ''})"
    with pytest.raises(ValueError, match=re.escape(f"{called} holds")):
        viz.draw(y, backward=True)
    x.data -= 1.0
    made = op(x, **{word: long_word} if word else {})
    made.register_hook(lambda g: g)
    with pytest.raises(ValueError, match=re.escape(f"but the unlabelled Value {called} (= ")):
        viz.draw(made * 3.0, check=True)


def test_a_collapsed_drawing_gives_whole_the_names_its_data_changed_note_gives_shortened():
    """A collapsed drawing's note gives whole only the names it draws, not those inside a box; but the note that the
    data changed names the changed parameter, inside its box, shortened ("model_encoder_laye…_projection.W holds
    ..."), and no line said what it was."""
    path = "model_encoder_layers_0_self_attention_output_projection"
    model = Deep(path)
    loss = model(Tensor(np.ones((1, 2)))).sum()
    loss.backward()
    getattr(model, path).W.data += 0.1
    drawing = viz.draw(loss, modules=model, collapse=True, show_grads=False)
    shown = shortened(f"{path}.W")
    assert f"@ {shown} holds" in drawing.source.replace("\\l", " ")
    assert told(drawing, shown, f"{path}.W") and told(drawing, shortened(path), path)
    assert not any(".b" in line for line in note_lines(drawing))  # the bias, in the box and unnamed, is not given


class Heads(nn.Module):
    """Two heads side by side whose long paths are alike at both ends (heads 2 and 10), called in `calls` order and
    added in `adds` order."""

    def __init__(self, calls: tuple[int, int], adds: tuple[int, int]) -> None:
        super().__init__()
        self.names = [f"model_encoder_heads_{k}_self_attention_output_projection" for k in (2, 10)]
        for k, name in enumerate(self.names):
            setattr(self, name, nn.Linear(2, 1, seed=k))
        self.calls, self.adds = calls, adds

    def forward(self, x: Tensor) -> Tensor:
        out = {k: getattr(self, self.names[k])(x) for k in self.calls}
        return out[self.adds[0]] + out[self.adds[1]]


@pytest.mark.parametrize("calls", [(0, 1), (1, 0)])
@pytest.mark.parametrize("adds", [(0, 1), (1, 0)])
def test_module_paths_shortened_alike_are_numbered_in_the_models_order_whatever_the_graphs_shape(calls, adds):
    """Numbered in the order backward met them, head 2 called first and added first was "…#2" and head 10 "…#1":
    the numbers followed the graph's shape, not the model. Heads 2 and 10 are #1 and #2, numbers read as numbers."""
    model = Heads(calls, adds)
    loss = model(Tensor(np.ones((1, 2)))).sum()
    for collapse in (False, True):
        drawing = viz.draw(loss, modules=model, collapse=collapse)
        for k, name in enumerate(model.names, 1):
            assert told(drawing, f"{shortened(name)}#{k}", name)


def test_values_of_long_labels_alike_get_no_note_line_for_a_name_not_drawn():
    """Two tensors (not constants) whose long labels shorten alike are drawn "enc…put#2" and "enc…put#3", but the
    note gave a line to "enc…put" too, as if drawn so ("… is encoder.layers.0… or encoder.layers.1…"): a
    constant's label was looked for on every value."""
    x = Tensor(np.ones((1, 2)), requires_grad=True)
    labels = [f"model_encoder_layers_{k}_self_attention_output" for k in (0, 1)]
    h0, h1 = x * 2.0, x * 3.0
    h0.label, h1.label = labels
    y = (h0 + h1).sum()
    lines = note_lines(viz.draw(y))
    assert not any(line.startswith(f"{shortened(labels[0])} is") for line in lines)
    assert sum(line.startswith(f"{shortened(labels[0])}#") for line in lines) == 2
