"""Numbers of float32 (and float16) written as numbers of their own type: never with more digits than tell them
apart there (float32's 0.1 as 0.1, not float64's 0.10000000149011612), and said of in their own type's terms:
a float32 keeps about 7 significant digits, not a float64's 16."""

import numpy as np

import viz
from autograd import Tensor
from viz.number_text import figures, shortest, summary
from viz.steps import backward_pass

F32 = np.float32


def stale_message(data, now) -> str:
    """The refusal of a graph x * 1 whose x held `data` at its forward pass and holds `now` at the drawing."""
    x = Tensor(data, requires_grad=True, label="x")
    y = x * Tensor(F32(1.0))
    x.data = now
    try:
        viz.draw(y, backward=True)
    except ValueError as e:
        return str(e)
    raise AssertionError("a graph whose data changed was drawn")


def test_a_number_has_at_most_the_digits_of_its_own_types_shortest_text():
    below_one = F32(1 - 2**-24)  # float32's largest number below 1
    assert summary(below_one, n=17) == "0.99999994"  # was float64's digits of it, 0.99999994039535522
    assert summary(F32(0.1), n=17) == "0.1" and summary(0.1, n=17) == "0.1"
    assert summary(np.float16(0.1)) == "0.1"  # was "0.09998", float64's 4 figures of float16's 0.1
    assert summary(np.array([F32(0.1), F32(0.3)]), n=17) == "min 0.1 mean 0.2 max 0.3"
    assert summary(1 / 3, n=17) == "0.3333333333333333"  # float64 as before: its own 16 digits


def test_every_float32_text_reads_back_as_its_number_once_all_its_digits_are_asked_for():
    rng = np.random.default_rng(0)
    numbers = np.concatenate(
        [rng.standard_normal(3000).astype(F32) * F32(10.0) ** rng.integers(-30, 30, 3000).astype(F32),
         F32(2.0) ** np.arange(-126, 127, dtype=F32)]  # powers of two: rounding to the fewest digits misses them
    )  # fmt: skip
    for x in numbers:
        text = figures(float(x), 17, F32)
        assert F32(text) == x and text == shortest(float(x), F32)[0], (repr(x), text)


def test_four_figures_of_float32_numbers_are_those_of_float64_numbers():
    # the cap changes no default text: near whole ones too (rounding noise is counted in float64's units)
    for x in (F32(0.1), F32(1 / 3), np.tanh(F32(9.0)), F32(1.0000001), F32(2.5e-7), F32(123456.7)):
        assert summary(x) == summary(float(x))
    assert summary(np.tanh(F32(9.0))) == "0.9999999"  # 0.99999994: not drawn 1 beside its gradient 1.192e-07


def test_a_changed_float32_number_is_told_in_its_own_digits():
    told = stale_message(F32(0.1), np.array(0.1))  # float32's 0.1 replaced by float64's
    assert "holds 0.1 (float32, shape ()) from it, and gives 0.1 (float64, shape ()) now" in told  # was 0.100000001
    told = stale_message(F32(0.3), np.array(0.1) * 3)  # float64's 0.30000000000000004, not float32's 0.3
    assert "holds 0.3 from it, and gives 0.30000000000000004 now" in told  # was 0.30000001 and 0.3


def test_a_sum_on_paper_says_how_many_digits_a_float32_keeps():
    a = Tensor(np.array([1.0], F32), requires_grad=True, label="a")
    y = (a * Tensor(np.array([1.0], F32)) + a * Tensor(np.array([1e-8], F32))).sum()
    y.label = "y"
    line = next(line for c in backward_pass(y).captions for line in c.split("\n") if line.startswith("a.grad"))
    assert "a.grad = 1 + 1e-08 = 1 (on paper 1.00000001: a float32 keeps about 7 significant digits" in line
