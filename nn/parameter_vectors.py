"""torch.nn.utils's parameters_to_vector and vector_to_parameters: a model's parameters as one flat vector and
back (hypernetworks, second-order and evolution-strategy code flattens them so)."""

from __future__ import annotations

from collections.abc import Iterable

import autograd
from autograd import Tensor, Value, type_name


def _parameters(owner: str, parameters: Iterable[Tensor]) -> list[Tensor]:
    if isinstance(parameters, Tensor):  # one tensor, as PyTorch takes it
        return [parameters]
    params = list(parameters)
    for p in params:
        if isinstance(p, Value):  # a micrograd model's: scalars of their own graph, which no Tensor joins
            raise TypeError(
                f"{owner} takes the Tensors of a model of Tensors, got Value: a model of Values (nn.MLP) has scalar "
                "parameters, which make no vector; read their numbers as [p.data for p in params] and set p.data"
            )
        if not isinstance(p, Tensor):
            raise TypeError(f"{owner} takes Tensors (model.parameters()), got {type_name(p)}")
    return params


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and joined in their order into one vector, a graph's node: its gradient reaches
    each parameter. In chainrule's layouts: a Linear's W is torch's weight transposed, so a torch model's vector
    holds the same entries in another order (move weights between the two with nn.export)."""
    params = _parameters("parameters_to_vector", parameters)
    if not params:
        raise ValueError("parameters_to_vector: no parameters given (torch.cat of none fails too)")
    return autograd.cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Write `vec`'s entries into the parameters in their order, in place (their arrays kept, as a load keeps them)
    and outside any graph. PyTorch's makes each parameter's data a view of `vec` instead: there a later change to
    `vec` changes the parameters, and an old `p.data` goes stale; here neither happens.
    A vector whose length is not the parameters' total size is a ValueError (torch's would ignore what is left
    over, or fail half-way with some parameters already written): nothing is written then."""
    if not isinstance(vec, Tensor) or vec.ndim != 1:
        raise TypeError(f"vector_to_parameters: vec is a 1-d Tensor, got {type_name(vec)} {getattr(vec, 'shape', '')}")
    params = _parameters("vector_to_parameters", parameters)
    total = sum(p.size for p in params)
    if vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: vec holds {vec.shape[0]} entries, the parameters {total}")
    start = 0
    with autograd.no_grad():
        for p in params:
            p.copy_(vec[start : start + p.size].reshape(p.shape))
            start += p.size
