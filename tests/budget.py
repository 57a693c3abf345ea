"""How many examples a property draws, in one place. The default run (a developer's loop: DEVELOPERS.md
keeps it under 5 minutes) draws 50 a property, CI (CI=true) 300: conftest loads the profile. Properties
run once per op of the table draw fewer in the default run (`per_op`), and fewer still for the ops whose
forwards are slow series (SERIES), there and under CI; a few expensive properties draw fewer in the
default run only (`examples`)."""

import os
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd.op_table import ELEMENTWISE

CI = bool(os.environ.get("CI"))

settings.register_profile("default", deadline=None, max_examples=50)
settings.register_profile("ci", deadline=None, max_examples=300, print_blob=True)

# The ops whose forwards sum a series or a continued fraction in Python-level steps: a second derivative's
# gradcheck of one of them takes 3-8 ms an evaluation against 0.5 for exp (modified_bessel_k1's took 2.5 s
# of the default run at 25 examples). Each still draws PER_OP's SERIES examples for every property of its
# own, in both runs; tests/test_elementwise_bessel_*.py and test_*_gamma*.py compare their values densely.
SERIES = frozenset(
    {
        *("i0", "i0e", "i1", "i1e", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1"),
        *("modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1"),
        *("lgamma", "digamma", "polygamma", "gammainc", "gammaincc", "zeta", "ndtri", "log_ndtr"),
    }
)
if not SERIES <= {d.name for d in ELEMENTWISE}:  # a renamed op would silently draw the full count
    raise ValueError(f"not ops of the table: {sorted(SERIES - {d.name for d in ELEMENTWISE})}")

# examples of one property of one op: (default run, CI), the ops of SERIES apart
PER_OP = {"ordinary": (15, 300), "series": (8, 50)}


def examples(default: int, ci: int | None = None) -> settings:
    """Settings drawing `default` examples in the default run (fewer where the loaded profile draws fewer, as
    docs/mutation-testing.md's does) and `ci` under CI=true (None: the ci profile's)."""
    if CI:
        return settings(max_examples=ci or settings.get_profile("ci").max_examples)
    return settings(max_examples=min(default, settings.default.max_examples))


def per_op(test: Callable[..., Any]) -> Callable[[str], None]:
    """`test(name, data)`, a property of op `name` drawing with `data` (st.data()), as a test of `name`
    drawing PER_OP's examples for that op (hypothesis's settings are one per function, not per parameter)."""

    def run(name: str) -> None:
        default, ci = PER_OP["series" if name.split("(")[0] in SERIES else "ordinary"]

        def prop(data: Any) -> None:
            test(name, data)

        # its own key in the example database, as hypothesis's pytest plugin gives a parametrized @given
        prop._hypothesis_internal_add_digest = f"{test.__module__}.{test.__qualname__}[{name}]".encode()
        examples(default, ci)(given(data=st.data())(prop))()

    run.__name__, run.__qualname__, run.__doc__ = test.__name__, test.__qualname__, test.__doc__
    run.__module__ = test.__module__
    return run
