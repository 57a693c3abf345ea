"""scaled_dot_product_attention's attn_mask against scores whose leading axes come from key's as well as query's
(query (1, L, E), key (B, S, E): scores (B, L, S)): a mask of the scores' own shape was refused as "does not
broadcast to the scores' (1, L, S)", a shape the scores do not have; torch 2.13 takes it. Checked against torch,
its keyless row 0 as torch's."""

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

import nn
from autograd import Tensor

F = nn.functional


@pytest.mark.parametrize("kind", ["bool", "float"])
@pytest.mark.parametrize("shapes", [((1, 3, 4), (2, 5, 4)), ((2, 1, 3, 4), (1, 2, 5, 4)), ((3, 4), (2, 5, 4))])
def test_a_mask_of_the_scores_shape_is_taken_where_query_is_broadcast(kind, shapes):
    rng = np.random.default_rng(0)
    (query, key), lead = shapes, np.broadcast_shapes(shapes[0][:-2], shapes[1][:-2])
    allowed = rng.random((*lead, query[-2], key[-2])) < 0.5
    allowed[..., 0] = True
    allowed[(0,) * len(lead) + (1,)] = False  # one query row with no key: 0, as torch's
    mask = allowed if kind == "bool" else np.where(allowed, rng.standard_normal(allowed.shape), -np.inf)
    arrays = rng.standard_normal(query), rng.standard_normal(key), rng.standard_normal(key[:-1] + (2,))
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    out = F.scaled_dot_product_attention(*ts, attn_mask=mask)
    (out**2).sum().backward()
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    theirs = torch.nn.functional.scaled_dot_product_attention(*tt, attn_mask=torch.tensor(mask))
    (theirs**2).sum().backward()
    np.testing.assert_allclose(out.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    for a, b in zip(ts, tt, strict=True):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_a_mask_wider_than_the_scores_is_still_refused_naming_their_shape():
    q, k = Tensor(np.ones((1, 3, 4))), Tensor(np.ones((2, 5, 4)))
    with pytest.raises(
        ValueError, match=r"attn_mask of shape \(3, 2, 3, 5\) does not broadcast to the scores' \(2, 3, 5\)"
    ):
        F.scaled_dot_product_attention(q, k, k, attn_mask=np.ones((3, 2, 3, 5), bool))
