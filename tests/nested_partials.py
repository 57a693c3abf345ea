"""A function's partial derivative of any order in its two inputs, for the tests of power's edges."""

import autograd


def nested(f, which):
    """f's partial derivative in the inputs `which`, in order (0 the first, 1 the second; (1, 0) is d/da of d/db),
    each by grad of both inputs."""
    for i in which:
        f = _partial(f, i)
    return f


def _partial(f, i):
    return lambda x, y: autograd.grad(f, (0, 1))(x, y)[i]
