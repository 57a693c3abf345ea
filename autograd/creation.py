"""Tensors made from nothing: zeros, ones, full, eye, arange, linspace, random tensors."""

from __future__ import annotations

__all__: list[str] = []
