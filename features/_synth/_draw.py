"""Drawing codes from a table of weights, the one way every generator module does it."""

from __future__ import annotations

import numpy as np


def draw_codes(weights: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` codes drawn with probability proportional to ``weights[code]``."""
    codes = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]
