"""A value whose shares the floats added up rounding along the way (x = 7.619e-151 in (x - x) + x*x: 7.619e-151 +
7.619e-151 + 1 + (-1) is 0, 1.524e-150 on paper) drew those shares beside "grad 0" with no word in the drawing, the
frames and the player, where the captions and explain said so: a learner adding them up sees a contradiction. Each
picture that draws such a sum now carries the caption's own line for it."""

import re
from decimal import Decimal

import numpy as np
import pytest

import viz
from autograd import Tensor, Value
from viz.page_steps import step_numbers
from viz.steps import backward_pass


def _tiny() -> tuple[Value, str]:
    x = Value(7.619e-151, label="x")
    out = (x - x) + x * x
    out.label = "out"
    return out, "x.grad = 7.619e-151 + 7.619e-151 + 1 + (-1) = 0 (on paper 1.524e-150: a float keeps about 16 "


def _huge() -> tuple[Value, str]:
    x, big = Value(1.0, label="x"), Value(-3.5024953943381574e300, label="big")
    out = x * big - x * big + x
    out.label = "out"
    return out, "x.grad = 1 + 3.502e+300 + (-3.502e+300) = 0 (on paper 1: a float keeps about 16 "


def _notes(source: str) -> str:
    """The notes under a drawing, its lines joined again."""
    found = re.search(r'\blabel="((?:[^"\\]|\\.)*\\l)" labelloc=b', source)
    return found.group(1).replace("\\l", " ").replace("\\", "") if found else ""


@pytest.mark.parametrize("make", [_tiny, _huge])
def test_the_drawing_says_the_shares_were_rounded_along_the_way_as_the_caption_does(make):
    out, line = make()
    notes = " ".join(_notes(viz.draw(out, backward=True).source).split())
    assert line in notes, notes
    captions = [line for c in backward_pass(out).captions for line in c.split("\n")]
    told = next(c for c in captions if c.startswith(line))
    assert told.split("    (x is used")[0] in notes  # the caption's own words, whole


@pytest.mark.parametrize("make", [_tiny, _huge])
def test_each_frame_that_draws_the_sum_says_so_and_no_other(make):
    out, line = make()
    run = backward_pass(out)
    last = next(k for k, c in enumerate(run.captions) if line in c)  # the step that adds x's last share
    frames = [" ".join(_notes(f.drawing.source).split()) for f in viz.backward_steps(out)]
    assert [line in notes for notes in frames] == [k >= last for k in range(len(frames))]


@pytest.mark.parametrize("make", [_tiny, _huge])
def test_the_player_says_so_from_the_step_that_draws_the_sum(make):
    out, line = make()
    run = backward_pass(out)
    last = next(k for k, c in enumerate(run.captions) if line in c)
    sums = step_numbers(out, run, None)["sums"]
    # slider step k + 1 shows backward's step k done; the note stays to the end, as x's grad does
    assert [(start, end) for start, end, text in sums if text.startswith(line)] == [(last + 1, None)], sums


def test_a_sum_rounded_so_far_and_right_again_is_noted_only_while_drawn():
    """1e-20 + 1 + (-1) is 0 so far (1e-20 on paper), then + 5 is 5 as written: only the steps drawing the 0 say so."""
    x, c = Value(1e-20, label="x"), Value(1.0, label="c")
    y = Value(1.0, label="y")
    out = y * 5.0 + (y * c - y * c) + y * x
    out.label = "out"
    run = backward_pass(out)
    sums = step_numbers(out, run, None)["sums"]
    frames = [" ".join(_notes(f.drawing.source).split()) for f in viz.backward_steps(out)]
    told = [k for k, notes in enumerate(frames) if "y.grad = " in notes]
    assert sums and all(end is not None for _, end, _ in sums), sums
    assert told and told[-1] < len(frames) - 1, told
    assert "y.grad" not in _notes(viz.draw(out, backward=True).source)


def _halfway() -> Value:
    """x's shares -665.08 and -924.27: their floats add up to -1589.3499999999999 ("-1589.3"), the floats exactly to
    -1589.35000000000002, a hair past halfway: rounded along the way, at the seventeenth figure."""
    x, a, b = Value(1.0, label="x"), Value(-665.08, label="a"), Value(-924.27, label="b")
    out = x * a + x * b
    out.label = "out"
    return out


def test_a_sums_note_adds_the_terms_as_the_line_writes_them():
    """The caption wrote "x.grad = -665.1 + (-924.3) = -1589.3 (on paper -1589.35, halfway: ...)": its note added
    the shares with 5 figures (its own), the line with 4 (share_figures'), and -665.1 + (-924.3) is -1589.4."""
    lines = [line for c in backward_pass(_halfway()).captions for line in c.split("\n") if line.startswith("x.grad")]
    found = re.match(r"x\.grad = (\S+) \+ \((\S+)\) = (\S+) \(on paper (\S+), halfway: ", lines[-1])
    assert found, lines
    first, second, total, on_paper = map(Decimal, found.groups())
    assert first + second == on_paper and total == Decimal("-1589.3"), lines


def test_the_fewest_figures_that_bring_a_sum_rounded_along_the_way_to_halfway_are_taken():
    """No figures make -665.08 + -924.27 read -1589.3 (the floats' exact sum is past halfway); 4 figures made it
    -1589.4, a whole unit off, where 5 bring it to halfway, which the note explains."""
    out = _halfway()
    source = viz.draw(out, backward=True).source
    assert "= 1 × (-665.08) = -665.08" in source and "= 1 × (-924.27) = -924.27" in source
    assert "x.grad = -924.27 + (-665.08) = -1589.3 (on paper -1589.35, halfway: " in " ".join(_notes(source).split())


def test_the_players_legend_says_how_shares_are_written_and_where_their_sums_are_told():
    """The legend said a sum's numbers take the figures that give it as written, and nothing of a value's shares,
    whose figures come from its grad (x*x's two 1.8276e-07 beside 3.655e-07), nor of the note beside the drawing."""
    from viz.html import page_html

    out, _ = _tiny()
    legend = " ".join(re.search(r'<details id="legend".*?</details>', page_html(out), re.S).group(0).split())
    assert "a value's shares with the figures that add up to its grad as drawn (1.8276e-07 twice" in legend, legend
    assert "the floats rounded along the way, the note beside the drawing says so" in legend, legend


@pytest.mark.parametrize("make", [_tiny, _huge])
def test_a_drawing_without_grads_has_no_note_of_a_sum_it_does_not_draw(make):
    """show_grads=False draws no grad for the shares to contradict; the note told it anyway ("x.grad = ... = 0")."""
    out, line = make()
    assert "x.grad = " not in _notes(viz.draw(out, backward=True, show_grads=False).source)
    assert not any("x.grad = " in _notes(f.drawing.source) for f in viz.backward_steps(out, show_grads=False))


def test_a_tensors_shares_whose_means_do_not_add_up_are_told_in_every_picture():
    """x's shares in (x·1 + x·big − x·big).sum(), big = 1e16, have means 1, 1e+16 and -1e+16 beside x.grad's mean 0
    (1 on paper): `_mean_figures` found no figures that add them up and gave up, and no picture said a word."""
    x = Tensor(np.array([0.5, 2.0]), requires_grad=True)
    x.label = "x"
    big = Tensor(np.array([1e16, 1e16]))
    out = (x * 1.0 + x * big - x * big).sum()
    line = "x.grad's mean = 1 + 1e+16 + (-1e+16) = 0 (on paper 1: a float keeps about 16 significant digits"
    assert line in " ".join(_notes(viz.draw(out, backward=True).source).split())
    run = backward_pass(out)
    last = next(k for k, c in enumerate(run.captions) if "x.grad: 3 shares added" in c)  # x's last share arrives
    frames = [" ".join(_notes(f.drawing.source).split()) for f in viz.backward_steps(out)]
    assert [line in notes for notes in frames] == [k >= last for k in range(len(frames))]
    sums = step_numbers(out, run, None)["sums"]
    assert [(start, end) for start, end, text in sums if text.startswith(line)] == [(last + 1, None)], sums


def test_a_float32_tensors_shares_whose_means_the_float32_sum_rounded_are_told():
    """x's shares in (x·1 + x·big − x·big).sum(), big = 1e8 in float32, have means 1, 1e+08 and -1e+08 beside
    x.grad's mean 0: float32 rounds 1 + 1e8 to 1e8. Their sums were taken again in float64 (1, 100000001, 1), which
    add up as written, and no picture said a word."""
    x = Tensor(np.array([0.5, 2.0], dtype=np.float32), requires_grad=True)
    x.label = "x"
    big = Tensor(np.array([1e8, 1e8], dtype=np.float32))
    out = (x * 1.0 + x * big - x * big).sum()
    line = "x.grad's mean = 1 + 1e+08 + (-1e+08) = 0 (on paper 1: a float32 keeps about 7 significant digits"
    assert line in " ".join(_notes(viz.draw(out, backward=True).source).split())
