"""A user's op given arrays inside a list, tuple or dict keyword argument (`ws=[w1, w2]`, `parts={"w": w}`): only
an array given as the keyword argument itself was a read-only view, so a forward or rule writing into one held in a
container wrote into the caller's array without a word (a rule's `w += 1` gave x a gradient of 2, then 3 on a
second backward of the same graph; under compile, each call doubled the user's array). Those arrays are read-only
while the op runs (the containers the caller's own), and the write is refused naming the op, on Tensors and Values."""

import warnings

import numpy as np
import pytest

import autograd
from autograd import Op, Tensor, Value

HOLDERS = {
    "list": (lambda w: [w], lambda ws: ws[0]),
    "tuple": (lambda w: (w,), lambda ws: ws[0]),
    "dict": (lambda w: {"w": w}, lambda ws: ws["w"]),
    "list in a dict": (lambda w: {"ws": [np.zeros(1), w]}, lambda ws: ws["ws"][1]),
}


def _op(name, held, in_rule):
    """x * w for the array w that `held` takes out of the keyword argument ws; its forward (or rule) adds 1 to w."""

    def forward(x, *, ws):
        w = held(ws)
        if not in_rule:
            w += 1.0
        return x * (w if isinstance(x, np.ndarray) else float(w[0]))

    def rule(g, out, x, *, ws):
        w = held(ws)
        if in_rule:
            w += 1.0
        return (g * (w if isinstance(x, np.ndarray) else float(w[0])),)

    return Op(name, forward, rule)


@pytest.mark.parametrize("holder", HOLDERS)
@pytest.mark.parametrize("engine", ["tensor", "value"])
def test_a_forward_writing_into_an_array_held_in_a_keyword_argument_is_refused(holder, engine):
    make, held = HOLDERS[holder]
    w = np.ones(1)
    x = Tensor(np.ones(1), requires_grad=True) if engine == "tensor" else Value(1.0)
    with pytest.raises(ValueError, match=r"forward of op 'shifted' wrote into an input or a keyword argument"):
        _op("shifted", held, in_rule=False)(x, ws=make(w))
    assert w.tolist() == [1.0] and w.flags.writeable


@pytest.mark.parametrize("holder", HOLDERS)
@pytest.mark.parametrize("engine", ["tensor", "value"])
def test_a_rule_writing_into_an_array_held_in_a_keyword_argument_is_refused(holder, engine):
    make, held = HOLDERS[holder]
    w = np.ones(1)
    x = Tensor(np.ones(1), requires_grad=True) if engine == "tensor" else Value(1.0)
    y = _op("scaled", held, in_rule=True)(x, ws=make(w))
    loss = y.sum() if engine == "tensor" else y
    with pytest.raises(ValueError, match="rule of op 'scaled' wrote into its g, its out, an input or a keyword"):
        loss.backward()
    assert w.tolist() == [1.0]


@pytest.mark.parametrize("held", ["in a list", "itself"])  # itself: refused already, pinned here
@pytest.mark.parametrize("given", ["a global", "the step's input"])
def test_a_compiled_step_whose_op_writes_into_an_array_in_a_list_is_refused_as_eagerly(given, held):
    """Compiled, the step saw its global change and ran eagerly: each call doubled it (2, 4, 8, 16), as eager did.
    The step's own input, held in a list, was written on the recorded call (loss 6.0, the caller's y all 2) where
    eager refused it: compile's recording gives the step a watched view of it, which was not made read-only. Both
    refuse it now, on every call, with the caller's array kept."""
    scale = np.ones(3)
    first = (lambda ws: ws[0]) if held == "in a list" else (lambda w: w)
    doubling = Op("doubling", lambda x, *, ws: x * first(ws).__imul__(2.0), lambda g, out, x, *, ws: (g * first(ws),))
    p = Tensor(np.ones(3), requires_grad=True)

    def step(x, y):
        w = scale if given == "a global" else y
        loss = doubling(p * Tensor(x), ws=[w] if held == "in a list" else w).sum()
        loss.backward()
        return loss.item()

    for run in (step, autograd.compile(step)):
        for _ in range(3):
            y = np.ones(3)
            with pytest.raises(ValueError, match="forward of op 'doubling' wrote into an input"):
                run(np.ones(3), y)
            assert y.tolist() == [1.0, 1.0, 1.0]
    assert scale.tolist() == [1.0, 1.0, 1.0]


def test_arrays_held_in_containers_are_read_as_given_and_containers_of_no_array_are_the_callers():
    """A forward reading arrays in a tuple, a dict and a list gets their numbers and the containers' types; a list
    holding no array (an op's own record of its calls) is the caller's own."""
    calls = []

    def forward(x, *, ws, parts, log):
        log.append(type(ws).__name__ + type(parts).__name__)
        return x * ws[0] + parts["b"]

    op = Op("affine", forward, lambda g, out, x, *, ws, parts, log: (g * ws[0],))
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = op(x, ws=(np.array([3.0, 3.0]),), parts={"b": np.array([1.0, 0.0])}, log=calls)
    y.sum().backward()
    assert y.data.tolist() == [4.0, 6.0] and x.grad.tolist() == [3.0, 3.0] and calls == ["tupledict"]


def test_under_detect_anomaly_np_add_at_into_an_array_held_in_a_list_is_refused():
    """np.add.at ignores the read-only flag; detect_anomaly's fingerprints looked one level into the arguments (an
    array in a keyword argument's list, [w], was fingerprinted, one in a list in a dict was not)."""
    w = np.ones(2)
    adding = Op(
        "adding", lambda x, *, parts: np.add.at(parts["ws"][0], [0], 1.0) or x * 1.0, lambda g, out, x, **_: (g,)
    )
    with autograd.detect_anomaly(), pytest.raises(ValueError, match="forward of op 'adding' wrote into an input"):
        adding(Tensor(np.ones(2), requires_grad=True), parts={"ws": [w]})


class _Named(list):
    """A list subclass built as `_Named(name, items)`: not by `type(ws)(items)`."""

    def __init__(self, name, items):
        super().__init__(items)
        self.name = name


class _Pair(tuple):
    """A tuple subclass built as `_Pair(a, b)`."""

    def __new__(cls, a, b):
        return super().__new__(cls, (a, b))


@pytest.mark.parametrize("engine", ["tensor", "value"])
def test_a_container_of_arrays_is_the_callers_own_so_a_forwards_stash_reaches_its_rule(engine):
    """A forward that keeps cos(x) in a list keyword argument for its rule: the rule read a second copy of the
    caller's list, rebuilt from it, so x's gradient was [0, 0] where it is cos(x) (0.878, 0.540)."""

    def forward(x, *, cache):
        cache[0] = np.cos(x)
        return np.sin(x)

    op = Op("sine", forward, lambda g, out, x, *, cache: (g * cache[0],))
    cache = [np.zeros(1)]
    x = Tensor(np.array([0.5, 1.0]), requires_grad=True) if engine == "tensor" else Value(0.5)
    y = op(x, cache=cache)
    (y.sum() if engine == "tensor" else y).backward()
    np.testing.assert_allclose(np.ravel(x.grad), np.cos([0.5, 1.0][: np.size(x.grad)]), rtol=1e-15)


def test_an_ops_log_of_the_arrays_it_saw_grows_on_every_call():
    """A list the forward appends to held an array after the first call, and was rebuilt from the second on:
    3 calls left 1 entry."""
    log = []
    op = Op("logged", lambda x, *, log: log.append(x.copy()) or x * 2.0, lambda g, out, x, *, log: (g * 2.0,))
    for _ in range(3):
        op(Tensor(np.ones(2), requires_grad=True), log=log)
    assert len(log) == 3


@pytest.mark.parametrize("make", [lambda w: _Named("ws", [w]), lambda w: _Pair(w, 2)], ids=["list", "tuple"])
def test_a_list_or_tuple_subclass_of_its_own_signature_is_given_as_it_is_and_read_only(make):
    """Rebuilt in its own type, `_Named(items)` or `_Pair((a, b))`, the op met a TypeError of the rebuild."""
    w = np.ones(1)
    ws = make(w)
    seen = []

    def forward(x, *, ws):
        seen.append(ws)
        ws[0][0] = 9.0
        return x * 1.0

    with pytest.raises(ValueError, match="forward of op 'held' wrote into an input"):
        Op("held", forward, lambda g, out, x, *, ws: (g,))(Tensor(np.ones(1), requires_grad=True), ws=ws)
    assert seen == [ws] and seen[0] is ws and w.tolist() == [1.0] and w.flags.writeable


def test_arrays_held_are_writeable_again_after_the_call_a_view_before_its_base_too():
    """The caller's arrays are read-only only while the op runs, also where a refusal ended it, and a view held
    before its base (`[w[1:], w]`) is set back after the base is."""
    w = np.ones(3)
    op = Op("read", lambda x, *, ws: x * ws[1][0], lambda g, out, x, *, ws: (g * ws[1][0],))
    y = op(Tensor(np.ones(1), requires_grad=True), ws=[w[1:], w])
    y.sum().backward()
    writing = Op("writing", lambda x, *, ws: ws[0].fill(2.0) or x, lambda g, out, x, *, ws: (g,))
    with pytest.raises(ValueError, match="forward of op 'writing'"):
        writing(Tensor(np.ones(1), requires_grad=True), ws=(w[1:], w))
    w[1:][0] = 5.0
    assert w.tolist() == [1.0, 5.0, 1.0] and w.flags.writeable


@pytest.mark.parametrize("engine", ["tensor", "value"])
def test_a_container_that_holds_itself_is_read_once(engine):
    """A list holding itself (`ws.append(ws)`) was walked without end: a RecursionError where the op ran before."""
    ws = [np.ones(1), np.ones(1).view(np.matrix)]  # an array of a subclass too (rebuilt around plain views)
    ws.append(ws)
    op = Op("cyclic", lambda x, *, ws: x * 1.0, lambda g, out, x, *, ws: (g,))
    x = Tensor(np.ones(1), requires_grad=True) if engine == "tensor" else Value(1.0)
    with autograd.detect_anomaly():
        y = op(x, ws=ws)
        (y.sum() if engine == "tensor" else y).backward()
    assert np.ravel(x.grad).tolist() == [1.0] and ws[0].flags.writeable


def test_a_compiled_steps_input_held_in_a_list_is_read_by_the_op_not_by_the_step():
    """`op(p * Tensor(x), ws=[y])` with y the step's input: the op's forward reading y was taken for the step's own
    code reading the input's numbers with numpy, and the step ran eagerly (the recording's watched view of y was
    given to the op as it was); the op is given a plain read-only view of it, and the step replays."""
    scaling = Op("scaling", lambda x, *, ws: x * ws[0], lambda g, out, x, *, ws: (g * ws[0],))
    p = Tensor(np.ones(3), requires_grad=True)

    def step(x, y):
        loss = scaling(p * Tensor(x), ws=[y]).sum()
        loss.backward()
        return loss.item()

    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal(3), rng.standard_normal(3)) for _ in range(4)]
    eager = [step(x, y) for x, y in batches]
    run = autograd.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error", autograd.CompileWarning)
        assert [run(x, y) for x, y in batches] == eager
    assert [r.program is not None for r in run.recordings.values()] == [True]


@pytest.mark.parametrize("holder", HOLDERS)
def test_a_forward_returning_an_array_held_in_a_keyword_argument_gives_an_output_of_its_own(holder):
    """`lambda x, *, ws: ws[0]`: the output was the caller's array itself (writeable again after the call), so the
    caller's later `w[0] = 99` changed the Tensor's data, and what its graph had read, without a word; an array
    given as the keyword argument itself was copied already (read-only views are)."""
    hold, held = HOLDERS[holder]
    w = np.array([1.0, 2.0])
    pick = Op("pick_held", lambda x, *, ws: held(ws), lambda g, out, x, *, ws: (g * 0,))
    for call in (pick, autograd.compile(lambda x, ws: pick(x, ws=ws))):
        out = call(Tensor(np.zeros(2)), ws=hold(w))
        w[0] = 99.0
        assert out.data.tolist() == [1.0, 2.0], (call, out.data)
        out.data[1] = -5.0
        assert w.tolist() == [99.0, 2.0]
        w[0] = 1.0


@pytest.mark.parametrize("nested", [False, True])
def test_a_writeable_view_of_a_read_only_array_held_in_a_list_stays_writeable_after_the_op(nested):
    """A view V, writeable, of an array B made read-only after it (by the caller, or by an outer op's lock of B
    while it calls an op given V): the op's lock of V could not be taken back (numpy refuses a view of a read-only
    array the flag), so the call raised ValueError 'cannot set WRITEABLE flag to True' and left V read-only."""
    base = np.arange(4.0)
    view = base[:2]
    inner = Op("inner_scale", lambda x, *, ws: x * ws[0], lambda g, out, x, *, ws: (g * ws[0],))
    if nested:
        outer = Op("outer", lambda x, *, ws: inner(Tensor(x), ws=[view]).data, lambda g, out, x, *, ws: (g,))
        out = outer(Tensor(np.ones(2)), ws=[base])
    else:
        base.flags.writeable = False
        out = inner(Tensor(np.ones(2)), ws=[view])
    assert out.data.tolist() == [0.0, 1.0]
    assert view.flags.writeable
