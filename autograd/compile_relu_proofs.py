"""What a compiled replay proves of relu's rule's two reads, so that the rule need not make them: each is a pass over
an array that a product has just proved finite (compile_kernels.Contraction: it reads its result for a partial
overflow, or its operands' norms where they are the smaller). relu's rule looks for a NaN in its input x (NaN's
derivative is unknown: NaN there) and for an infinity in its gradient g (kept out of where relu is flat:
rule_functions.gated); at batch 128 of a 784-256-128-10 MLP that is 96 thousand floats a step, all of them arrays a
product found finite a moment before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .compile_entries import OP, Entry
from .compile_finite import OUTER_PROOF_FROM
from .compile_kernels import Activation, Binary, Contraction, Matmul
from .compile_schedule import Step
from .elementwise_forwards import holds_nan


def relu_proofs(entries: list[Entry], kernels: list[Any], arrays: list[Any], steps: dict[int, Step]) -> None:
    """Tell each relu kernel of a replay (of OUTER_PROOF_FROM entries or more) what the replay proves of its rule's
    two reads, each a pass over an array a product has just checked: its input x holds no NaN where x is a
    product's buffer found finite, or that plus a smaller array (a bias) without NaN (finite + y is NaN only where
    y is), noted right after relu's forward (its step wrapped), on the forward's arrays; its gradient g is finite
    where it is the buffer of the one product it flows back from (the next layer's g @ W.T), found finite
    (Activation.g_from, tested on each call). Anything else leaves the rule's own reads."""
    users: dict[int, list[int]] = {}
    for j, e in enumerate(entries):
        for p in e.parents if e.kind == OP else ():
            users.setdefault(p, []).append(j)
    for i, k in enumerate(kernels):
        if not isinstance(k, Activation) or k.name != "relu" or k.out.size < OUTER_PROOF_FROM:
            continue
        consumers = users.get(i, [])
        if len(consumers) == 1:  # one share: g is what that consumer's rule gives, as it gives it
            j = consumers[0]
            mm, parents = kernels[j], entries[j].parents  # a flatten's one, a linear's three: no matmul's g
            if isinstance(mm, Matmul) and len(parents) == 2 and parents[0] == i != parents[1]:
                if mm.needs[0] and isinstance(mm.ga_product, Contraction):
                    k.g_from = (mm.ga, mm.ga_product)
        proof = _nan_free(entries[i].parents[0], entries, kernels, arrays, k.out.size)
        if proof is not None:
            k.x_known = known = [False]
            steps[i] = _noting(steps[i], proof, known)


def _product_found_finite(i: int, kernels: list[Any]) -> Contraction | None:
    """The Contraction that writes entry i's buffer (a matmul kernel's forward), or None."""
    k = kernels[i]
    if isinstance(k, Matmul) and k.one_call is not None and isinstance(k.one_call[0], Contraction):
        return k.one_call[0]
    return None


def _nan_free(x: int, entries: list[Entry], kernels: list[Any], arrays: list[Any], size: int) -> Any:
    """A proof, run after the forward, that entry x's array holds no NaN, or None: a product found finite, or its
    sum with an array of at most a quarter of `size` entries holding no NaN."""
    product = _product_found_finite(x, kernels)
    if product is not None:
        return lambda: product.found_finite
    k = kernels[x]
    if not (isinstance(k, Binary) and k.name == "add"):
        return None
    for mine, other in (entries[x].parents, entries[x].parents[::-1]):
        product = _product_found_finite(mine, kernels)
        if product is not None and mine != other and 4 * int(np.prod(entries[other].shape)) <= size:
            return lambda: product.found_finite and not holds_nan(arrays[other])
    return None


def _noting(step: Step, proof: Callable[[], bool], known: list[bool]) -> Step:
    """`step`, then whether `proof` holds, in known[0]."""

    def noting() -> None:
        step()
        known[0] = proof()

    return noting
