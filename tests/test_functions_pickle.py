"""Every public function of autograd (the op table's too), autograd.special and nn.functional pickles as itself, as a
process pool's map or a saved config needs: the op table's 101 functions (autograd.exp, add, polygamma, ...) named
the module that made them (autograd.op_functions, which has no name exp) and failed ('attribute lookup exp on
autograd.op_functions failed')."""

import pickle
import types

import pytest

import autograd
import autograd.special as special
import nn.functional as F


def _public_functions():
    listed = [(autograd, autograd.__all__), (special, special.__all__), (F, F.__all__)]
    found = {}
    for module, names in listed:
        for name in names:
            function = getattr(module, name, None)
            if isinstance(function, types.FunctionType):
                found[f"{module.__name__}.{name}"] = function
    return found


FUNCTIONS = _public_functions()


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_public_function_pickles_as_itself(name):
    function = FUNCTIONS[name]
    assert pickle.loads(pickle.dumps(function)) is function


def test_they_are_many():
    assert len(FUNCTIONS) > 300
