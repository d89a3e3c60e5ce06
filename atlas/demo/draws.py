"""Small random draws shared by the layers (weighted choice, day, smooth curve).

Each helper takes the generator explicitly: the demo's determinism rests on every draw
coming from the one generator, in a fixed order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from .model import TAU


def pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    """One key drawn with probability proportional to its weight."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def day(rng: np.random.Generator, first: date, last: date) -> str:
    """ISO date drawn uniformly between two days, both included."""
    return (first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))).isoformat()


def wave(rng: np.random.Generator, t: np.ndarray, amplitude: float,
         frequencies: Sequence[float]) -> np.ndarray:
    """Smooth random curve: sines with random phases, weaker as they get faster."""
    total = np.zeros_like(t)
    for frequency in frequencies:
        weight = (frequencies[0] / frequency) ** 0.9
        total += amplitude * weight * rng.uniform(0.4, 1.0) * np.sin(
            TAU * frequency * t + rng.uniform(0, TAU))
    return total
