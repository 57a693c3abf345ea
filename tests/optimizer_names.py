"""The names of every optimizer nn offers, read from its public API (nn.__all__, the subclasses of
nn.Optimizer), for the tests that run each of them: one list, so that an optimizer added to nn is
tested by all of them (a test that keeps options by name then fails naming the one it lacks)."""

import nn

ALL_OPTIMIZERS = tuple(
    name
    for name in nn.__all__
    if isinstance(getattr(nn, name), type) and issubclass(getattr(nn, name), nn.Optimizer) and name != "Optimizer"
)
