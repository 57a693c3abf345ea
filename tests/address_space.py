"""A test's process limited in its address space, for the tests of refusals on hostile sizes: a refusal
then does not depend on the machine's memory, and nothing larger can be allocated by mistake."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def address_space_left(extra: int) -> Iterator[None]:
    """This process limited to its address space now plus `extra` bytes (under a hard limit, to that)."""
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = kib * 1024 + extra
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
