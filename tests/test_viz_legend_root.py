"""The player's legend writes the root in ∂root/∂value as the chain rule on the edges does: a name that is an
expression in brackets, ∂(a + b)/∂value, not ∂a + b/∂value (which reads as a + b/∂value)."""

import viz
from autograd import Value
from viz.html import page_html


def test_the_legend_brackets_a_root_named_as_an_expression():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    root = a * b
    root.label = "a * b"
    page = page_html(root)
    assert "its grad, ∂(a * b)/∂value" in page and "∂(a * b)/∂w = ∂(a * b)/∂n · ∂n/∂w" in page
    assert "∂a * b/" not in page
    assert "∂(a * b)/∂a = ∂(a * b)/∂(a * b) · ∂(a * b)/∂a" in viz.draw(root, backward=True).source  # the edges'
