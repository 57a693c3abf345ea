"""Every nn class that torch.nn also has, and every function of nn.functional that torch.nn.functional
also has, takes PyTorch's arguments: its names, in its order, of its kinds, with its defaults (the
README promises code ported layer by layer runs). chainrule's own options may follow PyTorch's, each with
a default. A class or function added later is walked too."""

import inspect
import typing

import pytest

import nn
import nn.functional as F

torch = pytest.importorskip("torch", reason="PyTorch is the reference these signatures are compared with")

P = inspect.Parameter
# PyTorch's arguments chainrule does not take, each with the reason
NOT_TAKEN = {
    ("Hardtanh", "min_value"): "deprecated by PyTorch since 0.4 (a warning there): min_val",
    ("Hardtanh", "max_value"): "deprecated by PyTorch since 0.4 (a warning there): max_val",
    ("normalize", "out"): "chainrule's functions return new Tensors, written into nothing given",
}
# the losses' functions: nn.losses*'s, walked with their own options elsewhere (PyTorch's size_average and
# reduce, deprecated there, are not taken)
LOSSES = {name for name in F.__all__ if name.endswith("loss") or name in ("cross_entropy", "kl_div")}
LOSSES |= {"binary_cross_entropy", "binary_cross_entropy_with_logits"}


def _torch_parameters(obj):
    """PyTorch's parameters of a class or function, or None where it has no signature (a builtin); the
    generic (*args, **kwargs) of a class that takes nothing (nn.Tanh) is no parameter."""
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return None
    generic = [p.kind for p in params] == [P.VAR_POSITIONAL, P.VAR_KEYWORD]
    spelled = _overloaded(obj) if inspect.isclass(obj) and generic else None
    params = params if spelled is None else spelled
    named = [p for p in params if p.kind not in (P.VAR_POSITIONAL, P.VAR_KEYWORD)]
    return None if not named and not inspect.isclass(obj) else named  # F.max_pool2d: (*args, **kwargs), dispatched


def _overloaded(cls):
    """The arguments a class spells out in its first overload of __init__, self left out, where the
    constructor itself takes (*args, **kwargs) (torch.nn.RNN, LSTM, GRU); None where it has none."""
    for overload in typing.get_overloads(cls.__init__):
        named = [p for p in inspect.signature(overload).parameters.values() if p.kind is P.POSITIONAL_OR_KEYWORD]
        if len(named) > 1:
            return named[1:]
    return None


def _mismatches(name, ours, theirs, inputs=0):
    """Where `ours` differs from PyTorch's: a parameter of `theirs` missing, renamed, of another kind or
    default, or one of ours after them without a default. The first `inputs` (tensors, as x or input) are
    compared by kind only."""
    found = []
    ours = [p for p in ours if p.kind not in (P.VAR_POSITIONAL, P.VAR_KEYWORD)] if inputs == 0 else ours
    theirs = [p for p in theirs if (name, p.name) not in NOT_TAKEN]
    for i, want in enumerate(theirs):
        got = ours[i] if i < len(ours) else None
        if got is None:
            found.append(f"{want.name} missing")
        elif i < inputs:
            if got.kind is not want.kind and got.kind is not P.POSITIONAL_ONLY:
                found.append(f"input {got.name} is {got.kind}, PyTorch's {want.name} {want.kind}")
        elif (got.name, got.kind) != (want.name, want.kind) or not _same_default(got.default, want.default):
            found.append(
                f"{got.name}={got.default!r} ({got.kind}) where PyTorch's {want.name}={want.default!r} ({want.kind})"
            )
    found += [f"{p.name}, chainrule's, has no default" for p in ours[len(theirs) :] if p.default is P.empty]
    return found


def _same_default(a, b):
    """Equal defaults: a bool only to the same bool (False == 0 in Python), numbers by value (0 == 0.0), a
    function by its name (nn.functional.relu for torch's F.relu: TransformerEncoderLayer's activation)."""
    if a is P.empty or b is P.empty or isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if inspect.isfunction(a) or inspect.isbuiltin(b) or inspect.isfunction(b):
        return callable(a) and callable(b) and a.__name__ == b.__name__
    return a == b


def _classes():
    return sorted(
        name
        for name in dir(nn)
        if inspect.isclass(getattr(nn, name))
        and issubclass(getattr(nn, name), nn.Module)
        and isinstance(getattr(torch.nn, name, None), type)
        and not name.endswith("Loss")  # the losses' modules: their own walk (tests/test_loss_modules.py)
    )


def _functions():
    """F's functions that torch.nn.functional has with a signature to compare (its builtins, conv2d, the
    pools, gelu ..., show none: they are left out, not skipped)."""
    return sorted(
        name
        for name in F.__all__
        if name not in LOSSES
        and callable(getattr(torch.nn.functional, name, None))
        and callable(getattr(F, name))
        and _torch_parameters(getattr(torch.nn.functional, name)) is not None
    )


def test_the_walks_cover_the_layers():
    assert {"Linear", "Embedding", "BatchNorm1d", "GroupNorm", "Conv2d", "ReLU", "Softmax"} <= set(_classes())
    assert {"embedding", "softmax", "relu", "layer_norm"} <= set(_functions())


@pytest.mark.parametrize("name", _classes())
def test_each_layer_takes_pytorchs_arguments(name):
    theirs = _torch_parameters(getattr(torch.nn, name))
    ours = list(inspect.signature(getattr(nn, name)).parameters.values())
    assert not _mismatches(name, ours, theirs), f"nn.{name}: {_mismatches(name, ours, theirs)}"


@pytest.mark.parametrize("name", _functions())
def test_each_function_takes_pytorchs_arguments(name):
    theirs = _torch_parameters(getattr(torch.nn.functional, name))
    ours = list(inspect.signature(getattr(F, name)).parameters.values())
    inputs = sum(1 for p in theirs if p.default is P.empty and p.name in ("input", "input1", "input2"))
    assert not _mismatches(name, ours, theirs, inputs), f"F.{name}: {_mismatches(name, ours, theirs, inputs)}"


def test_the_comparison_sees_a_renamed_or_reordered_or_missing_argument():
    def theirs(in_features, out_features, bias=True, device=None):
        pass

    def renamed(nin, nout, bias=True, device=None):
        pass

    def reordered(in_features, out_features, device=None, bias=True):
        pass

    def keyword(in_features, out_features, *, bias=True, device=None):
        pass

    def other_default(in_features, out_features, bias=False, device=None):
        pass

    def shorter(in_features, out_features, bias=True):
        pass

    def more(in_features, out_features, bias=True, device=None, init="he", seed=None):
        pass

    def more_without_default(in_features, out_features, bias=True, device=None, *, seed):
        pass

    want = _torch_parameters(theirs)
    for wrong in (renamed, reordered, keyword, other_default, shorter, more_without_default):
        assert _mismatches("f", _torch_parameters(wrong), want), wrong.__name__
    assert not _mismatches("f", _torch_parameters(more), want)


@pytest.mark.parametrize("name", sorted(n for n in nn.utils.rnn.__all__ if n not in ("PackedSequence", "LengthError")))
def test_each_sequence_function_takes_pytorchs_arguments(name):
    """nn.utils.rnn's functions, as torch.nn.utils.rnn's (`from torch.nn.utils.rnn import ...` ports as written)."""
    theirs = _torch_parameters(getattr(torch.nn.utils.rnn, name))
    ours = list(inspect.signature(getattr(nn.utils.rnn, name)).parameters.values())
    assert not _mismatches(name, ours, theirs, 1), f"nn.utils.rnn.{name}: {_mismatches(name, ours, theirs, 1)}"


def test_a_packed_sequence_has_pytorchs_fields():
    assert nn.utils.rnn.PackedSequence._fields == torch.nn.utils.rnn.PackedSequence._fields
