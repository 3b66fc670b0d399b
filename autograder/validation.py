"""Validation of the numbers users give (flags, sweep grids): one line and exit 2 when wrong."""

from __future__ import annotations

import math
import os

import numpy as np

from autograder.errors import UserError


def as_number(value) -> float | None:
    """``value`` as a float when it is a real number or a string of one; else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def integer(name: str, value, minimum: int, accepted: str) -> int:
    """``value`` as an int ``≥ minimum`` (``3``, ``"3"``, ``3.0``), else ``UserError`` naming ``accepted``."""
    number = as_number(value)
    if number is None or not math.isfinite(number) or number != int(number) or number < minimum:
        raise UserError(f"{name}: {value!r} is not accepted; {accepted}")
    return int(number)


def jobs(value, name: str = "-j") -> int:
    """How many to run at once: a positive integer, or -1 for one per CPU core."""
    if as_number(value) == -1:
        return os.cpu_count() or 1
    return integer(name, value, 1, "accepted: a positive integer, or -1 for one per CPU core")
