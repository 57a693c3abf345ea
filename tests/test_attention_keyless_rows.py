"""A query row whose every key is masked out (a sequence all padding): scaled_dot_product_attention and
MultiheadAttention gave it NaN (softmax's 0 / 0, with numpy's "invalid value encountered in divide"), and
the NaN reached every gradient of the batch in backward. Such a row now gives 0 (output, weights, gradient),
as torch's SDPA, with no warning; the other rows' numbers are those of the batch without it."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import check_replayed
from module_reference import compare
from torch_reference import DTYPES, F, torch

import autograd
import nn
import nn.functional as ours_F
from autograd import Tensor

RNG = np.random.default_rng(0)


def _allowed(shape, keyless):
    """A boolean SDPA mask (True: may look), the rows `keyless` (indices into its leading axes and L) all False."""
    allowed = RNG.random(shape) < 0.6
    allowed[..., 0] = True
    for row in keyless:
        allowed[row] = False
    return allowed


@pytest.mark.parametrize("kind", ["bool", "float"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_sdpa_gives_a_keyless_row_zero_and_agrees_with_torch(kind, dtype):
    """Outputs and the gradients in query, key and value against torch's SDPA, a row masked by False or -inf."""
    allowed = _allowed((2, 3, 5), [(0, 1), (1, 2)])
    mask = allowed if kind == "bool" else np.where(allowed, 0, -np.inf).astype(dtype)
    arrays = [RNG.standard_normal(s).astype(dtype) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 2))] + [mask]
    call = lambda f, q, k, v, m: f(q, k, v, attn_mask=m)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's 0 / 0 warning was one
        compare(ours_F.scaled_dot_product_attention, F.scaled_dot_product_attention, arrays, call, dtype, kind)
        q, k, v = (Tensor(a, requires_grad=True) for a in arrays[:3])
        out = ours_F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        (out * out).sum().backward()
    assert (out.data[0, 1] == 0).all() and (out.data[1, 2] == 0).all() and (q.grad[0, 1] == 0).all()
    assert all(np.isfinite(t.grad).all() for t in (q, k, v))


def test_the_other_rows_and_the_gradients_are_those_of_the_batch_without_the_keyless_row():
    q, k, v = (RNG.standard_normal(s) for s in ((4, 3), (5, 3), (5, 2)))
    allowed = _allowed((4, 5), [2])
    seed = RNG.standard_normal((4, 2))

    def run(rows):
        ts = [Tensor(a, requires_grad=True) for a in (q[rows], k, v)]
        out = ours_F.scaled_dot_product_attention(*ts, attn_mask=allowed[rows])
        (out * Tensor(seed[rows])).sum().backward()
        return out.data, [t.grad for t in ts]

    (out, grads), (kept_out, kept_grads) = run([0, 1, 2, 3]), run([0, 1, 3])
    np.testing.assert_array_equal(out[[0, 1, 3]], kept_out)  # the same softmax of the same rows
    np.testing.assert_array_equal(grads[0][[0, 1, 3]], kept_grads[0])
    for ours, without in zip(grads[1:], kept_grads[1:], strict=True):  # one row fewer in the sums
        np.testing.assert_allclose(ours, without, rtol=1e-13, atol=1e-15)


def test_sdpa_gradients_with_a_keyless_row_agree_with_finite_differences():
    q, k, v = (RNG.standard_normal(s) for s in ((2, 3, 2), (2, 4, 2), (2, 4, 3)))
    allowed = _allowed((2, 3, 4), [(0, 0), (1, 2)])
    added = np.where(_allowed((3, 4), [1]), RNG.standard_normal((3, 4)), -np.inf)
    for mask in (allowed, added):
        assert autograd.gradcheck(
            lambda q, k, v, m=mask: ours_F.scaled_dot_product_attention(q, k, v, attn_mask=m), [q, k, v]
        )


@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_attention_gives_a_sequence_all_padding_zero_weights_and_torchs_output(need_weights):
    """torch's MultiheadAttention gives NaN there with need_weights=True, 0 (then out_proj's bias) without."""
    ours = nn.MultiheadAttention(4, 2, dtype=np.float64, seed=0)
    theirs = torch.nn.MultiheadAttention(4, 2, dtype=torch.float64)
    theirs.load_state_dict({name: torch.tensor(p.data) for name, p in ours.named_parameters()})
    x = RNG.standard_normal((3, 2, 4))  # (L, N, E): the second sequence all padding
    padding = np.array([[False, False, True], [True, True, True]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xs = Tensor(x, requires_grad=True)
        out, weights = ours(xs, xs, xs, key_padding_mask=padding, need_weights=need_weights)
        (out**2).sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    their_out, _ = theirs(tx, tx, tx, key_padding_mask=torch.tensor(padding), need_weights=False)
    (their_out**2).sum().backward()
    np.testing.assert_allclose(out.data, their_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(xs.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-14)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, dict(theirs.named_parameters())[name].grad.numpy(), rtol=1e-12, atol=1e-14)
    if need_weights:
        assert (weights.data[1] == 0).all() and np.isfinite(weights.data).all()


def test_a_compiled_step_replays_keyless_rows_that_come_and_go():
    """The rows without keys are found by ops on the scores: each replay finds those of its own masks."""
    rng = np.random.default_rng(2)
    masks = [rng.random((3, 5)) < 0.4 for _ in range(6)]
    for i, mask in enumerate(masks):
        mask[i % 3] = i % 2 == 0  # a sequence all padding on every other call, a different one each time

    def scenario(compile):
        mha = nn.MultiheadAttention(4, 2, batch_first=True, dtype=np.float64, seed=0)
        opt = nn.SGD(mha.parameters(), lr=0.1)

        def step(x, mask):
            opt.zero_grad()
            out, weights = mha(x, x, x, key_padding_mask=mask)
            loss = (out**2).mean() + weights.sum()
            loss.backward()
            opt.step()
            return loss

        step, rng = compile(step), np.random.default_rng(3)
        losses = [float(step(Tensor(rng.standard_normal((3, 5, 4))), m).data) for m in masks]
        return losses + [p.data.copy() for p in mha.parameters()]

    check_replayed(scenario, pytest.MonkeyPatch(), replays_at_least=3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_rows_at_the_dtypes_lowest_keep_torchs_numbers(dtype):
    """A float mask of finfo.min (as many models write "masked") beside -inf, and a row all finfo.min: each row
    has keys, so softmax's numbers, as torch's. Raising every score to at least finfo.min gave the -inf keys
    finfo.min's weight ([0.5, 0.5] where torch gives [1, 0]), and maximum's tie halved the row's gradient."""
    low = np.finfo(dtype).min
    mask = np.array([[0, -1, 0, 2], [low, -np.inf, -np.inf, -np.inf], [low] * 4, [-1e9] * 4, [-np.inf] * 4], dtype)
    arrays = [RNG.standard_normal(s).astype(dtype) for s in ((2, 5, 4), (2, 4, 4), (2, 4, 3))] + [mask]
    call = lambda f, q, k, v, m: f(q, k, v, attn_mask=m)  # noqa: E731
    compare(ours_F.scaled_dot_product_attention, F.scaled_dot_product_attention, arrays, call, dtype, "lowest")
