"""A number typed as text: the one reader the domain's checks share."""

from __future__ import annotations

import math


def typed_number(text: str) -> float | None:
    """The finite number `text` spells, or None (the caller's check then refuses it in
    its own words, naming what was typed)."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
