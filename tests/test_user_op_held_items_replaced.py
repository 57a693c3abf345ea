"""A user's op's list or dict keyword argument is the caller's own, which its rule reads at backward as it is then:
an item replaced after the forward (`ws[0] = w2`), or a stash the next call of the op overwrote (`cache["x"] = x`,
one dict given to two calls), gave the gradient of what it holds now, silently (a.grad [20, 40] where x * x at
[1, 2] has [2, 4]; x.grad [10, 20] where the forward used [1, 2]); only a write into an array it holds was
refused. Backward now refuses an item replaced or removed; a container that grows (a log) is no change."""

import numpy as np
import pytest

from autograd import Op, Tensor, Value
from viz import draw


def _stashing(x, *, cache):
    cache["x"] = np.array(x)
    return x * x


SQUARE = Op("square", _stashing, lambda g, out, x, *, cache: (2 * g * cache["x"],))
SCALE = Op("scale", lambda x, *, ws: x * ws[0], lambda g, out, x, *, ws: (g * ws[0],))
REPLACED = r"the (dict|list) given as (square's cache|scale's ws) no longer holds what it held when \w+ used it"


def test_a_stash_the_next_call_overwrote_is_refused_and_one_of_its_own_per_call_is_not():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([10.0, 20.0]), requires_grad=True)
    cache: dict = {}
    y = SQUARE(a, cache=cache).sum() + SQUARE(b, cache=cache).sum()
    with pytest.raises(RuntimeError, match=REPLACED):
        y.backward()
    assert a.grad is None and b.grad is None  # refused before any gradient is added
    (SQUARE(a, cache={}).sum() + SQUARE(b, cache={}).sum()).backward()
    assert a.grad.tolist() == [2.0, 4.0] and b.grad.tolist() == [20.0, 40.0]


def test_a_stash_a_drawing_made_again_is_no_change():
    """viz runs each op's forward again on copies of its inputs: the stash holds another array of the same numbers."""
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = SQUARE(a, cache=(cache := {})).sum()
    first = cache["x"]
    draw(y)
    assert cache["x"] is not first and np.array_equal(cache["x"], first)
    y.backward()
    assert a.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize(
    "replace",
    [
        lambda ws: ws.__setitem__(0, np.array([10.0, 20.0])),
        lambda ws: ws.pop(),
        lambda ws: ws.insert(0, np.array([10.0, 20.0])),
    ],
    ids=["replaced", "removed", "inserted before"],
)
def test_a_list_item_replaced_or_removed_is_refused(replace):
    ws = [np.array([1.0, 2.0])]
    x = Tensor(np.ones(2), requires_grad=True)
    y = SCALE(x, ws=ws).sum()
    replace(ws)
    with pytest.raises(RuntimeError, match=REPLACED + r" .*rereads=\(\.\.\.\)\), \(\) for none$"):
        y.backward()


def test_a_number_replaced_is_refused():
    """x.grad [10, 10] where the forward used 2.0."""
    ks = [2.0]
    x = Tensor(np.ones(2), requires_grad=True)
    y = SCALE(x, ws=ks).sum()
    ks[0] = 10.0
    with pytest.raises(RuntimeError, match=REPLACED):
        y.backward()
    ks[0] = 2.0
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_grown_or_given_the_same_numbers_back_it_is_no_change():
    ws, ks = [np.array([1.0, 2.0])], {"k": 3.0}
    op = Op("both", lambda x, *, ws, ks: x * ws[0] * ks["k"], lambda g, out, x, *, ws, ks: (g * ws[0] * ks["k"],))
    x = Tensor(np.ones(2), requires_grad=True)
    y = op(x, ws=ws, ks=ks).sum()
    ws.append(np.zeros(2))
    ws[0] = ws[0].copy()  # the same numbers in another array: the rule reads the same
    ks["k"], ks["other"] = 3.0, 1.0  # a number written back: the same number
    y.backward()
    assert x.grad.tolist() == [3.0, 6.0]


def test_on_values_and_where_the_op_declares_it_does_not_read_the_container():
    op = Op("vs", lambda x, *, ws: x * float(ws[0][0]), lambda g, out, x, *, ws: (g * float(ws[0][0]),))
    ws = [np.array([2.0])]
    v = Value(1.0)
    y = op(v, ws=ws)
    ws[0] = np.array([10.0])
    with pytest.raises(RuntimeError, match=r"the list given as vs's ws no longer holds what it held when vs used it"):
        y.backward()
    ignoring = Op("ignoring", lambda x, *, log: x * 2.0, lambda g, out, x, *, log: (g * 2.0,), rereads=())
    log = [np.zeros(1)]
    for x in (Value(1.0), Tensor(np.ones(2), requires_grad=True)):
        y = ignoring(x, log=log)
        log[0] = np.ones(1)
        (y.sum() if isinstance(y, Tensor) else y).backward()
        assert np.all(np.asarray(x.grad) == 2.0)


def test_a_nested_list_item_replaced_is_refused():
    ws = {"layers": [np.array([1.0, 2.0])]}
    op = Op("nested", lambda x, *, ws: x * ws["layers"][0], lambda g, out, x, *, ws: (g * ws["layers"][0],))
    x = Tensor(np.ones(2), requires_grad=True)
    y = op(x, ws=ws).sum()
    ws["layers"][0] = np.array([5.0, 5.0])
    with pytest.raises(RuntimeError, match=r"the list held in nested's ws no longer holds what it held"):
        y.backward()


@pytest.mark.parametrize(
    "stash",
    [
        lambda x: (np.array(x), 2.0),
        lambda x: x.sum(),
        lambda x: [np.array(x)],
        lambda x: {"x": np.array(x)},
    ],
    ids=["tuple", "numpy number", "list", "dict"],
)
def test_a_stash_a_drawing_made_again_of_another_kind_is_no_change(stash):
    """Another tuple, list, dict or numpy number of the same numbers: a.grad [2, 4], refused before."""
    op = Op(
        "stashing",
        lambda x, *, cache: cache.__setitem__("s", stash(x)) or x * x,
        lambda g, out, x, *, cache: (2 * g * x,),
    )
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = op(a, cache=(cache := {})).sum()
    first = cache["s"]
    draw(y)
    assert cache["s"] is not first
    y.backward()
    assert a.grad.tolist() == [2.0, 4.0]
    y = op(a, cache=cache).sum()
    cache["s"] = stash(np.array([1.0, 3.0]))  # other numbers: what the rule would read instead
    with pytest.raises(RuntimeError, match=r"the dict given as stashing's cache no longer holds what it held"):
        y.backward()


def test_a_number_in_a_values_list_replaced_is_refused():
    """A Value's op whose keyword arguments hold no array: x.grad 10.0 where the forward used 2.0."""
    op = Op("vk", lambda x, *, ks: x * ks[0], lambda g, out, x, *, ks: (g * ks[0],))
    ks = [2.0]
    x = Value(1.0)
    y = op(x, ks=ks)
    ks[0] = 10.0
    with pytest.raises(RuntimeError, match=r"the list given as vk's ks no longer holds what it held when vk used it"):
        y.backward()
    ks[0] = 2.0
    y.backward()
    assert x.grad == 2.0


@pytest.mark.parametrize("in_list", [True, False], ids=["in a list", "itself"])
def test_an_array_an_object_array_holds_written_into_is_refused(in_list):
    """numpy's array of arrays (ragged rows): a copy of it holds the caller's rows; x.grad [10, 20] for [1, 2]."""
    rows = np.empty(2, dtype=object)
    rows[0], rows[1] = np.array([1.0, 2.0]), np.array([3.0])
    op = Op("rows", lambda x, *, o: x * _rows(o)[0], lambda g, out, x, *, o: (g * _rows(o)[0],))
    x = Tensor(np.ones(2), requires_grad=True)
    y = op(x, o=[rows] if in_list else rows).sum()
    rows[0][...] = [10.0, 20.0]
    with pytest.raises(RuntimeError, match=r"the array of shape \(2,\) given as rows's o was changed after rows used"):
        y.backward()
    rows[0][...] = [1.0, 2.0]
    y.backward()
    assert x.grad.tolist() == [1.0, 2.0]


def _rows(o):
    return o[0] if isinstance(o, list) else o


def test_on_values_an_array_an_object_array_holds_written_into_is_refused():
    """x.grad 10.0 where the forward used 2.0."""
    rows = np.empty(2, dtype=object)
    rows[0], rows[1] = np.array([2.0]), np.array([3.0, 4.0])
    op = Op("vrows", lambda x, *, o: x * float(o[0][0]), lambda g, out, x, *, o: (g * float(o[0][0]),))
    x = Value(1.0)
    y = op(x, o=rows)
    rows[0][0] = 10.0
    with pytest.raises(RuntimeError, match=r"the array of shape \(1,\) given as vrows's o was changed after vrows"):
        y.backward()


@pytest.mark.parametrize("x", [Tensor(np.array([0.0, 1.0]), requires_grad=True), Value(0.0)], ids=["Tensor", "Value"])
def test_a_stash_a_drawing_made_again_in_long_doubles_is_no_change(x):
    """An op's 0 is redone in long doubles: the stash then holds the forward's numbers as long doubles (refused; a.grad
    [0, 2] before items were noted); long doubles off the forward's numbers, by less than a float64 tells, are not."""
    op = Op(
        "held",
        lambda x, *, cache: cache.__setitem__("x", x) or x * x,
        lambda g, out, x, *, cache: (2 * g * cache["x"],),
    )
    y = op(x, cache=(cache := {}))
    draw(y)
    assert np.asarray(cache["x"]).dtype == np.longdouble
    y.sum().backward() if isinstance(x, Tensor) else y.backward()
    assert np.asarray(x.grad).tolist() == np.asarray(2 * x.data).tolist()
    if isinstance(x, Tensor) and np.finfo(np.longdouble).eps < np.finfo(np.float64).eps:  # wider long doubles
        y = op(x, cache=cache).sum()
        cache["x"] = np.array([0.0, 1.0], dtype=np.longdouble) + [0.0, np.finfo(np.longdouble).eps]
        assert np.array_equal(cache["x"].astype(np.float64), x.data)
        with pytest.raises(RuntimeError, match=r"the dict given as held's cache no longer holds what it held"):
            y.backward()
