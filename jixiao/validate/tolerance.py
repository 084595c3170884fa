"""Comparisons held to the precision the document wrote.

A rate printed ``96%`` stands for anything in [95.5%, 96.5%), so it matches a
computed 0.9599; an amount printed ``778.26`` is matched within 0.005. When
several stated values take part, the coarsest one sets the tolerance.
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.normalize.numbers import tolerance
from jixiao.validate.profile import active

EPSILON = Decimal("0.0000001")  # absorbs the last bit of exact division


def tol_of(*stated: Decimal | None) -> Decimal:
    slack = max((tolerance(v) for v in stated if v is not None), default=Decimal(0)) + EPSILON
    return slack + active().tolerance_extra  # a profile's looser tolerance (0 in the built-in ones)


def close(a: Decimal, b: Decimal, *stated: Decimal | None) -> bool:
    """True when ``a`` and ``b`` agree within the precision of ``stated``."""
    return abs(a - b) <= tol_of(*stated)


def total(values: list[Decimal | None]) -> Decimal | None:
    """Sum of the stated values; None when none is stated (blank ≠ zero)."""
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None
