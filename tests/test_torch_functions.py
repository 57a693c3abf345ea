"""torch's functions of a tensor that are Tensor methods here (autograd.torch_functions): `autograd.sum(x, dim=1)`
as `torch.sum(x, dim=1)`, values and gradients against torch 2.13; max and min of two tensors elementwise; mm, bmm,
mv's dims; the builtins' names kept out of `from autograd import *`."""

import pickle

import numpy as np
import pytest

import autograd
import nn
from autograd import ShapeError, Tensor, shape_functions, torch_functions

torch = pytest.importorskip("torch", reason='needs PyTorch (pip install -e ".[reference]")')

X = np.array([[0.5, -1.5, 2.0], [3.0, 0.25, -0.75]])
W = np.array([[1.0, -2.0], [0.5, 0.25], [-1.0, 3.0]])
Y = np.array([[1.0, 0.0, 2.5], [-1.0, 0.5, 0.0]])

CASES = {  # name: (the function's operands and arguments after x, as autograd and torch take them)
    "sum": ((), {"dim": 1}),
    "mean": ((0,), {}),
    "prod": ((1,), {}),
    "std": ((), {"dim": 1, "correction": 1}),
    "var": ((), {"dim": 0, "correction": 0}),
    "norm": ((), {}),
    "logsumexp": ((1,), {}),
    "amax": ((1,), {}),
    "amin": ((), {"dim": 0}),
    "cumsum": ((1,), {}),
    "cumprod": ((), {"dim": 0}),
    "softmax": ((1,), {}),
    "log_softmax": ((), {"dim": 0}),
    "clamp": ((-1.0, 1.0), {}),
    "clip": ((), {"min": 0.0}),
    "matmul": (("W",), {}),
    "lerp": (("Y", 0.25), {}),
    "pow": ((3,), {}),
    "max": (("Y",), {}),
    "min": (("Y",), {}),
    "mm": (("W",), {}),
}


def _arguments(arguments, kind):
    named = {"W": W, "Y": Y}
    return tuple(kind(named[a]) if isinstance(a, str) else a for a in arguments)


@pytest.mark.parametrize("name", CASES)
def test_values_and_gradients_match_torchs(name):
    arguments, keywords = CASES[name]
    x = Tensor(X, requires_grad=True)
    ours = getattr(autograd, name)(x, *_arguments(arguments, Tensor), **keywords)
    t = torch.tensor(X, requires_grad=True)
    theirs = getattr(torch, name)(t, *_arguments(arguments, torch.tensor), **keywords)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-13)
    weights = np.linspace(-1, 1, theirs.numel()).reshape(theirs.shape)
    (ours * Tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", ["argmax", "argmin", "all", "any", "eq", "ne", "lt", "gt", "le", "ge", "numel"])
def test_functions_without_gradients_match_torchs(name):
    extra = {"eq ne lt gt le ge": (Y,)}
    arguments = next((v for k, v in extra.items() if name in k.split()), ())
    ours = getattr(autograd, name)(Tensor(X), *(Tensor(a) for a in arguments))
    theirs = getattr(torch, name)(torch.tensor(X), *(torch.tensor(a) for a in arguments))
    np.testing.assert_array_equal(np.asarray(autograd.raw(ours)), np.asarray(theirs))


def test_max_of_one_tensor_along_a_dim_gives_values_and_indices_as_torchs():
    ours, theirs = autograd.max(Tensor(X), dim=1), torch.max(torch.tensor(X), dim=1)
    np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())


def test_bmm_and_mv_as_torchs_and_their_dims_refused_naming_matmul():
    a, b = np.arange(12.0).reshape(2, 2, 3), np.arange(6.0).reshape(2, 3, 1)
    np.testing.assert_array_equal(autograd.bmm(a, b).data, torch.bmm(torch.tensor(a), torch.tensor(b)).numpy())
    np.testing.assert_array_equal(autograd.mv(X, Y[0]).data, torch.mv(torch.tensor(X), torch.tensor(Y[0])).numpy())
    with pytest.raises(ShapeError, match=r"mm takes operands of 2 and 2 dims, got shapes \(2, 3\) and \(3,\).*matmul"):
        autograd.mm(X, Y[0])
    with pytest.raises(ShapeError, match="bmm: batches of 2 and 3 matrices"):
        autograd.bmm(a, np.ones((3, 3, 1)))
    with pytest.raises(TypeError, match="takes nothing else"):
        autograd.max(X, Y, 1)


def test_the_builtins_names_are_attributes_but_not_star_imported():
    namespace = {}
    exec("from autograd import *", namespace)
    assert torch_functions.BUILTINS.isdisjoint(namespace) and {"mean", "softmax", "mm"} <= namespace.keys()
    assert all(hasattr(autograd, name) for name in torch_functions.BUILTINS)


def test_each_name_is_made_in_one_place():
    made_here = set(torch_functions.__all__) | torch_functions.BUILTINS
    elsewhere = set(autograd.FUNCTIONS) | set(shape_functions.__all__) | set(autograd.creation.__all__)
    assert not made_here & elsewhere


MOMENTS = {  # torch.std's and torch.var's forms: (arguments after x, keywords); the default is correction=1
    "all": ((), {}),
    "dim": ((1,), {}),
    "dim, unbiased": ((1, False), {}),
    "dim, unbiased, keepdim": ((1, True, True), {}),
    "unbiased": ((False,), {}),
    "dims": (((0, 1),), {}),
    "keepdim=": ((0,), {"keepdim": True}),
    "dim=": ((), {"dim": 1}),
    "correction=": ((1,), {"correction": 0}),
}


@pytest.mark.parametrize("form", MOMENTS)
@pytest.mark.parametrize("name", ["std", "var"])
def test_std_and_var_read_torchs_arguments_and_default(name, form):
    """autograd.std(x) was numpy's population std (1.532 where torch.std gives 1.678) and autograd.std(x, 1) refused
    as ambiguous: as torch's functions they take torch's forms, correction=1 unless told otherwise."""
    arguments, keywords = MOMENTS[form]
    x = Tensor(X, requires_grad=True)
    ours = getattr(autograd, name)(x, *arguments, **keywords)
    t = torch.tensor(X, requires_grad=True)
    theirs = getattr(torch, name)(t, *arguments, **keywords)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-13)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("arguments", "keywords"), [((1,), {}), ((1,), {"keepdim": True}), ((0, True), {}), ((np.int64(-1),), {})]
)
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_take_torchs_dim_by_position(name, arguments, keywords):
    """torch.max(x, 1) (`_, predicted = torch.max(outputs, 1)`) was refused as ambiguous: torch's function reads an int
    by position as dim, giving (values, indices)."""
    ours = getattr(autograd, name)(Tensor(X), *arguments, **keywords)
    given = (a if isinstance(a, bool) else int(a) for a in arguments)
    theirs = getattr(torch, name)(torch.tensor(X), *given, **keywords)
    np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())


@pytest.mark.parametrize(
    ("name", "a", "b"),
    [("mm", (2, 3), (2, 3)), ("bmm", (2, 2, 3), (2, 2, 1)), ("mv", (2, 3), (2,))],
)
def test_mm_bmm_mv_name_themselves_where_the_inner_dims_differ(name, a, b):
    """They said '@: shapes (2, 3) and (2,) do not fit', naming an operator the caller never wrote."""
    with pytest.raises(ShapeError, match=rf"^{name}: the first's last dim, 3, is not the second's .*dim, 2"):
        getattr(autograd, name)(np.ones(a), np.ones(b))


@pytest.mark.parametrize("name", ["sum", "max", "min", "all", "any"])
def test_a_list_of_tensors_given_to_a_builtins_name_is_refused(name):
    """`from autograd import sum` then sum([a, b]) gave 7.0, the sum of every entry, where Python's sum gives a + b
    elementwise and torch.sum refuses a list: a list holding Tensors is refused, naming both ways."""
    a, b = Tensor(X), Tensor(2 * X)
    with pytest.raises(TypeError, match=rf"^{name}\(\) of a list of Tensors: .*builtins\.{name}\(.*autograd\.stack"):
        getattr(autograd, name)([a, b])
    with pytest.raises(TypeError, match=rf"^{name}\(\) of a list of Tensors"):
        getattr(autograd, name)((a, Tensor(X, requires_grad=True)))
    assert getattr(autograd, name)([1.0, 2.0]).item() == getattr(torch, name)(torch.tensor([1.0, 2.0])).item()


@pytest.mark.parametrize(
    ("name", "arguments", "keywords", "bound"),
    [("max", (1.5,), {}, "min"), ("min", (), {"other": 1.5}, "max"), ("max", (np.float64(0.5),), {}, "min")],
)
def test_max_and_min_of_a_tensor_and_a_number_name_clamp(name, arguments, keywords, bound):
    """torch.max(x, 1.5) is refused by torch too, but here it said 'max(): axis must be an int ... got 1.5' (and
    other=1.5 'ReductionMethods.max() got an unexpected keyword argument'), words about something never meant."""
    with pytest.raises(TypeError, match=rf"^{name}\(input, other\): other is a tensor .* autograd\.clamp\(x, {bound}="):
        getattr(autograd, name)(Tensor(X), *arguments, **keywords)
    with pytest.raises(TypeError):
        getattr(torch, name)(torch.tensor(X), *arguments, **keywords)


DTYPED = {  # torch's functions that take dtype= (the input cast to it first), with their other arguments
    "sum": ((1,), {}),
    "mean": ((), {}),
    "prod": ((0,), {}),
    "cumsum": ((1,), {}),
    "cumprod": ((0,), {}),
    "softmax": ((1,), {}),
    "log_softmax": ((0,), {}),
    "norm": ((), {}),
}


@pytest.mark.parametrize(
    ("name", "by_position"), [*((name, False) for name in DTYPED), ("softmax", True), ("log_softmax", True)]
)
def test_dtype_casts_the_input_first_as_torchs(name, by_position):
    """torch.sum(x, dtype=torch.float64) was '_reduction.<locals>.reduce() got an unexpected keyword argument
    'dtype'': the input is cast first, as torch's, in the graph (softmax and log_softmax take it by position too)."""
    arguments, keywords = DTYPED[name]
    x32 = X.astype(np.float32)
    x, t = Tensor(x32, requires_grad=True), torch.tensor(x32, requires_grad=True)
    ours_dtype, theirs_dtype = (np.float64, torch.float64)
    if by_position:
        ours = getattr(autograd, name)(x, *arguments, ours_dtype, **keywords)
        theirs = getattr(torch, name)(t, *arguments, theirs_dtype, **keywords)
    else:
        ours = getattr(autograd, name)(x, *arguments, dtype=theirs_dtype, **keywords)
        theirs = getattr(torch, name)(t, *arguments, dtype=theirs_dtype, **keywords)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-13)
    weights = np.linspace(-1, 1, theirs.numel()).reshape(theirs.shape)
    (ours * Tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-6)


XS = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 5.0])  # ties with each bound, and bounds crossed (lo > hi)
LO = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 3.0, 3.0, np.nan])
HI = np.array([3.0, 3.0, 3.0, 3.0, 3.0, 2.0, 2.0, 6.0])
CLAMPS = {  # how: (our call, torch's), given x, lo, hi
    "function": (lambda x, lo, hi: autograd.clamp(x, lo, hi), lambda x, lo, hi: torch.clamp(x, lo, hi)),
    "method": (lambda x, lo, hi: x.clamp(min=lo, max=hi), lambda x, lo, hi: x.clamp(min=lo, max=hi)),
    "clip": (lambda x, lo, hi: x.clip(lo, hi), lambda x, lo, hi: x.clip(lo, hi)),
    "min only": (lambda x, lo, hi: autograd.clamp(x, min=lo), lambda x, lo, hi: torch.clamp(x, min=lo)),
    "max only": (lambda x, lo, hi: autograd.clamp(x, max=hi), lambda x, lo, hi: torch.clamp(x, max=hi)),
    "broadcast": (
        lambda x, lo, hi: autograd.clamp(x * Tensor(np.array([[1.0], [-2.0]])), lo, hi),  # bounds along rows
        lambda x, lo, hi: torch.clamp(x * torch.tensor([[1.0], [-2.0]], dtype=torch.float64), lo, hi),
    ),
}


@pytest.mark.parametrize("how", CLAMPS)
def test_clamp_takes_tensor_bounds_as_torch_2_13(how):
    """clamp(x, min=Tensor) was refused ('clip/clamp takes numbers as bounds here'), which torch 2.13 takes: values
    and gradients to x and both bounds equal torch's, at ties (to x), with crossed bounds (max's) and a NaN bound."""
    ours_of, theirs_of = CLAMPS[how]
    ours_in = [Tensor(a, requires_grad=True) for a in (XS, LO, HI)]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in (XS, LO, HI)]
    ours, theirs = ours_of(*ours_in), theirs_of(*theirs_in)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    weights = np.arange(1.0, theirs.numel() + 1).reshape(theirs.shape)
    (ours * Tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for mine, its in zip(ours_in, theirs_in):
        np.testing.assert_array_equal(
            0 if mine.grad is None else mine.grad, 0 if its.grad is None else its.grad.numpy()
        )


def test_clamp_of_tensor_bounds_replays_with_eagers_numbers(monkeypatch):
    """The masks of Tensor bounds are comparisons, made again by each replay: bounds computed in the step from the
    weights, crossing x differently on each call, give eager's losses."""
    from compile_faithful_cases import check_replayed

    def scenario(compile):
        w = Tensor(np.ones(3), requires_grad=True)
        opt = nn.SGD([w], lr=0.3)

        def step(x):
            opt.zero_grad()
            y = Tensor(x) * w
            loss = (autograd.clamp(y, y.mean() - 0.5 * w, w * 2) ** 2).sum()
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        return [run(np.array([1.0, -2.0, 3.0]) * (-1) ** i * (i + 1)) for i in range(6)]

    check_replayed(scenario, monkeypatch, replays_at_least=3)


@pytest.mark.parametrize(("name", "grad"), [("mean", False), ("softmax", False), ("norm", False), ("sum", True)])
def test_a_dtype_torch_refuses_is_refused(name, grad):
    """mean(x, dtype=int64) gave 0.667, the mean of x's entries truncated to ints, where torch refuses it (mean,
    softmax, log_softmax and norm take floating dtypes only; every one refuses an integer dtype where x requires
    grad: 'Autograd not support dtype')."""
    keywords = {"dim": 1} if name == "softmax" else {}
    with pytest.raises(TypeError, match=rf"^{name}\(\): dtype int64 .*a floating dtype"):
        getattr(autograd, name)(Tensor(X, requires_grad=grad), dtype=np.int64, **keywords)
    with pytest.raises((RuntimeError, NotImplementedError)):
        getattr(torch, name)(torch.tensor(X, requires_grad=grad), dtype=torch.int64, **keywords)


def test_an_integer_dtype_of_a_tensor_without_gradient_sums_its_truncated_entries_as_torchs():
    ours = autograd.sum(Tensor(X), dtype=np.int64)
    theirs = torch.sum(torch.tensor(X), dtype=torch.int64)
    assert ours.dtype == np.int64 and ours.item() == theirs.item() == 4


@pytest.mark.parametrize("name", sorted(set(torch_functions.__all__) | torch_functions.BUILTINS))
def test_each_function_pickles_as_itself_and_names_its_module(name):
    """autograd.matmul (and 18 more) said they were of autograd.shape_functions, which has no such name: pickle
    failed ('attribute lookup matmul on autograd.shape_functions failed'), as a process pool's map would."""
    function = getattr(autograd, name)
    assert function.__module__ == "autograd.torch_functions"
    assert pickle.loads(pickle.dumps(function)) is function


@pytest.mark.parametrize(
    "call", [lambda x: x.clamp(), lambda x: x.clamp(None, None), lambda x: autograd.clamp(x), lambda x: x.clamp_()]
)
def test_clamp_without_a_bound_is_refused_as_torchs(call):
    """torch.clamp(x) with neither bound raises; chainrule's returned x unchanged, hiding the bound the caller
    forgot. numpy's spelling, clip, keeps numpy 2's reading (no bound: x)."""
    x = Tensor(np.arange(3.0))
    with pytest.raises(TypeError, match=r"clamp: give min or max \(or both\)"):
        call(x)
    assert x.clip().data.tolist() == [0.0, 1.0, 2.0]
