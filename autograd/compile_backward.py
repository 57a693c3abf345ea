"""A compiled step's backward pass replayed (compile_replay.Program's): each op's kernel (compile_kernels)
or its rule on this replay's arrays, in the recorded order, the gradients summed as a plain backward
sums them (graph_sums.GradientSums: in place into the pass's own buffers, a slice's gradient added at
its index), and handed to the parameters' `.grad` as `Tensor._accumulate` hands them; `event_steps`: the
recorded passes and calls (an optimizer's step told which gradients its pass proved finite), runnable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .compile_entries import OP, PARAM, Entry
from .compile_finite import OUTER_PROOF_FROM, PROVEN, outer_is_finite
from .compile_kernels import Contraction, Matmul
from .compile_schedule import Step
from .graph_sums import GradientSums
from .tensor_backward import EMPTY_SUM, held_grad, own_array, store_grad
from .tensor_record import Record, ReplayedRule


def backward_pass(
    root: int,
    order: list[int],
    seed: np.ndarray,
    entries: list[Entry],
    kernels: list[Any],
    arrays: list[Any],
    handed: list[set[int]],
    proven: set[int],
) -> Step:
    """backward() from `root` over the recorded order (root first): each op's kernel, or its rule
    (through a Record, which checks and casts the gradients as in a plain backward), the sums in the
    same order, then the parameters' `.grad` as `Tensor._accumulate` sets them. A `.grad` that a
    replay handed over (a kernel's buffer, which this pass writes again) and that nothing reset is
    copied first, so that adding to it reads its values as they were. Where every replay's g is
    C-contiguous (the seed's, and what only kernels given such a g sum to it), the kernel's gradients
    are taken without looking at g's layout. `proven` gets the ids of the `.grad` arrays this pass proved finite
    (compile_finite: a weight's gradient at a batch of one, from its factors)."""
    steps: list[tuple[int, tuple[int, ...], Any]] = []
    scattered: dict[int, dict[str, Any]] = {}  # entry: its keyword arguments, where its rule is g added at an index
    layouts = {root: seed.__class__ is np.ndarray and seed.flags.c_contiguous}  # entry: its g is C-contiguous
    for i in order:
        e = entries[i]
        if e.kind == OP and e.needs_grad and e.op.scatters:
            scattered[i] = e.params  # read on each replay: an index fed from the inputs is put there anew
            layouts[e.parents[0]] = False
            steps.append((i, e.parents, None))
        elif e.kind == OP and e.needs_grad:
            rule = ReplayedRule(Record(e.op, e.params, [entries[p].needs_grad for p in e.parents]))
            vjp = _vjp(rule, i, e.parents, arrays)
            k = kernels[i]
            c = k is not None and layouts.get(i, False)  # g and the kernel's gradients (its buffers, or g): C
            if c:
                vjp = _vjp(k, i, e.parents, arrays)
            elif k is not None:
                vjp = _unless_strided(_vjp(k, i, e.parents, arrays), vjp)
            for p in e.parents:
                layouts[p] = layouts.get(p, True) and c
            steps.append((i, e.parents, vjp))
    leaves = [(i, entries[i].source) for i in order if entries[i].kind == PARAM]
    proofs = _gradient_proofs(steps, {i for i, _ in leaves}, entries, kernels, arrays)
    size, slot = len(entries), len(handed)
    handed.append(set())

    def backward() -> None:
        for _, param in leaves:
            kept = held_grad(param)
            if kept is not None and any(id(kept) in ids for ids in handed):
                store_grad(param, kept.copy())
        grads: list[Any] = [None] * size
        grads[root] = seed
        sums = GradientSums()  # as a plain backward adds: its terms, order and bits (-0.0 a slice leaves alone)
        for i, parents, vjp in steps:
            g = grads[i]
            if g is None:
                continue
            if vjp is None:  # a slice's gradient added at its index: its input's zeros never formed
                p = parents[0]
                total = EMPTY_SUM if grads[p] is None else grads[p]
                grads[p] = sums.added_at(p, total, scattered[i]["index"], g, arrays[p])
                continue
            for p, gp in zip(parents, vjp(g)):
                if gp is not None:
                    grads[p] = gp if grads[p] is None else sums.added(p, grads[p], gp)
        handed_out: set[int] = set()
        proven.clear()
        for i, param in leaves:
            g = grads[i]
            if g is None:
                continue
            proof = proofs.get(i)
            if proof is not None and g is proof[0] and proof[1][0]:
                proven.add(id(g))  # the kernel's own buffer, not yet handed out: own_array keeps it
            g = own_array(g, handed_out)
            kept = held_grad(param)
            if kept is not None:
                proven.discard(id(g))
            store_grad(param, g if kept is None else kept + g)
        handed[slot] = handed_out

    return backward


def _vjp(k: Any, i: int, parents: tuple[int, ...], arrays: list[Any]) -> Callable[[Any], Any]:
    """The gradients of entry i's parents from its gradient g, by `k` (a kernel or a ReplayedRule), on this
    replay's arrays."""
    call = k.backward
    if len(parents) == 2:
        a, b = parents
        return lambda g: call(g, arrays[i], arrays[a], arrays[b])
    if len(parents) == 1:
        (a,) = parents
        return lambda g: call(g, arrays[i], arrays[a])
    return lambda g: call(g, arrays[i], *[arrays[p] for p in parents])


def _unless_strided(kernel: Callable[[Any], Any], rule: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The kernel's gradients for a C-contiguous g (the layout its buffers have, and its sums assume),
    else the rule's (a g that a transpose's rule gave): eager's sums run in the order of g's layout."""
    return lambda g: kernel(g) if g.__class__ is np.ndarray and g.flags.c_contiguous else rule(g)


def _gradient_proofs(
    steps: list[tuple[int, tuple[int, ...], Callable[[Any], Any]]],
    leaves: set[int],
    entries: list[Entry],
    kernels: list[Any],
    arrays: list[Any],
) -> dict[int, tuple[np.ndarray, list[bool]]]:
    """Per parameter whose whole gradient is one matmul kernel's buffer for `a.T @ g` (a row times its weight),
    large enough to be worth it: (that buffer, [whether this pass proved it finite]): at a batch of one from a and
    g (an outer product), else by the kernel's own check of its product (`Contraction.found_finite`). The kernel's
    step is wrapped to read the proof right after it."""
    users: dict[int, int] = {}
    for k, (_, parents, _) in enumerate(steps):
        for p in parents:
            users[p] = -1 if p in users else k
    proofs = {}
    for p in leaves:
        k = users.get(p, -1)
        if k < 0:
            continue
        i, parents, vjp = steps[k]
        kernel, e = kernels[i], entries[i]
        if not isinstance(kernel, Matmul) or not kernel.needs[1] or parents[1] != p or parents[0] == p:
            continue
        if int(np.prod(entries[p].shape)) < OUTER_PROOF_FROM:
            continue
        if kernel.gb_outer:
            a, largest = parents[0], float(np.finfo(e.dtype).max)
            proof = lambda g, a=a, largest=largest: outer_is_finite(arrays[a], g, largest)  # noqa: E731
        elif isinstance(kernel.gb_product, Contraction):  # not at a batch of none
            proof = lambda g, product=kernel.gb_product: product.found_finite  # noqa: E731
        else:
            continue
        proven = [False]
        steps[k] = (i, parents, _proving(vjp, kernel.gb, proof, proven))
        proofs[p] = (kernel.gb, proven)
    return proofs


def _proving(
    vjp: Callable[[Any], Any], buffer: np.ndarray, proof: Callable[[Any], bool], proven: list[bool]
) -> Callable[[Any], Any]:
    """`vjp`, then whether the gradient it wrote into `buffer` is proven finite (in proven[0])."""

    def proving(g: Any) -> Any:
        out = vjp(g)
        proven[0] = out[1] is buffer and proof(g)
        return out

    return proving


def event_steps(
    events: list[tuple[Any, ...]], entries: list[Entry], kernels: list[Any], arrays: list[Any], handed: list[set[int]]
) -> list[Step]:
    """The recorded backward passes and calls, runnable. A call made right after a backward pass, of a method that
    reads the gradients first (compile_finite.checks_gradients_first: an optimizer's step), is told which of them
    that pass proved finite, while it runs."""
    steps: list[Step] = []
    proven: set[int] = set()
    for ev in events:
        if ev[0] == "call":
            _, owner, method, args, kwargs = ev
            after_backward = bool(steps) and events[len(steps) - 1][0] == "backward"
            if after_backward and getattr(method, "checks_gradients_first", False) is True:
                steps.append(
                    _told(
                        proven,
                        lambda owner=owner, method=method, args=args, kwargs=kwargs: method(owner, *args, **kwargs),
                    )
                )
            else:
                steps.append(
                    lambda owner=owner, method=method, args=args, kwargs=kwargs: method(owner, *args, **kwargs)
                )
            continue
        _, root, order, seed = ev
        seed.setflags(write=False)  # handed to a parameter as `.grad`, it is copied first (own_array)
        proven = set()
        steps.append(backward_pass(root, order, seed, entries, kernels, arrays, handed, proven))
    return steps


def _told(proven: set[int], call: Step) -> Step:
    """`call()` with PROVEN holding `proven` (what the backward pass before it proved finite), emptied after."""

    def told() -> None:
        PROVEN.ids = frozenset(proven)
        try:
            call()
        finally:
            PROVEN.ids = frozenset()

    return told
