"""The names of every optimizer nn offers, read from its public API (nn.__all__, the subclasses of
nn.Optimizer), for the tests that run each of them: one list, so that an optimizer added to nn is
tested by all of them (a test that keeps options by name then fails naming the one it lacks)."""

import nn

ALL_OPTIMIZERS = tuple(
    name
    for name in nn.__all__
    if isinstance(getattr(nn, name), type) and issubclass(getattr(nn, name), nn.Optimizer) and name != "Optimizer"
)


def stepped(optimizer, set_grads, loss=0.0):
    """One step of `optimizer` on the gradients `set_grads()` writes: set, then step(), or, for an optimizer whose
    step needs PyTorch's closure (LBFGS, which evaluates it as often as it needs), through a closure that writes
    them and returns `loss`. Returns what the step returns."""
    if getattr(optimizer, "needs_closure", False):

        def closure():
            set_grads()
            return loss

        return optimizer.step(closure)
    set_grads()
    return optimizer.step()
