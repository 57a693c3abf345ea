"""Every op chainrule defines has a differential case against PyTorch.

Walks the module-level `autograd.graph.Op` instances of autograd/scalar_ops.py and
autograd/tensor_ops.py: each needs an entry in CASES below (or in EXCLUDED, with the reason),
whose chainrule graph must contain that very op, and which must agree with torch at its point.
The thorough, property-based comparisons are the other tests/test_torch_reference_*.py files;
these cases make a new op without a torch comparison fail loudly."""

import numpy as np
import pytest
import torch_cases_fold
import torch_cases_pool
import torch_cases_reductions
import torch_cases_shapes
from test_torch_reference_elementwise import torch_function
from torch_reference import DTYPES, F, check, check_scalar, compared, torch  # without torch: skipped

import autograd
from autograd import Op, Value, gradients, scalar_ops, tensor_ops, topological_order
from autograd.conv import conv2d, conv3d, conv_transpose2d, conv_transpose3d, max_pool2d, max_pool3d
from autograd.op_table import BY_NAME, ELEMENTWISE

# Ops with no differential case of their own, each with its reason. None today: the internal
# helpers (sum_to, broadcast_to, index_add) are called directly below, and in
# tests/test_torch_reference_shapes.py.
EXCLUDED: dict[str, str] = {}

X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]  # (2, 3)
POSITIVE_X = [[0.5, 1.0, 2.0], [1.5, 0.25, 0.75]]
ROW = [0.5, -2.0, 1.25]  # (3,), broadcasts against X
TIES = [[2.0, -1.0, 2.0], [0.5, 0.5, -3.0]]
LABELS = np.array([2, 0])
INDEX = np.array([1, 0, 1, 1])
IMAGES = np.linspace(-1.0, 1.5, 2 * 4 * 3 * 4).reshape(2, 4, 3, 4) ** 3  # (batch, channels, h, w)
KERNELS = np.linspace(-0.8, 0.9, 6 * 2 * 2 * 3).reshape(6, 2, 2, 3)  # (out, in / groups 2, kh, kw)
POOL_TIES = [[[[1.0, 2.0, 2.0], [2.0, 0.5, 2.0], [-1.0, 2.0, 0.0]]]]  # ties: the gradient goes to the first
MAXIMA = np.array([[[[1, 1], [5, 5]]]])  # where max_pool2d(POOL_TIES, 2, stride 1) takes its maxima (overlapping)
VOLUMES = np.linspace(-1.0, 1.5, 2 * 4 * 3 * 2 * 3).reshape(2, 4, 3, 2, 3) ** 3  # (batch, channels, d, h, w)
KERNELS_3D = np.linspace(-0.8, 0.9, 4 * 2 * 2 * 1 * 2).reshape(4, 2, 2, 1, 2)  # (out, in / groups 2, kd, kh, kw)
VOLUME_TIES = [[[[[1.0, 2.0], [2.0, 0.5]], [[2.0, -1.0], [2.0, 0.0]]]]]  # (1, 1, 2, 2, 2): the gradient to the first


def _multi_margin_by_hand(x, y, weight, p=2, margin=1.25):
    """torch's multi_margin_loss (reduction "none") in torch's ops, which differentiate twice."""
    z = (margin - x.gather(1, y.reshape(-1, 1)) + x).relu()
    others = torch.ones_like(x).scatter(1, y.reshape(-1, 1), 0.0)
    return ((z if p == 1 else z * z) * others * weight[y].reshape(-1, 1)).sum(1) / x.shape[1]


def _table_case(d, candidates):
    """The op table's entry as a case: its operator or function against PyTorch's, at the first
    candidate point inside each input's domain."""
    return *compared(d), [next(x for x in candidates if domain(x)) for domain in d.safe]


def _tensor_case(d):
    candidates = [X, POSITIVE_X, np.multiply(X, 0.3), np.add(POSITIVE_X, 1), np.divide(POSITIVE_X, 2.5)]
    chain, torch_fn, inputs = _table_case(d, candidates)
    row = np.add(POSITIVE_X[0], 1) if d.no_derivative else ROW  # gammainc's x, zeta's q: inside their domain
    return chain, torch_fn, inputs if d.arity == 1 else [inputs[0], row]  # a row that broadcasts


# scalar op name: (chainrule on Values, torch on 0-d tensors, inputs)
SCALAR_CASES = {d.name: _table_case(d, [-0.75, 1.5, 0.3]) for d in ELEMENTWISE}
SCALAR_CASES.update(
    {
        "power_const": (lambda a: a**3, lambda a: a**3, [-1.5]),
        "power_base_const": (lambda b: 2.0**b, lambda b: 2.0**b, [-1.5]),
    }
)

# tensor op name: (chainrule on Tensors, torch, inputs)
TENSOR_CASES = {d.name: _tensor_case(d) for d in ELEMENTWISE}
TENSOR_CASES.update(
    {
        "sum_to": (lambda t: tensor_ops.sum_to(t, shape=(1, 3)), lambda t: t.sum_to_size((1, 3)), [X]),
        "broadcast_to": (lambda t: tensor_ops.broadcast_to(t, shape=(2, 3)), lambda t: t.expand(2, 3), [ROW]),
        "power_const": (lambda t: t**3, lambda t: t**3, [X]),
        "matmul": (lambda a, b: a @ b, torch.matmul, [X, np.transpose(POSITIVE_X)]),
        "clip": (lambda t: t.clip(-0.75, 1.0), lambda t: torch.clamp(t, -0.75, 1.0), [X]),
        "sum": (lambda t: t.sum(axis=1), lambda t: t.sum(dim=1), [X]),
        "mean": (lambda t: t.mean(axis=0, keepdims=True), lambda t: t.mean(dim=0, keepdim=True), [X]),
        "max": (lambda t: t.max(axis=-1), lambda t: torch.amax(t, dim=-1), [TIES]),
        "min": (lambda t: t.min(), torch.amin, [TIES]),
        "astype": (
            lambda t: t.astype(np.float64 if t.dtype == np.float32 else np.float32),
            lambda t: t.to(torch.float64 if t.dtype == torch.float32 else torch.float32),
            [X],
        ),
        "reshape": (lambda t: t.reshape(3, 2), lambda t: t.reshape(3, 2), [X]),
        "transpose": (lambda t: t.transpose(-1, 0), lambda t: t.permute(-1, 0), [X]),
        "getitem": (lambda t: t[INDEX, 1:], lambda t: t[torch.from_numpy(INDEX), 1:], [X]),
        "index_add": (
            lambda t: tensor_ops.index_add(t, index=INDEX, shape=(2, 3)),
            lambda t: torch.zeros(2, 3, dtype=t.dtype).index_add(0, torch.from_numpy(INDEX), t),
            [np.arange(12.0).reshape(4, 3) / 4],
        ),
        "concatenate": (lambda a, b: autograd.concatenate([a, b], axis=-1), lambda a, b: torch.cat([a, b], -1), [X, X]),
        "stack": (lambda a, b: autograd.stack([a, b], axis=1), lambda a, b: torch.stack([a, b], 1), [X, POSITIVE_X]),
        "where": (
            lambda a, b: autograd.where(np.array(X) > 0, a, b),
            lambda a, b: torch.where(torch.tensor(X) > 0, a, b),
            [X, ROW],
        ),
        "logsumexp": (lambda t: t.logsumexp(axis=1), lambda t: torch.logsumexp(t, 1), [X]),
        "softmax": (lambda t: t.softmax(axis=0), lambda t: torch.softmax(t, 0), [X]),
        "log_softmax": (lambda t: t.log_softmax(axis=-1), lambda t: torch.log_softmax(t, -1), [X]),
        "cross_entropy": (
            lambda t: autograd.cross_entropy(t, LABELS),
            lambda t: F.cross_entropy(t, torch.from_numpy(LABELS)),
            [X],
        ),
        "nll_loss": (
            lambda t: autograd.nll_loss(t, LABELS, weight=np.abs(ROW), reduction="none") * t[:, 0],
            lambda t: (
                F.nll_loss(
                    t, torch.from_numpy(LABELS), weight=torch.tensor(np.abs(ROW), dtype=t.dtype), reduction="none"
                )
                * t[:, 0]
            ),
            [X],
        ),
        # torch's kernel has no second derivative: its formula in torch's ops stands in (its own forward and
        # gradient are compared in tests/test_torch_reference_losses_more.py); labels [0, 2], margin 1.25: one
        # term short of its margin, three met
        "multi_margin_loss": (
            lambda t: (
                autograd.multi_margin_loss(t, [0, 2], p=2, margin=1.25, weight=np.abs(ROW), reduction="none") * t[:, 0]
            ),
            lambda t: (
                _multi_margin_by_hand(t, torch.tensor([0, 2]), torch.tensor(np.abs(ROW), dtype=t.dtype)) * t[:, 0]
            ),
            [X],
        ),
        "conv2d": (
            lambda x, w: conv2d(x, w, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
            lambda x, w: F.conv2d(x, w, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
            [IMAGES, KERNELS],
        ),
        "conv_transpose2d": (
            lambda u, w: conv_transpose2d(u, w, stride=2, padding=1, output_padding=(1, 0), groups=2),
            lambda u, w: F.conv_transpose2d(u, w, stride=2, padding=1, output_padding=(1, 0), groups=2),
            [IMAGES, KERNELS[:4]],
        ),
        "conv2d_weight": (
            lambda x, g: tensor_ops.conv2d_weight(
                x, g, kernel=(2, 3), stride=(1, 1), padding=((1, 1), (0, 0)), dilation=(1, 1), groups=2
            ),
            lambda x, g: torch.nn.grad.conv2d_weight(x, (6, 2, 2, 3), g, padding=(1, 0), groups=2),
            [IMAGES, IMAGES.reshape(2, 6, 4, 2)[::-1]],
        ),
        "max_pool2d": (lambda t: max_pool2d(t, 2, stride=1), lambda t: F.max_pool2d(t, 2, stride=1), [POOL_TIES]),
        "conv3d": (
            lambda x, w: conv3d(x, w, stride=(2, 1, 1), padding=1, dilation=(1, 2, 1), groups=2),
            lambda x, w: F.conv3d(x, w, stride=(2, 1, 1), padding=1, dilation=(1, 2, 1), groups=2),
            [VOLUMES, KERNELS_3D],
        ),
        "conv_transpose3d": (
            lambda u, w: conv_transpose3d(u, w, stride=2, padding=1, output_padding=(1, 0, 1), groups=2),
            lambda u, w: F.conv_transpose3d(u, w, stride=2, padding=1, output_padding=(1, 0, 1), groups=2),
            [VOLUMES, KERNELS_3D],
        ),
        "conv3d_weight": (
            lambda x, g: tensor_ops.conv3d_weight(
                x, g, kernel=(2, 1, 2), stride=(1, 1, 1), padding=((1, 1), (0, 0), (0, 0)), dilation=(1, 1, 1), groups=2
            ),
            lambda x, g: torch.nn.grad.conv3d_weight(x, (4, 2, 2, 1, 2), g, padding=(1, 0, 0), groups=2),
            [VOLUMES, np.linspace(-1, 1, 2 * 4 * 4 * 2 * 2).reshape(2, 4, 4, 2, 2)],
        ),
        "max_pool3d": (
            lambda t: max_pool3d(t, (2, 1, 2), stride=1),
            lambda t: F.max_pool3d(t, (2, 1, 2), stride=1),
            [VOLUME_TIES],
        ),
        "max_pool2d_grad": (
            lambda g: tensor_ops.max_pool2d_grad(g, index=MAXIMA, shape=(1, 1, 3, 3), overlapping=True),
            lambda g: torch.ops.aten.max_pool2d_with_indices_backward(
                g,
                torch.tensor(POOL_TIES, dtype=g.dtype),
                [2, 2],
                [1, 1],
                [0, 0],
                [1, 1],
                False,
                torch.from_numpy(MAXIMA),
            ),
            [[[[[0.5, -1.0], [1.5, 0.25]]]]],
        ),
    }
)
TENSOR_CASES |= (
    torch_cases_reductions.CASES | torch_cases_shapes.CASES | torch_cases_fold.CASES | torch_cases_pool.CASES
)


def ops_of(module):
    """The module's ops by their public names."""
    return {name: op for name, op in vars(module).items() if isinstance(op, Op) and not name.startswith("_")}


def graph_ops(out):
    return {node.op for node in topological_order(out)}


def test_the_walk_finds_the_ops():
    assert {"add", "power", "cos"} <= set(ops_of(scalar_ops))
    assert {"add", "matmul", "cross_entropy", "sum_to"} <= set(ops_of(tensor_ops))


@pytest.mark.parametrize("name", sorted(ops_of(scalar_ops)))
def test_every_scalar_op_has_a_differential_case(name):
    if name in EXCLUDED:
        pytest.skip(EXCLUDED[name])
    assert name in SCALAR_CASES, f"scalar op {name!r} has no differential case against torch: add one to SCALAR_CASES"
    chain_fn, torch_fn, inputs = SCALAR_CASES[name]
    op = ops_of(scalar_ops)[name]
    assert op in graph_ops(chain_fn(*[Value(x) for x in inputs])), f"the case for {name!r} does not use that op"
    check_scalar(chain_fn, torch_function(name, torch_fn, float)[0], inputs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ops_of(tensor_ops)))
def test_every_tensor_op_has_a_differential_case(name, dtype):
    if name in EXCLUDED:
        pytest.skip(EXCLUDED[name])
    assert name in TENSOR_CASES, f"tensor op {name!r} has no differential case against torch: add one to TENSOR_CASES"
    chain_fn, torch_fn, inputs = TENSOR_CASES[name]
    op = ops_of(tensor_ops)[name]
    out = chain_fn(*[autograd.Tensor(np.array(x, dtype=dtype), requires_grad=True) for x in inputs])
    assert op in graph_ops(out), f"the case for {name!r} does not use that op"
    torch_fn, second = torch_function(name, torch_fn, dtype)
    check(chain_fn, torch_fn, inputs, dtype, second=second)


# ops whose create_graph rule computes otherwise than their plain one, by design, each with its reason
ROUNDED_OTHERWISE = {
    "cumprod": "a plain backward divides out / x (O(n)); create_graph multiplies running products "
    "(O(n²)), whose second derivatives stay exact for tiny entries, where out / x cancels terms of size 1/|x|",
    "logcumsumexp": "a plain backward sums g_k exp(out_j - out_k) from the end in blocks (O(n)); create_graph "
    "forms every exp(x_j - out_k) (O(n²)): the same sums, linear in g both, rounded in another order",
    "prod": "a plain backward divides out / x (fast, and within an ulp or two); create_graph multiplies the "
    "products before and after each entry, for exact second derivatives (a review measured the products "
    "on the plain pass 5-15x slower and up to 7 ulps off in float16)",
}


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(TENSOR_CASES))
def test_every_tensor_ops_create_graph_backward_gives_a_plain_ones_bits(name, dtype):
    """Under create_graph a rule runs on nodes, recorded; its gradient must be the plain pass's, bit for
    bit (a helper's audit found softmax's sums, prod's division and max's signed zeros apart)."""
    chain_fn, _, inputs = TENSOR_CASES[name]
    xs = [autograd.Tensor(np.array(x, dtype=dtype), requires_grad=True, dtype=dtype) for x in inputs]
    with np.errstate(all="ignore"):
        out = chain_fn(*xs)
        signs = np.where(np.arange(out.size) % 2, -1.0, 1.0).reshape(out.shape)  # -0.0s show
        weights = autograd.Tensor((signs * np.linspace(0.5, 1.5, out.size).reshape(out.shape)), dtype=out.dtype)
        plain = gradients((out * weights).sum(), xs)
        recorded = gradients((out * weights).sum(), xs, create_graph=True)
    for i, (p, r) in enumerate(zip(plain, recorded)):
        assert isinstance(r, autograd.Tensor) and p.dtype == r.dtype, (i, r)
        if name in ROUNDED_OTHERWISE:  # the same numbers to a few roundings
            np.testing.assert_array_max_ulp(p, r.data, maxulp=4)
        else:
            assert p.tobytes() == r.data.tobytes(), (i, p, r.data)


@pytest.mark.parametrize("name", sorted(SCALAR_CASES))
def test_every_scalar_ops_create_graph_backward_gives_a_plain_ones_numbers(name):
    chain_fn, _, inputs = SCALAR_CASES[name]
    for sign in (1.0, -1.0):  # a negative g: signed zeros show
        xs = [Value(x) for x in inputs]
        plain = gradients(chain_fn(*xs) * sign, xs)
        recorded = gradients(chain_fn(*xs) * sign, xs, create_graph=True)
        assert all(isinstance(r, Value) for r in recorded)  # 0.0 of a flat op was a float there
        assert [np.float64(p).tobytes() for p in plain] == [np.float64(r.data).tobytes() for r in recorded], name
        (chain_fn(*xs) * sign).backward(create_graph=True)
        refused = BY_NAME[name].no_derivative if name in BY_NAME else ()  # constants: no gradient flows there
        assert all(
            isinstance(x.grad, Value) for k, x in enumerate(xs) if k not in refused
        )  # README: "makes each .grad a Value"
