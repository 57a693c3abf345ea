"""viz.explain: a gradient as the sum over paths of products of local derivatives, checked against
backward on hand-made and random graphs."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings

import viz
from autograd import Op, Tensor, Value, gradients, pullback, topological_order
from autograd.testing import Expression, expressions, tensor_expressions
from viz.explain import MAX_PATHS


def all_paths(node, root):
    """Every path from node up to root, by brute force: each as its list of (output, input index)."""
    if node is root:
        return [[]]
    found = []
    for n in topological_order(root):
        for i, p in enumerate(n.parents):
            if p is node:
                found += [[(n, i), *rest] for rest in all_paths(n, root)]
    return found


def scalar_product(path):
    """The product of a path's local derivatives, multiplied from the root down as explain does."""
    return math.prod(pullback(n, 1.0)[i] for n, i in reversed(path))


def rounding_bound(products) -> float:
    """How far a sum of these products may drift from backward's, which adds the same terms in another
    order and groups factors differently: a few ulps per term and factor."""
    return 64 * np.finfo(float).eps * sum(abs(p) for p in products) + 1e-300


def test_the_three_paths_of_a_times_a_plus_a():
    a = Value(2.0, label="a")
    b = a * a
    b.label = "b"
    c = b + a
    c.label = "c"
    e = viz.explain(c, a)
    assert e.count == 3 and len(e.paths) == 3
    assert sorted(p.product for p in e.paths) == [1.0, 2.0, 2.0] and e.total == 5.0
    assert [[n.label for n in p.nodes] for p in e.paths] == [["a", "b", "c"], ["a", "b", "c"], ["a", "c"]]
    assert {p.steps[0].index for p in e.paths[:2]} == {0, 1}  # a is both inputs of a * a
    story = str(e)
    assert story.startswith("∂c/∂a = 5: the sum over the 3 paths from a up to c")
    assert "∂b/∂a's share through input 1 = 2    (input 1 of *: ∂(①·②)/∂① = ②)" in story  # ∂b/∂a itself is 4
    assert "product: 2 × 1 = 2" in story
    assert story.endswith("total: 1 + 2 + 2 = 5 = ∂c/∂a, the gradient backward gives")  # as backward adds them
    assert not a.grad_computed  # explain runs no backward into .grad


@settings(max_examples=60, deadline=None)
@given(expressions(max_ops=10))
# two paths whose products differ in the last bit, which the search's bounds had swapped
@example(
    Expression(
        inputs=(0.953125,),
        steps=(
            ("/", (0, 0), 0.0),
            ("*", (0, 1), 0.0),
            ("neg", (0,), 0.0),
            ("+", (2, 0), 0.0),
            ("+", (0, 0), 0.0),
            ("exp", (4,), 0.0),
        ),
    )
)
def test_the_paths_products_sum_to_backwards_gradient_on_random_graphs(expr):
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(expr.inputs)]
    root = expr(*inputs)
    if not isinstance(root, Value):
        return  # an expression of no step is its input
    for x, grad in zip(inputs, gradients(root, inputs)):
        if not all_paths(x, root):  # an input the expression does not use: refused, not told as 0
            with pytest.raises(ValueError, match="is not in the (root's )?graph"):
                viz.explain(root, x)
            continue
        e = viz.explain(root, x, max_paths=10_000)
        brute = all_paths(x, root)
        assert e.count == len(brute) == len(e.paths)
        assert e.total == grad  # the total is backward's own
        products = [p.product for p in e.paths]
        assert abs(sum(products) - grad) <= rounding_bound(products)
        assert sorted(map(abs, products), reverse=True) == [abs(p) for p in products]  # largest first
        assert sorted(products) == sorted(scalar_product(p) for p in brute)
        for path in e.paths:
            assert path.nodes[0] is x and path.nodes[-1] is root
            for step in path.steps:
                assert step.local == pullback(step.output, 1.0)[step.index]  # from the op's own rule


def diamonds(depth: int):
    """x through `depth` diamonds y = y*a_k + y*b_k: 2**depth paths from x to the root."""
    x = Value(0.7, label="x")
    y = x
    for k in range(depth):
        y = y * (1 + 0.01 * k) + y * (0.5 - 0.02 * k)
    return x, y


def test_millions_of_paths_are_counted_not_listed_and_the_largest_come_first():
    x, y = diamonds(40)
    e = viz.explain(y, x)
    assert e.count == 2**40 and len(e.paths) == MAX_PATHS == 24
    products = [p.product for p in e.paths]
    assert products == sorted(products, key=abs, reverse=True)
    assert e.rest == e.total - sum(products) and e.total == gradients(y, [x])[0]
    story = str(e)
    assert "The 24 largest are listed; the other 1,099,511,627,752 are summed." in story
    assert "the other 1,099,511,627,752 paths:" in story and story.endswith("the gradient backward gives")


def test_the_largest_paths_are_the_largest_of_all():
    x, y = diamonds(10)
    e = viz.explain(y, x, max_paths=7)
    everything = sorted((scalar_product(p) for p in all_paths(x, y)), key=abs, reverse=True)
    assert e.count == 1024
    for shown, best in zip((p.product for p in e.paths), everything[:7]):
        assert abs(shown - best) <= rounding_bound([best])


def test_tensor_paths_carry_the_pullbacks_and_add_up_to_the_gradient():
    x = Tensor(np.arange(6.0).reshape(2, 3), label="x")
    b = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True, label="b")
    w = Tensor(np.array([[1.0], [2.0], [-1.0]]), requires_grad=True, label="w")
    h = (x + b) @ w  # b is broadcast over the rows, then used again below
    y = (h * h).sum() + (b * b).sum()
    y.label = "y"
    e = viz.explain(y, b)
    assert e.count == 4 and all(p.product.shape == b.shape for p in e.paths)  # two through h * h, two b * b
    np.testing.assert_array_equal(e.total, gradients(y, [b])[0])
    contributions = sum(p.product for p in e.paths)
    np.testing.assert_allclose(contributions, e.total, rtol=0, atol=rounding_bound(np.abs(e.total).ravel()))
    assert all(step.local is None for p in e.paths for step in p.steps)  # a Jacobian is never built
    story = str(e)
    assert "Jacobian" in story and "pullback" in story and "(shape (3,))" in story


@settings(max_examples=25, deadline=None)
@given(tensor_expressions(max_ops=5))
def test_tensor_paths_sum_to_backwards_gradient_on_random_graphs(expr):
    inputs = [Tensor(x, requires_grad=True, label=f"x{i}") for i, x in enumerate(expr.inputs)]
    root = expr(*inputs)
    if root.op is None:
        return
    for x, grad in zip(inputs, gradients(root, inputs)):
        if not all_paths(x, root):  # an input the expression does not use: refused, not told as 0
            with pytest.raises(ValueError, match="is not in the (root's )?graph"):
                viz.explain(root, x)
            continue
        e = viz.explain(root, x, max_paths=1000)
        assert e.count == len(all_paths(x, root)) == len(e.paths)
        np.testing.assert_array_equal(e.total, grad)
        shares = [p.product for p in e.paths]
        bound = rounding_bound(np.abs(np.array(shares)).sum(axis=0).ravel()) if shares else 0.0
        np.testing.assert_allclose(sum(shares, np.zeros_like(grad)), grad, rtol=0, atol=bound)


def test_a_users_rule_is_used_as_it_is_even_when_wrong():
    cube = Op("cube", lambda x: x**3, lambda g, out, x: (g * 2 * x**2,))  # wrong: d x³/dx is 3x²
    x = Value(2.0, label="x")
    y = cube(x) + x
    e = viz.explain(y, x)
    assert sorted(p.product for p in e.paths) == [1.0, 8.0] and e.total == 9.0  # what backward gives
    assert "(input 1 of cube)" in str(e)  # a user's op has no formula to show


def test_no_path_the_root_itself_and_bad_input():
    x = Value(1.0, label="x")
    y = (x * 3.0).tanh()
    y.label = "y"
    other = Value(2.0, label="z")  # not in y's graph: it told "∂y/∂z = 0", where a drawing says "not computed"
    with pytest.raises(ValueError, match=r"explain: the Value z is not in the graph of y: no recorded op"):
        viz.explain(y, other)
    again = Value(1.0, label="x")  # a forward run again makes new leaves: the old x is not in its graph
    with pytest.raises(ValueError, match=r"the Value x is not in the root's graph.*an earlier forward pass"):
        viz.explain(again * 3.0, x)
    w = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match=r"the tensor of data min 1 mean 1 max 1 is not in .*a comparison"):
        viz.explain((w * (Tensor(np.ones(2), requires_grad=True) > 0)).sum(), Tensor(np.ones(2), requires_grad=True))
    assert str(viz.explain(y, y)) == "y is the root: ∂y/∂y = 1, the seed backward starts with"
    with pytest.raises(TypeError, match="explain needs a Value or Tensor as its node, got float"):
        viz.explain(y, 1.0)
    with pytest.raises(ValueError, match=r"max_paths must be a positive int, got 0"):
        viz.explain(y, x, max_paths=0)
    t = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"the root has shape \(3,\); reduce it first"):
        viz.explain(t * 2, t)


def test_unnamed_nodes_are_numbered_as_draw_numbers_them():
    x = Value(0.5, label="x")
    y = (x * x).exp() * 2.0
    story = str(viz.explain(y, x))
    assert "path 1: x → #3 → #2 → #1" in story
    assert "∂#2/∂#3 = 1.284    (input 1 of exp: ∂exp(#3)/∂#3 = exp(#3))" in story
    source = viz.draw(y, number=True).source
    assert "{ #3 | data 0.25 |" in source and "{ #2 | data 1.284 |" in source


def test_a_notebooks_echo_of_an_explanation_is_its_story():
    """Before: `viz.explain(o, x1)` as a cell's last line showed the dataclass, every path's nodes written out as
    Value(data=..., grad=..., label=...), not the story `print` tells."""
    pretty = pytest.importorskip("IPython.lib.pretty")
    a = Value(2.0, label="a")
    y = a * a + a
    y.label = "y"
    told = viz.explain(y, a)
    assert pretty.pretty(told) == str(told) and str(told).startswith("∂y/∂a = 5: the sum over the 3 paths")
    assert repr(told).startswith("Explanation(root=Value(")  # repr() as it was


def test_a_refusal_names_a_label_as_the_drawing_shows_it():
    """A label with a space at its end, drawn "w␣", was written 'w␣' (quotes and the sign, which nothing explained)."""
    w, q = Value(1.0, label="w "), Value(2.0, label="q")
    y = q * 3.0
    y.label = " y"
    with pytest.raises(ValueError, match="the Value w␣ is not in the graph of ␣y .␣ is a space at a name's start or"):
        viz.explain(y, w)
    z = Value(1.0, label="z") * 2.0
    z.label = "z"
    with pytest.raises(ValueError, match=r"the Value q is not in the graph of z: no") as refused:
        viz.explain(z, q)
    assert "␣" not in str(refused.value)  # no sign, nothing to say of it
    held = Tensor(np.ones(2), label="X ")  # requires no grad: it said 'X ', as no drawing shows it
    with pytest.raises(ValueError, match="the tensor X␣ .␣ is a space at a name's start or end. does not require"):
        viz.explain((held * Tensor(np.ones(2), requires_grad=True)).sum(), held)
    with pytest.raises(ValueError, match="the root ␣c .␣ is a space at a name's start or end. does not require"):
        viz.explain(Tensor(np.array(2.0), label=" c"), w)  # it said "the root '␣c'"
