"""Fail at import with a clear message when `autograd` is not chainrule's engine: HIPS autograd is
published on PyPI under the same top-level name, and installing one overwrites the other."""

import autograd

if not getattr(autograd, "IS_CHAINRULE", False):
    raise ImportError(
        f"nn needs chainrule's engine, but 'import autograd' found another package at {autograd.__file__} "
        "(HIPS autograd uses the same name): pip uninstall autograd, then reinstall chainrule"
    )
