"""Wrong arguments to viz's public functions and its command line: one clear error of the right type,
naming the argument and what it takes, raised before anything is computed or written (they were
tracebacks from inside: AttributeError 'named_modules', "build() got an unexpected keyword argument",
a bare OverflowError, or silently accepted)."""

import pytest

import nn
import viz
from nn.optim import SGD
from viz.__main__ import main
from viz.demo import neuron
from viz.expr import ExpressionError

RANKDIR = r"rankdir must be one of 'LR', 'TB', 'RL', 'BT'"


@pytest.fixture
def o():
    root = neuron()
    root.backward()
    return root


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({"rankdir": 5}, TypeError, RANKDIR),
        ({"rankdir": None}, TypeError, RANKDIR),
        ({"rankdir": "XX"}, ValueError, RANKDIR),  # graphviz drew it as TB without a word
        ({"modules": 3}, TypeError, "modules must be the model whose modules computed the graph"),
        ({"backward": "no"}, TypeError, "backward must be True or False, got str 'no'"),  # was drawn as backward
        ({"check": 0.0}, TypeError, "check must be True or False"),
        ({"show_grads": None}, TypeError, "show_grads must be True or False, got NoneType None"),
        ({"format": 5}, TypeError, "format 5 is not one graphviz writes"),
        ({"max_nodes": 1.5}, TypeError, "max_nodes must be an int of at least 1"),
    ],
)
def test_draw_refuses_a_wrong_argument_naming_it(o, options, error, message):
    with pytest.raises(error, match=message):
        viz.draw(o, **options)


def test_a_valid_rankdir_still_draws(o):
    assert "rankdir=TB" in viz.draw(o, rankdir="TB").source


def test_render_refuses_a_path_of_the_wrong_type_and_a_second_format(o, tmp_path):
    with pytest.raises(TypeError, match="render writes to a path, a str or a pathlib.Path, got int 5"):
        viz.render(o, 5)
    with pytest.raises(ValueError, match=r"as \.svg, its suffix: drop format='png'"):
        viz.render(o, tmp_path / "g.svg", format="png")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({"title": None}, TypeError, "title must be a str, got NoneType None"),  # AttributeError 'replace'
        ({"title": 5}, TypeError, "title must be a str, got int 5"),
        ({"rankdir": "XX"}, ValueError, RANKDIR),
        ({"number": 1}, TypeError, "number must be True or False"),
        ({"modules": 3}, TypeError, "modules must be the model"),
        ({"bogus": 1}, TypeError, r"the player page \(save_html, player\) takes the options title, modules"),
    ],
)
def test_save_html_and_player_refuse_a_wrong_argument_naming_it(o, tmp_path, options, error, message):
    with pytest.raises(error, match=message):
        viz.save_html(o, tmp_path / "p.html", **options)
    with pytest.raises(error, match=message):
        viz.player(o, **options)
    assert not list(tmp_path.iterdir())


def test_save_html_and_player_refuse_a_wrong_path_or_height(o):
    with pytest.raises(TypeError, match="save_html writes to a path"):
        viz.save_html(o, None)
    with pytest.raises(TypeError, match="height must be an int of at least 200 pixels, got str '500'"):
        viz.player(o, height="500")


@pytest.mark.parametrize("option", ["backward", "check", "bogus"])
def test_backward_steps_refuses_options_it_does_not_take_at_the_call(o, option):
    with pytest.raises(TypeError, match=f"backward_steps takes the options modules, .*, not {option}: its frames"):
        viz.backward_steps(o, **{option: True})  # at the call, not at the first frame


def test_backward_steps_refuses_a_wrong_rankdir_or_flag(o):
    with pytest.raises(ValueError, match=RANKDIR):
        viz.backward_steps(o, rankdir="XX")
    with pytest.raises(TypeError, match="number must be True or False"):
        viz.backward_steps(o, number="yes")


def test_explain_refuses_a_non_int_max_paths_and_names_that_are_not_a_dict(o):
    with pytest.raises(TypeError, match="max_paths must be a positive int, got float 2.5"):
        viz.explain(o, o.parents[0], max_paths=2.5)
    with pytest.raises(TypeError, match="names must be a dict"):
        viz.explain(o, o.parents[0], names=["x"])


def test_training_steps_checks_max_nodes_before_training():
    def loss_fn(model, batch):
        raise AssertionError("trained before max_nodes was checked")

    model = nn.MLP(2, [1])
    with pytest.raises(TypeError, match="max_nodes must be an int of at least 1"):
        viz.training_steps(model, loss_fn, None, SGD(model.parameters(), lr=0.1), steps=1, max_nodes="10")


def test_evaluate_refuses_an_int_too_large_for_a_float():
    with pytest.raises(ExpressionError, match="the value of x is too large for a float"):
        viz.evaluate("x*2", {"x": 10**400})  # a bare OverflowError


@pytest.mark.parametrize("parameter", ['approximate=-"a"', "negative_slope=-None", "negative_slope=-True"])
def test_evaluate_refuses_a_negated_parameter_that_is_no_number(parameter):
    with pytest.raises(ExpressionError, match="a parameter is a number or a string, written out"):
        viz.evaluate(f"gelu(x, {parameter})", {"x": 1.0})  # TypeError: bad operand type for unary -


def test_evaluate_takes_a_positional_string_parameter_as_the_help_says():
    y = viz.evaluate('gelu(x, "tanh")', {"x": 1.0})
    assert y.data == viz.evaluate('gelu(x, approximate="tanh")', {"x": 1.0}).data
    assert viz.evaluate("leaky_relu(x, negative_slope=-0.5)", {"x": -2.0}).data == 1.0
    with pytest.raises(ExpressionError, match="gelu: approximate must be 'none' or 'tanh', got 'tan'"):
        viz.evaluate('gelu(x, "tan")', {"x": 1.0})
    with pytest.raises(ExpressionError, match="is not allowed in an expression"):
        viz.evaluate('gelu("tanh")', {"x": 1.0})  # the first argument is the input


@pytest.mark.parametrize("parameter", ['approximate=-"a"', "negative_slope=-None"])
def test_the_command_line_says_one_line_for_a_bad_parameter(tmp_path, parameter):
    out = tmp_path / "g.svg"
    with pytest.raises(SystemExit) as stopped:  # an uncaught TypeError, a traceback, before
        main(["expr", f"gelu(x, {parameter})", "--set", "x=1", "--out", str(out)])
    assert str(stopped.value) == (
        f"python -m viz expr: '{parameter.split('=')[1]}': a parameter is a number or a string, written out "
        '(negative_slope=-0.2, approximate="tanh")'
    )
    assert not out.exists()


def test_every_flag_given_as_a_bool_still_draws(o):
    drawn = viz.draw(o, backward=True, number=True, color_by_grad=True, check=True, show_grads=True)
    assert "step 1" in drawn.source and "finite differences agree" in drawn.source
