"""A compiled step through scaled_dot_product_attention whose float attn_mask (-inf: closed) changes from call to call,
closing every key of a row on some calls, and whose scores overflow to -inf on others (float32, a query of 1e20):
each replay finds its own call's keyless rows from its mask (0 there) and leaves the overflowed row NaN, as eagerly.
A guard for nn.attention's rows read from the masks with ops, not from the scores' numbers."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed

import nn
from autograd import Tensor

F = nn.functional


def _scenario(dtype):
    rng = np.random.default_rng(5)
    masks = []
    for i in range(6):
        allowed = rng.random((2, 3, 4)) < 0.5
        allowed[i % 2, i % 3] = i % 2 == 0  # a row with no key on odd calls, a different one each time
        masks.append(np.where(allowed, rng.standard_normal(allowed.shape), -np.inf).astype(dtype))

    def scenario(compile):
        w = Tensor(np.random.default_rng(0).standard_normal((3, 3)).astype(dtype), requires_grad=True)

        def step(q, k, v, mask):
            loss = (F.scaled_dot_product_attention(q @ w, k, v, attn_mask=mask) ** 2).sum()
            loss.backward()
            return loss

        step, data, results = compile(step), np.random.default_rng(1), []
        for i, mask in enumerate(masks):
            q, k, v = (data.standard_normal(s).astype(dtype) for s in ((2, 3, 3), (2, 4, 3), (2, 4, 2)))
            if i in (3, 4):  # scores past float32's range, -inf: NaN (the overflow shown), not a keyless row's 0
                q[1, 1], k[:] = 1e20, -np.abs(k) * 1e20
            with np.errstate(over="ignore", invalid="ignore"):
                loss = step(*(Tensor(a, dtype=dtype) for a in (q, k, v)), Tensor(mask, dtype=dtype))
            results += [loss.data.copy(), w.grad.copy()]  # arrays: NaN compared as equal
            w.grad = None
        return results

    return scenario


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_compiled_step_finds_each_calls_keyless_and_overflowed_rows(dtype):
    scenario = _scenario(dtype)
    eager = scenario(lambda f: f)
    assert np.isnan(eager[6]) == (dtype == np.float32) and np.isfinite(eager[0])  # the overflow shows in float32
    check_replayed(scenario, pytest.MonkeyPatch(), replays_at_least=3)
