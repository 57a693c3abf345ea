"""Counting the calls of a module's function in a test: what a shortcut no longer calls (a check, a read)."""

from typing import Any


def counting(monkeypatch: Any, module: Any, name: str) -> list[str]:
    """`module.name` replaced for the test by itself, noting each call in the list returned."""
    calls: list[str] = []
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls
