"""PyTorch's in-place methods: `add_ sub_ mul_ div_ clamp_ abs_ neg_` are the in-place operators
(`t.mul_(x)` is `t *= x`), `zero_ fill_ copy_` are item assignment (`t[...] = v`): the same numbers as
torch's, the same refusals, every change counted, and under compile eager's numbers."""

import warnings

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

import autograd
from autograd import ShapeError, Tensor

X = np.array([[0.5, -1.25, 2.0], [3.0, -0.75, 1.5]])
U = np.array([1.5, -2.0, 0.25])

# each method, called the same way on a chainrule and a torch tensor
CALLS = {
    "add_": lambda t, u: t.add_(u),
    "add_ alpha": lambda t, u: t.add_(u, alpha=-0.3),
    "sub_": lambda t, u: t.sub_(u),
    "sub_ alpha": lambda t, u: t.sub_(u, alpha=2.5),
    "mul_": lambda t, u: t.mul_(u),
    "div_": lambda t, u: t.div_(u),
    "clamp_": lambda t, u: t.clamp_(-1.0, 1.0),
    "clamp_ min": lambda t, u: t.clamp_(min=0.0),
    "abs_": lambda t, u: t.abs_(),
    "neg_": lambda t, u: t.neg_(),
    "zero_": lambda t, u: t.zero_(),
    "fill_": lambda t, u: t.fill_(0.1),
    "copy_": lambda t, u: t.copy_(u),
}
# the methods that write whatever t held, and those that compute from it (the in-place operators')
WRITES = ("zero_", "fill_", "copy_")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", CALLS)
def test_each_method_changes_the_tensor_itself_as_torchs_does(name, dtype):
    t, theirs = Tensor(X.astype(dtype)), torch.tensor(X.astype(dtype))
    data, version = t.data, t._version
    assert CALLS[name](t, Tensor(U.astype(dtype))) is t
    CALLS[name](theirs, torch.tensor(U.astype(dtype)))
    assert t.data is data and t.dtype == dtype and t._version == version + 1
    if "alpha" in name:  # torch fuses the multiply-add: chainrule's alpha * u has one rounding more, of its size
        bound = np.finfo(dtype).eps * np.max(np.abs(U.astype(dtype) * 2.5))
        np.testing.assert_allclose(t.data, theirs.numpy(), rtol=0, atol=bound)
    else:
        np.testing.assert_array_equal(t.data, theirs.numpy())


@pytest.mark.parametrize("symbol, name", [("+=", "add_"), ("-=", "sub_"), ("*=", "mul_"), ("/=", "div_")])
def test_an_arithmetic_method_is_its_in_place_operator(symbol, name):
    by_operator, by_method = Tensor(X.astype(np.float32)), Tensor(X.astype(np.float32))
    exec(f"t {symbol} u", {"t": by_operator, "u": U})
    getattr(by_method, name)(U)
    np.testing.assert_array_equal(by_method.data, by_operator.data)


def test_copy_broadcasts_and_casts_as_torchs():
    t, theirs = Tensor(np.zeros((2, 3), np.float32)), torch.zeros(2, 3)
    t.copy_(np.array([0.1, 0.2, 0.3]))  # float64 into float32: cast
    theirs.copy_(torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64))
    np.testing.assert_array_equal(t.data, theirs.numpy())
    labels, their_labels = Tensor(np.zeros(3, np.int64)), torch.zeros(3, dtype=torch.long)
    labels.copy_(np.array([1.7, -2.7, 3.0]))  # a float into an integer tensor truncates
    their_labels.copy_(torch.tensor([1.7, -2.7, 3.0]))
    np.testing.assert_array_equal(labels.data, their_labels.numpy())
    assert labels.fill_(2.7).data.tolist() == torch.zeros(3, dtype=torch.long).fill_(2.7).tolist()


def test_bad_arguments_are_refused_before_anything_changes():
    t = Tensor(X.copy())
    with pytest.raises(ShapeError, match=r"t\.copy_\(src\): src of shape \(1, 1, 3\) does not broadcast"):
        t.copy_(np.ones((1, 3))[None])  # torch: "doesn't match the broadcast shape"
    with pytest.raises(ShapeError, match=r"t\.copy_\(src\): src of shape \(2,\)"):
        t.copy_(np.ones(2))
    with pytest.raises(ShapeError, match=r"fill_\(value\): value must be one number.*copy_"):
        t.fill_(np.ones(3))
    with pytest.raises(TypeError, match=r"fill_\(value\): value must be a real number"):
        t.fill_("1")
    with pytest.raises(ShapeError, match=r"t\.add_\(x\): t has shape \(2, 3\) and the result \(2, 2, 3\)"):
        t.add_(np.ones((2, 2, 3)))
    with pytest.raises(TypeError, match=r"t\.mul_\(x\): the result is float64.*int64 cannot hold"):
        Tensor(np.arange(3)).mul_(0.5)
    with pytest.raises(ValueError, match=r"copy_\(src\): nan cannot be stored in int64"):
        Tensor(np.arange(3)).copy_(np.array([1.0, np.nan, 2.0]))
    with pytest.raises(ValueError, match=r"rounding_mode='floor'.*no rounding mode"):
        t.div_(2.0, rounding_mode="floor")
    with pytest.raises(TypeError, match=r"alpha must be a real number"):
        t.add_(U, alpha=True)
    np.testing.assert_array_equal(t.data, X)
    assert t._version == 0


@pytest.mark.parametrize("name", CALLS)
def test_on_a_leaf_that_requires_grad_the_graph_refuses_as_torchs_and_no_grad_allows(name):
    w = Tensor(X.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"requires grad.*autograd\.no_grad\(\)"):
        CALLS[name](w, U)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        CALLS[name](torch.tensor(X, requires_grad=True), torch.tensor(U))
    np.testing.assert_array_equal(w.data, X)
    with autograd.no_grad():  # initialisation code: `w.mul_(0.1)`
        assert CALLS[name](w, U) is w
    assert w.requires_grad and w.op is None and w._version == 1


@pytest.mark.parametrize("name", [n for n in CALLS if n.split()[0] not in WRITES])
def test_in_the_graph_a_method_refuses_where_the_operator_gives_a_new_node(name):
    """`h += x` rebinds h to the new node; `h.add_(x)` cannot, and h would keep its old values."""
    w = Tensor(X.copy(), requires_grad=True)
    h = w * 2
    with pytest.raises(RuntimeError, match=r"records no change in place.*a method cannot rebind it.*write `t = "):
        CALLS[name](h, U)
    np.testing.assert_array_equal(h.data, 2 * X)
    c = Tensor(X.copy())  # a constant, with an operand that requires grad
    with pytest.raises(RuntimeError, match="records no change in place"):
        c.mul_(w)
    np.testing.assert_array_equal(c.data, X)


@pytest.mark.parametrize("name", WRITES)
def test_writes_into_the_graph_are_refused(name):
    w = Tensor(X.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"^t\.{name}\(.*\): cannot assign into a tensor that requires grad"):
        CALLS[name](w * 2, U)
    with pytest.raises(RuntimeError, match=r"t\.copy_\(src\): cannot assign a tensor that requires grad"):
        Tensor(X.copy()).copy_(w)  # its gradient would be lost (PyTorch puts the constant into the graph)


@pytest.mark.parametrize("name", CALLS)
def test_a_graph_that_saved_the_old_values_refuses_backward(name):
    w = Tensor(X.copy(), requires_grad=True)
    c = Tensor(X.copy())
    y = (w * c).sum()
    CALLS[name](c, U)
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()
    view = c[0]  # a view shares the count
    y = (w[0] * view).sum()
    CALLS[name](c, U)
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


def test_read_only_data_is_named():
    for name in ("mul_", "zero_", "copy_"):
        with pytest.raises(ValueError, match="read-only"):
            CALLS[name](Tensor(np.ones(3)).expand(2, 3), U)


def _steps(name, kind):
    """A step that calls `name` on a tensor of one kind: a parameter under no_grad (a hand-written
    update), a constant it makes, or the input itself."""
    w = Tensor(X.copy(), requires_grad=True)
    operand = (lambda: w.grad * 0.1) if name.split()[0] in ("add_", "sub_", "mul_", "copy_") else (lambda: U)

    def step(x):
        loss = ((x * w).sum() - 1.0) ** 2
        w.grad = None
        loss.backward()
        m = autograd.ones(2, 3, dtype=np.float64)
        if kind == "parameter":
            with autograd.no_grad():
                CALLS[name](w, operand())
        else:
            CALLS[name](m if kind == "constant" else x, U)
        return loss + (m * x).sum()

    return w, step


@pytest.mark.parametrize("kind", ["parameter", "constant", "input"])
@pytest.mark.parametrize("name", CALLS)
def test_a_compiled_step_that_calls_them_gives_eagers_numbers(name, kind):
    (w_eager, eager), (w_compiled, step) = _steps(name, kind), _steps(name, kind)
    compiled = autograd.compile(step)
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", autograd.CompileWarning)  # eager where a replay would not change it
        for _ in range(4):
            x = rng.normal(size=X.shape)
            expected, got = eager(Tensor(x.copy())), compiled(Tensor(x.copy()))
            np.testing.assert_array_equal(got.data, expected.data)
            np.testing.assert_array_equal(w_compiled.data, w_eager.data)


def test_a_value_that_is_not_a_number_or_does_not_fit_is_refused_before_anything_changes():
    """copy_(None) and t[0] = None wrote NaN, t[0] = '5' wrote 5 (numpy's casts of an object or a
    string); fill_(1e5) on float16 wrote inf, where torch's fill_ and autograd.full refuse it."""
    t, half = Tensor(X.copy()), Tensor(np.zeros(3, np.float16), dtype=np.float16)
    with pytest.raises(TypeError, match=r"t\.copy_\(src\): a tensor holds real numbers.*NoneType"):
        t.copy_(None)
    with pytest.raises(TypeError, match=r"t\[i\] = v: a tensor holds real numbers.*str '5'"):
        t[0, 0] = "5"
    with pytest.raises(TypeError, match=r"t\[i\] = v: a tensor holds real numbers.*list \[None, 2\.0\]"):
        t[0, :2] = [None, 2.0]
    with pytest.raises(ValueError, match=r"t\.fill_\(value\): 100000\.0 does not fit float16"):
        half.fill_(1e5)
    with pytest.raises(RuntimeError, match="overflow"):
        torch.zeros(3, dtype=torch.float16).fill_(1e5)
    np.testing.assert_array_equal(t.data, X)
    np.testing.assert_array_equal(half.data, np.zeros(3))
    assert t._version == half._version == 0
    assert half.fill_(np.inf).data.tolist() == [np.inf] * 3  # infinity is a float16
