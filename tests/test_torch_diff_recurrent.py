"""Second derivatives through RNN, LSTM and GRU against torch 2.13's (session 45's sweep; none were checked against
torch before): a Hessian-vector product of sum(w * out**2) over the outputs and last states, in the input, the
initial states and every parameter, float64, over random layers (stacked, bidirectional, proj_size, batch_first,
dropout 0 in training) on padded input or on packed sequences (unsorted with enforce_sorted=False, total_length),
with and without initial states. A few draws by default, more under -m slow."""

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

import autograd
import nn
from autograd import Tensor
from nn.export import from_torch_state_dict
from nn.utils import rnn

pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")  # torch's own


def _draw(seed):
    rng = np.random.default_rng(seed)
    kind = ("RNN", "LSTM", "GRU")[seed % 3]
    options = {"num_layers": int(rng.integers(1, 3)), "batch_first": bool(rng.integers(2))}
    options |= {"bidirectional": bool(rng.integers(2)), "bias": bool(rng.random() < 0.8)}
    if options["num_layers"] > 1:
        options["dropout"] = 0.0
    if kind == "LSTM" and rng.random() < 0.5:
        options["proj_size"] = 2
    batch, steps = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    packed = rng.random() < 0.6
    lengths = rng.integers(1, steps + 1, size=batch)
    total = steps + 1 if packed and rng.random() < 0.5 else None
    return rng, kind, options, batch, steps, packed, lengths, total


def _hvp(lib, layer, x, states, packed, lengths, total, batch_first):
    """The product of the Hessian of sum(w * out**2) and a fixed direction v, in x, the states and the parameters."""
    made = (lambda a: Tensor(a, requires_grad=True)) if lib is nn else (lambda a: torch.tensor(a, requires_grad=True))
    utils = rnn if lib is nn else torch.nn.utils.rnn
    inputs = [made(a) for a in (x, *states)]
    given = None if not states else tuple(inputs[1:]) if len(states) == 2 else inputs[1]
    if packed:
        lengths = lengths if lib is nn else torch.tensor(lengths)
        sequence = utils.pack_padded_sequence(inputs[0], lengths, batch_first=batch_first, enforce_sorted=False)
        out, last = layer(sequence, given)
        out = utils.pad_packed_sequence(out, batch_first=batch_first, total_length=total)[0]
    else:
        out, last = layer(inputs[0], given)
    outs = [out, *(last if isinstance(last, tuple) else (last,))]
    rng = np.random.default_rng(1)
    loss = sum(((o**2) * made(rng.standard_normal(tuple(o.shape)))).sum() for o in outs)
    wrt = inputs + [p for _, p in layer.named_parameters()]
    if lib is nn:
        grads = autograd.gradients(loss, wrt, create_graph=True)
    else:
        grads = torch.autograd.grad(loss, wrt, create_graph=True)
    rng = np.random.default_rng(2)
    along = sum((g * made(rng.standard_normal(tuple(w.shape)))).sum() for g, w in zip(grads, wrt, strict=True))
    result = autograd.gradients(along, wrt) if lib is nn else torch.autograd.grad(along, wrt)
    return [r.detach().numpy() if isinstance(r, torch.Tensor) else np.asarray(autograd.raw(r)) for r in result]


def _check(seed):
    rng, kind, options, batch, steps, packed, lengths, total = _draw(seed)
    theirs = getattr(torch.nn, kind)(3, 4, dtype=torch.float64, **options)
    ours = getattr(nn, kind)(3, 4, dtype=np.float64, **options)
    from_torch_state_dict(ours, theirs.state_dict())
    x = rng.standard_normal((batch, steps, 3) if options["batch_first"] else (steps, batch, 3))
    directions = options["num_layers"] * (2 if options["bidirectional"] else 1)
    states = []
    if rng.random() < 0.5:
        states.append(rng.standard_normal((directions, batch, options.get("proj_size", 4))))
        if kind == "LSTM":
            states.append(rng.standard_normal((directions, batch, 4)))
    args = (x, states, packed, lengths, total, options["batch_first"])
    got, want = _hvp(nn, ours, *args), _hvp(torch, theirs, *args)
    where = f"{kind}({options}) batch={batch} steps={steps} packed={packed} lengths={lengths} total={total}"
    assert len(got) == len(want), where
    for i, (a, b) in enumerate(zip(got, want, strict=True)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-11, err_msg=f"{where}: entry {i} of the product")


@pytest.mark.parametrize("seed", range(6))
def test_second_derivatives_through_recurrent_layers_are_torchs(seed):
    _check(seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6, 60))
def test_more_second_derivatives_through_recurrent_layers_are_torchs(seed):
    _check(seed)
