"""triplet_margin_with_distance_loss and TripletMarginWithDistanceLoss against torch's: forward, gradients of
all three inputs and second derivatives in float64 and float32, with the default distance (pairwise_distance),
a distance of nn.functional's (1 - cosine similarity) and one of two axes, swap, every reduction, one triplet
without a batch; the class's options keyword-only as torch's; the mistakes refused."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import nn
from autograd import Tensor
from nn import functional as ours

RNG = np.random.default_rng(43)
A, P, N = (RNG.standard_normal((5, 4)) for _ in range(3))
IMAGES = [RNG.standard_normal((3, 2, 4)) for _ in range(3)]


def _cosine(f):
    return lambda x, y: 1 - f.cosine_similarity(x, y, dim=-1)


def _squared_of_two_axes(x, y):
    return ((x - y) ** 2).sum((-1, -2))


def _case(inputs, ours_options, torch_options=None):
    torch_options = ours_options if torch_options is None else torch_options
    return (
        lambda a, p, n: ours.triplet_margin_with_distance_loss(a, p, n, **ours_options),
        lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, **torch_options),
        inputs,
    )


CASES = {
    "default": _case([A, P, N], {}),
    "margin 2, sum": _case([A, P, N], {"margin": 2.0, "reduction": "sum"}),
    "swap, none": _case([A, P, N * 0.3], {"swap": True, "reduction": "none"}),
    "cosine distance, swap": _case(
        [A, P, N], {"distance_function": _cosine(ours), "swap": True}, {"distance_function": _cosine(F), "swap": True}
    ),
    "distance of two axes": _case(IMAGES, {"distance_function": _squared_of_two_axes, "margin": 3.0}),
    "one triplet, unbatched": _case([A[0], P[0], N[0]], {"margin": 3.0}),
    "layer, cosine, mean": (
        lambda a, p, n: nn.TripletMarginWithDistanceLoss(distance_function=_cosine(ours), margin=0.5)(a, p, n),
        lambda a, p, n: torch.nn.TripletMarginWithDistanceLoss(distance_function=_cosine(F), margin=0.5)(a, p, n),
        [A, P, N],
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_each_is_torch_s(name, dtype):
    mine, theirs, inputs = CASES[name]
    check(mine, theirs, inputs, dtype)


def test_a_float32_triplet_with_a_float64_negative_is_float64_as_torch_s():
    out = ours.triplet_margin_with_distance_loss(Tensor(A, dtype=np.float32), Tensor(P, dtype=np.float32), Tensor(N))
    expected = F.triplet_margin_with_distance_loss(
        torch.tensor(A, dtype=torch.float32), torch.tensor(P, dtype=torch.float32), torch.tensor(N)
    )
    assert out.dtype == np.float64 and expected.dtype == torch.float64
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-6)


def test_the_mistakes_are_refused_naming_the_fix():
    a, p, n = Tensor(A), Tensor(P), Tensor(N)
    with pytest.raises(ValueError, match=r"_distance_loss: margin must be a number > 0 \(as PyTorch.s\), got 0"):
        ours.triplet_margin_with_distance_loss(a, p, n, margin=0)
    with pytest.raises(TypeError, match=r"distance_function must be a function of two Tensors or None, got 2"):
        ours.triplet_margin_with_distance_loss(a, p, n, distance_function=2)
    with pytest.raises(TypeError, match=r"distance_function must give a Tensor of distances, got float 1.0"):
        ours.triplet_margin_with_distance_loss(a, p, n, distance_function=lambda x, y: 1.0)
    with pytest.raises(TypeError, match=r"takes 3 inputs and then, as PyTorch's, at most 0 options by position"):
        ours.triplet_margin_with_distance_loss(a, p, n, None)
    with pytest.raises(TypeError, match=r"TripletMarginWithDistanceLoss\(\) takes its options by keyword"):
        nn.TripletMarginWithDistanceLoss(None)
    with pytest.raises(ValueError, match="reduction"):
        ours.triplet_margin_with_distance_loss(a, p, n, reduction="average")
    with pytest.raises(ValueError, match="shape"):
        ours.triplet_margin_with_distance_loss(a, p, Tensor(N[:2]))
