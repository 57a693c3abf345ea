"""F's *_with_indices, made by one factory from the max pools: torch's signatures, and a wrong call a TypeError
naming the function, what is wrong (not the pool's name, nor a bare message from inspect) and the arguments it
takes (inspect's messages name one problem, Python's would say how many were given)."""

import inspect

import pytest

import nn.functional as F

NAMES = [f"{kind}max_pool{d}d_with_indices" for kind in ("", "adaptive_") for d in (1, 2, 3)]


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_call_names_the_function(name):
    fn = getattr(F, name)
    assert fn.__name__ == name and "(output, indices)" in fn.__doc__
    assert list(inspect.signature(fn).parameters)[0] == "input"
    with pytest.raises(
        TypeError, match=rf"^{name}\(\): missing a required argument: 'input'; it takes {name}\(input, "
    ):
        fn()
    with pytest.raises(TypeError, match=rf"^{name}\(\): too many positional arguments; it takes {name}\(input, "):
        fn(*range(8))
    with pytest.raises(
        TypeError, match=rf"^{name}\(\): got an unexpected keyword argument 'size'; it takes {name}\(input, "
    ):
        fn(None, 2, size=2)
    with pytest.raises(TypeError, match=rf"^{name}: return_indices must be True or False, got str 'no'$"):
        fn(None, 2, return_indices="no")
