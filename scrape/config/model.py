"""The learned line scorer's weights: scrape/config/line_model.json, read and checked once.

The model is data, as the lexicon is: a logistic regression over named features, each
standardised by the mean and spread the training set had, with the threshold above which
a line is noise. bench/train_lines.py writes the file (trained on the tune half of the noise
bank and the dev corpora's bodies only) and says in it what it was trained on and how it
did on held-out folds. No I/O but reading that file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import ConfigError

_MODEL_FILE = "line_model.json"


@dataclass(frozen=True)
class LineModel:
    """A logistic model: weights over standardised features, and a noise threshold."""

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def __post_init__(self) -> None:
        sizes = {len(self.features), len(self.means), len(self.scales), len(self.weights)}
        if len(sizes) != 1:
            raise ConfigError("features, means, scales and weights differ in length", path=_MODEL_FILE)
        if not 0.0 < self.threshold < 1.0:
            raise ConfigError("threshold must lie between 0 and 1", path=_MODEL_FILE)

    def probability(self, row: Sequence[float]) -> float:
        """The probability that the line with these feature values is noise."""
        z = self.bias + sum(w * (x - m) / s for w, x, m, s in zip(self.weights, row, self.means, self.scales,
                                                                  strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    def checked_against(self, names: Sequence[str]) -> LineModel:
        """The model, when it was trained on exactly these features in this order.

        Raises:
            ConfigError: the model and the code that reads features disagree (train again).
        """
        if tuple(names) != self.features:
            raise ConfigError("the line model was trained on other features: run bench/train_lines.py",
                              path=_MODEL_FILE)
        return self


def read_line_model(text: str) -> LineModel:
    """A model from the JSON bench/train_lines.py writes.

    Raises:
        ConfigError: not JSON, or a key is missing or of the wrong kind.
    """
    try:
        data = json.loads(text)
        return LineModel(
            features=tuple(str(f) for f in data["features"]),
            means=tuple(float(v) for v in data["means"]),
            scales=tuple(float(v) or 1.0 for v in data["scales"]),
            weights=tuple(float(v) for v in data["weights"]),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"not a line model: {exc}", path=_MODEL_FILE) from None


@lru_cache(maxsize=1)
def default_line_model() -> LineModel:
    """The shipped model, read once."""
    return read_line_model(resources.files("scrape.config").joinpath(_MODEL_FILE).read_text("utf-8"))
