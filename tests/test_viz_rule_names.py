"""The op's rule beside a chain rule is written with the operands' own names (the op table's a, b and x
clashed with a learner's a, b and x of other values): in drawings, captions, explain and the command line."""

import viz
from autograd import Value
from tests.test_viz import svg, texts
from viz.__main__ import main
from viz.steps import backward_pass


def lecture() -> Value:
    """micrograd's first lecture graph: L = (a*b + c) * f, where the rules said ∂(a·b)/∂b = a at d * f."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    loss.backward()
    return loss


def test_the_rule_on_each_edge_names_the_operands_as_the_drawing_does():
    words = texts(svg(viz.draw(lecture(), backward=True)))
    assert "∂L/∂f = ∂L/∂L · ∂L/∂f = 1 × 4 = 4 ∂(d·f)/∂f = d" in words  # d = 4, as its record says
    assert "∂(a·b)/∂b = a" in words and "∂(e+c)/∂c = 1" in words


def test_captions_and_explain_write_the_rule_in_the_same_names():
    loss = lecture()
    f = loss.parents[1]
    assert "(∂(d·f)/∂f = d)" in "\n".join(backward_pass(loss).captions)
    assert "(input 2 of *: ∂(d·f)/∂f = d)" in str(viz.explain(loss, f))


def test_an_operand_taken_twice_or_a_number_is_written_by_its_place_or_its_value():
    a = Value(2.0, label="a")
    b = a * a
    b.label = "b"
    c = b + a
    c.label = "c"
    told = str(viz.explain(c, a))  # the rule said ∂(a·b)/∂a = b, and b here is 4, not the local 2
    assert "(input 1 of *: ∂(①·②)/∂① = ②)" in told and "(input 2 of +: ∂(b+a)/∂a = 1)" in told
    y = a * -2.0
    y.label = "y"
    assert "(input 1 of *: ∂(a·(-2))/∂a = -2)" in str(viz.explain(y, a))


def test_the_command_lines_explain_writes_the_rule_in_the_expressions_names(tmp_path, capsys):
    main(["expr", "b*a", "--set", "a=2", "b=-3", "--explain", "a", "--out", str(tmp_path / "g.svg")])
    assert "∂(b·a)/∂a = b" in capsys.readouterr().out


def test_a_function_of_an_expression_keeps_one_pair_of_brackets():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    n = x * w + b
    n.label = "x*w + b"
    o = n.tanh()
    o.backward()
    told = str(viz.explain(o, x))
    assert "∂tanh(x*w + b)/∂(x*w + b) = 1 − tanh(x*w + b)²" in told and "tanh((" not in told  # it read tanh((x*w + b))
