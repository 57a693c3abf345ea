"""PyTorch's Tensor methods that are compositions of chainrule's ops, against PyTorch: reshape_as,
view_as, unbind, movedim (and autograd.movedim), where as a method, lerp, addmm, contiguous;
forward, gradient and second derivative, float64 and float32. Comparison: tests/torch_reference.py."""

import warnings

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

import autograd
import nn
from autograd import ShapeError, Tensor

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 3, 4))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["reshape_as", "view_as"])
@pytest.mark.parametrize("shape", [(4, 6), (24,), (3, 2, 4)])
def test_reshape_as_and_view_as(dtype, name, shape):
    other = np.zeros(shape, dtype)
    check(
        lambda t: getattr(t, name)(Tensor(other)) * 2.0,
        lambda t: getattr(t, name)(torch.tensor(other)) * 2.0,
        [X],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unbind(dtype, dim):
    def f(lib, stack):
        def g(t):
            return stack([piece.sin() * (i + 1) for i, piece in enumerate(t.unbind(dim))], 0)

        return g

    check(f(autograd, autograd.stack), f(torch, torch.stack), [X], dtype)


MOVES = [(0, 2), (-1, 0), ((0, 1), (2, 0)), ([2, 0], [-1, -2]), ((), ()), (1, 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("source, destination", MOVES)
def test_movedim_the_method_and_the_function(dtype, source, destination):
    check(lambda t: t.movedim(source, destination), lambda t: t.movedim(source, destination), [X], dtype)
    check(
        lambda t: autograd.movedim(t, source, destination),
        lambda t: torch.movedim(t, source, destination),
        [X],
        dtype,
    )


def test_movedim_refuses_what_torch_refuses():
    t = Tensor(X)
    with pytest.raises(ValueError, match=r"movedim: 2 source dims \(0, 1\) and 1 destination dims"):
        t.movedim((0, 1), 2)
    with pytest.raises(ValueError, match="appears more than once"):
        t.movedim((0, 0), (1, 2))
    with pytest.raises(IndexError, match=r"movedim: source dim 3 is out of range"):
        t.movedim(3, 0)
    assert Tensor(2.0).movedim(0, -1).shape == () == tuple(torch.tensor(2.0).movedim(0, -1).shape)


@pytest.mark.parametrize("dtype", DTYPES)
def test_where_as_a_method(dtype):
    mask = X > 0
    check(
        lambda a, b: a.where(Tensor(mask), b.exp()),
        lambda a, b: a.where(torch.tensor(mask), b.exp()),
        [X, X[::-1].copy()],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weight", [0.3, 0.5, 0.7, 1.0, -0.6, 2.5])
def test_lerp_with_a_number_weight(dtype, weight):
    """PyTorch's two formulas, from self below |weight| 0.5 and from end above: weight 1 gives end."""
    check(lambda a, b: a.lerp(b, weight), lambda a, b: a.lerp(b, weight), [X, X[::-1].copy()], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_lerp_with_a_tensor_weight_on_both_sides_of_one_half_broadcast(dtype):
    weight = np.array([-0.75, 0.25, 0.5, 1.0])  # along the last dim
    check(lambda a, b, w: a.lerp(b, w), lambda a, b, w: a.lerp(b, w), [X, X[::-1].copy(), weight], dtype)
    assert Tensor(X).lerp(Tensor(X + 1.0), 1.0).data.tolist() == (X + 1.0).tolist()


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf - inf, 0 * inf, inf @ 0
@pytest.mark.parametrize("dtype", DTYPES)
def test_lerp_with_a_tensor_weight_and_infinities_gives_torchs_gradients(dtype):
    """An infinite end or start, or weight: the piece a where left out sent back 0 * inf, so the weight's
    gradient was NaN where torch's is ±inf, and at weight inf so were self's and end's."""
    start = np.array([1.0, 2.0, 3.0, np.inf, 0.5, 1.0], dtype)
    end = np.array([np.inf, -np.inf, 1.0, 1.0, 2.0, 3.0], dtype)
    weight = np.array([0.25, 0.75, 0.5, 0.2, np.inf, -np.inf], dtype)
    ours = [Tensor(a, requires_grad=True) for a in (start, end, weight)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (start, end, weight)]
    out, their_out = ours[0].lerp(ours[1], ours[2]), theirs[0].lerp(theirs[1], theirs[2])
    np.testing.assert_array_equal(out.data, their_out.detach().numpy())
    g = np.array([0.5, -1.5, 2.0, 1.0, -0.25, 3.0], dtype)
    (out * g).sum().backward()
    (their_out * torch.tensor(g)).sum().backward()
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a.grad, b.grad.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("tensor_weight", [False, True])
def test_lerp_whose_product_overflows_takes_the_other_branch_there(dtype, tensor_weight):
    """lerp(0, 2e38, -1) in float32 was -inf: from end, 2e38 * (1 - -1) overflows before the subtraction
    brings it back; the exact answer and torch's are -2e38. Entries that do not overflow keep torch's bits."""
    big = 2.0 ** (np.finfo(dtype).maxexp - 1)  # a power of two: every result exact (torch fuses the product)
    start = np.array([0.0, 1.0, -big / 2, 0.25], dtype)
    end = np.array([big, 2.0, big / 2, -3.0], dtype)
    for weight in (-1.0, -0.5, 3.0):
        w = np.full(4, weight, dtype) if tensor_weight else weight
        ours = [Tensor(a, requires_grad=True) for a in (start, end)]
        theirs = [torch.tensor(a, requires_grad=True) for a in (start, end)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # weight 3: the result itself overflows, as torch's
            out = ours[0].lerp(ours[1], Tensor(w) if tensor_weight else w)
        their_out = theirs[0].lerp(theirs[1], torch.tensor(w) if tensor_weight else w)
        np.testing.assert_array_equal(out.data, their_out.detach().numpy())
        assert out.dtype == dtype
        out.backward(np.ones(4, dtype))
        their_out.sum().backward()
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(a.grad, b.grad.numpy())
    assert np.isfinite(Tensor(start).lerp(Tensor(end), -1.0).data).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias_shape", [(3, 5), (5,), (3, 1), ()])
@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, 2.0), (0, 1.5)])
def test_addmm(dtype, bias_shape, beta, alpha):
    bias, m1, m2 = RNG.normal(size=bias_shape), RNG.normal(size=(3, 4)), RNG.normal(size=(4, 5))

    def f(b, a1, a2):
        return (b * b).addmm(a1, a2.tanh(), beta=beta, alpha=alpha)

    check(f, f, [bias, m1, m2], dtype)


def test_addmm_with_beta_zero_leaves_nan_out_and_gives_a_zero_gradient_as_torchs():
    bias, m1, m2 = np.full((3, 5), np.nan), RNG.normal(size=(3, 4)), RNG.normal(size=(4, 5))
    ours = Tensor(bias, requires_grad=True)
    theirs = torch.tensor(bias, requires_grad=True)
    out = ours.addmm(m1, m2, beta=0)
    their_out = theirs.addmm(torch.tensor(m1), torch.tensor(m2), beta=0)
    np.testing.assert_allclose(out.data, their_out.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    their_out.sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())  # zeros, not None


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf - inf, 0 * inf, inf @ 0
@pytest.mark.parametrize("beta", [0, 1, 2.5])
def test_addmm_with_alpha_zero_leaves_the_product_out_as_torchs(beta):
    """alpha 0 gave self + product * 0: NaN where the matrices hold NaN or inf, +0 where self is -0.
    PyTorch's leaves the product out (beta * self), its gradients those of a product times 0."""
    bias = np.array([[-0.0, 2.0, np.nan, 1.5, -3.0]])
    m1, m2 = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 5))
    m1[0, 1], m2[2, 3] = np.nan, np.inf
    ours = [Tensor(a.copy(), requires_grad=True) for a in (bias, m1, m2)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (bias, m1, m2)]
    out, their_out = ours[0].addmm(*ours[1:], beta=beta, alpha=0), theirs[0].addmm(*theirs[1:], beta=beta, alpha=0)
    np.testing.assert_array_equal(out.data, their_out.detach().numpy())
    np.testing.assert_array_equal(np.signbit(out.data), np.signbit(their_out.detach().numpy()))
    g = RNG.normal(size=(3, 5))
    (out * g).sum().backward()
    (their_out * torch.tensor(g)).sum().backward()
    for a, b in zip(ours, theirs, strict=True):  # self's: beta * g summed, in another order than torch's
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-15, atol=0)


def test_addmm_refuses_what_torch_refuses():
    with pytest.raises(ShapeError, match=r"addmm: mat1 must be a matrix \(2-d\), got shape \(4,\)"):
        Tensor(np.ones(5)).addmm(np.ones(4), np.ones((4, 5)))
    with pytest.raises(ShapeError, match=r"addmm: self of shape \(2, 3, 5\) does not broadcast"):
        Tensor(np.ones((2, 3, 5))).addmm(np.ones((3, 4)), np.ones((4, 5)))
    with pytest.raises(TypeError, match="addmm: beta must be a real number"):
        Tensor(np.ones(5)).addmm(np.ones((3, 4)), np.ones((4, 5)), beta=None)


def test_contiguous_is_the_tensor_itself_or_a_copy_as_torchs():
    """A copy where the layout is not C's, so that a write into it leaves the source as PyTorch's does."""
    t = Tensor(X.copy(), requires_grad=True)
    assert t.contiguous() is t
    theirs = torch.tensor(X)
    for ours, their in ((t.swapaxes(0, 2), theirs.transpose(0, 2)), (t[:, ::2], theirs[:, ::2])):
        c = ours.contiguous()
        assert c is not ours and c.data.flags.c_contiguous and np.array_equal(c.data, ours.data)
        with autograd.no_grad():
            c.zero_()
        their.contiguous().zero_()
        np.testing.assert_array_equal(t.data, X)
        np.testing.assert_array_equal(theirs.numpy(), X)
    check(
        lambda a: a.swapaxes(0, 2).contiguous().sin(), lambda a: a.transpose(0, 2).contiguous().sin(), [X], np.float64
    )
    with pytest.raises(ValueError, match="contiguous: memory_format torch.channels_last is not offered"):
        Tensor(np.ones((1, 2, 3, 4))).contiguous(memory_format=torch.channels_last)


# each view as chainrule's and as torch's (which has no negative step: flip)
VIEWS = {
    "1-d strided": (lambda a: a[0, 0, ::2], lambda a: a[0, 0, ::2]),
    "reversed": (lambda a: a[0, 0, ::-1], lambda a: a[0, 0].flip(0)),
    "a column": (lambda a: a[:, :1, 0], lambda a: a[:, :1, 0]),
}


@pytest.mark.parametrize("view", VIEWS)
def test_contiguous_copies_a_view_that_numpy_can_flatten_without_copying(view):
    """A strided 1-d slice, a reversed one, a (n, 1) column: reshape(-1) of each is still a view, so
    contiguous() returned one over the source's memory, and a write into it changed the source."""
    ours, their = VIEWS[view]
    t, theirs = Tensor(X.copy(), requires_grad=True), torch.tensor(X)
    c = ours(t).contiguous()
    assert c.data.flags.c_contiguous and np.array_equal(c.data, ours(t).data)
    with autograd.no_grad():
        c.zero_()
    their(theirs).contiguous().zero_()
    np.testing.assert_array_equal(t.data, X)
    np.testing.assert_array_equal(theirs.numpy(), X)
    check(lambda a: ours(a).contiguous() * 3.0, lambda a: their(a).contiguous() * 3.0, [X], np.float64)


def test_a_compiled_step_gives_eagers_lerp_as_its_weight_crosses_one_half():
    """lerp picks its formula by |weight| < 0.5, a comparison made inside autograd, which compile took for
    its own: a step replayed the recorded formula once the trained weight crossed 0.5 (-5.2 where eager
    gives -5.199999999999999 at the fourth call). Its caller now reads the weight, as for a where."""

    def make():
        weight = Tensor(np.array([0.3, 0.3]), requires_grad=True)
        opt = nn.SGD([weight], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = x.lerp(x * 3.0, weight).sum() + weight.sum() * 2.0
            loss.backward()
            opt.step()
            return loss

        return weight, step

    (w_eager, eager), (w_compiled, step) = make(), make()
    compiled = autograd.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", autograd.CompileWarning)  # eager: the weight is a parameter
        for _ in range(6):
            x = np.ones(2)
            assert compiled(Tensor(x.copy())).item() == eager(Tensor(x.copy())).item()
            np.testing.assert_array_equal(w_compiled.data, w_eager.data)
