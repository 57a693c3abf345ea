"""MultiheadAttention with no queries (L = 0), no keys (S = 0) or an empty batch gives what torch 2.13's gives:
empty outputs and weights of the right shapes, for S = 0 each query's output the output projection's bias (no key
to attend to: 0, as a query whose keys are all masked out), and gradients of the inputs' and parameters' shapes
(those of the projections 0). It refused them all with a ShapeError. batch_first both ways, unbatched, with and
without masks, need_weights, bias_k and bias_v, the zero key. Where torch's need_weights=False path fails on its
own reshape (a key_padding_mask with S = 0 or an empty batch: "cannot reshape tensor of 0 elements"), the result
is the one torch gives with need_weights=True, the same computation."""

import itertools

import numpy as np
import pytest
from torch_reference import torch

import nn
from autograd import Tensor

SIZES = [(0, 3, 2), (3, 0, 2), (3, 3, 0), (0, 0, 2), (0, 3, 0), (0, 0, 0)]  # (L, S, N)
MASKS = ["none", "attn_bool", "attn_float", "padding_bool", "padding_float", "both_bool"]
EXTRAS = {"plain": {}, "bias_kv": {"add_bias_kv": True}, "zero_attn": {"add_zero_attn": True}}
CASES = [  # the masks one at a time and the extra keys in the slow run
    pytest.param(*case, marks=[pytest.mark.slow] * (case[2] not in ("none", "both_bool") or case[3] != "plain"))
    for case in itertools.product([False, True], SIZES, MASKS, EXTRAS, [False, True])
    if not (case[4] and (case[0] or case[1][2] != 2))
]


def _masks(kind, length, source, batch, unbatched):
    padding = (source,) if unbatched else (batch, source)
    masks = {}
    if kind in ("attn_bool", "both_bool"):
        masks["attn_mask"] = np.zeros((length, source), bool)
    if kind == "attn_float":
        masks["attn_mask"] = np.zeros((length, source))
    if kind in ("padding_bool", "both_bool"):
        masks["key_padding_mask"] = np.zeros(padding, bool)
    if kind == "padding_float":
        masks["key_padding_mask"] = np.zeros(padding)
    return masks


def _torch_run(module, q, k, masks, need_weights):
    tq, tk = torch.tensor(q, requires_grad=True), torch.tensor(k, requires_grad=True)
    out, weights = module(tq, tk, tk, need_weights=need_weights, **{n: torch.tensor(m) for n, m in masks.items()})
    (out.sum() + (weights.sum() if weights is not None else 0)).backward()
    grads = [tq.grad.numpy(), tk.grad.numpy()]
    grads += [np.zeros(tuple(p.shape)) if p.grad is None else p.grad.numpy() for _, p in module.named_parameters()]
    return out.detach().numpy(), None if weights is None else weights.detach().numpy(), grads


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("bf, sizes, masks, extra, unbatched", CASES)
def test_empty_queries_keys_or_batches_give_torchs_result(bf, sizes, masks, extra, unbatched, need_weights):
    length, source, batch = sizes
    rng = np.random.default_rng(0)
    theirs = torch.nn.MultiheadAttention(4, 2, batch_first=bf, dtype=torch.float64, **EXTRAS[extra])
    with torch.no_grad():
        theirs.out_proj.bias.uniform_()  # nonzero: it is the output where there is no key
    ours = nn.MultiheadAttention(4, 2, batch_first=bf, dtype=np.float64, **EXTRAS[extra])
    ours.load_state_dict({name: t.detach().numpy() for name, t in theirs.state_dict().items()})

    def shape(n, rows):
        return (rows, 4) if unbatched else (n, rows, 4) if bf else (rows, n, 4)

    q, k = rng.standard_normal(shape(batch, length)), rng.standard_normal(shape(batch, source))
    given = _masks(masks, length, source, batch, unbatched)
    try:
        out, weights, grads = _torch_run(theirs, q, k, given, need_weights)
    except RuntimeError as e:  # torch's own reshape of the padding mask on its need_weights=False path
        assert "cannot reshape tensor of 0 elements" in str(e) and not need_weights and "key_padding_mask" in given
        out, _, grads = _torch_run(theirs, q, k, given, True)
        weights = None
    oq, ok = Tensor(q, requires_grad=True), Tensor(k, requires_grad=True)
    got, got_weights = ours(oq, ok, ok, need_weights=need_weights, **given)
    (got.sum() + (got_weights.sum() if got_weights is not None else 0)).backward()
    assert got.shape == out.shape
    np.testing.assert_allclose(got.data, out, rtol=1e-14, atol=1e-15)
    assert (got_weights is None) == (weights is None)
    if weights is not None:
        assert got_weights.shape == weights.shape
        np.testing.assert_allclose(got_weights.data, weights, rtol=1e-14, atol=1e-15)
    ours_grads = [oq.grad, ok.grad] + [p.grad for _, p in ours.named_parameters()]
    for mine, expected in zip(ours_grads, grads, strict=True):
        mine = np.zeros(expected.shape) if mine is None else mine
        assert mine.shape == expected.shape
        np.testing.assert_allclose(mine, expected, rtol=1e-13, atol=1e-14)
