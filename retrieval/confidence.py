"""Calibrated confidence: the probability that the best paragraph answers the question.

A logistic regression over the evidence of the best paragraph (`Evidence`), fitted on labelled
questions by `tools/fit_confidence.py` (numpy only). Its coefficients, the standardisation of
each feature and the abstention point are data: `retrieval/data/confidence.json`. The engine
answers when the probability reaches the threshold, chosen so that a shown quote answers the
question at least 95% of the time on the questions it was fitted on (docs/ranking.md).
"""

from __future__ import annotations

import functools
import json
from dataclasses import astuple, dataclass, fields
from importlib import resources

import numpy as np


@dataclass(frozen=True)
class Evidence:
    """What is known of the best paragraph of an answer, as numbers."""

    unit: float  # best cosine of the question with a sentence, clause or window of the paragraph
    para: float  # cosine with the whole paragraph
    coverage: float  # IDF-weighted share of the question's topic words the paragraph has
    absent: float  # share of the question's topic words that no paragraph uses
    ungrounded: float  # 1 - grounding of the least grounded subject in the paragraph (0 without subjects)
    margin: float  # score of the best paragraph minus the second's

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def vector(self) -> np.ndarray:
        return np.array(astuple(self), dtype=np.float64)


@dataclass(frozen=True)
class ConfidenceModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, evidence: Evidence) -> float:
        if evidence.names() != self.features:
            raise ValueError(f"the confidence model expects {self.features}, got {evidence.names()}")
        z = (evidence.vector() - np.array(self.mean)) / np.array(self.scale)
        return float(1.0 / (1.0 + np.exp(-(z @ np.array(self.weights) + self.bias))))

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "bias": self.bias, "threshold": self.threshold}

    @classmethod
    def from_json(cls, data: dict) -> "ConfidenceModel":
        return cls(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]), tuple(data["weights"]),
                   float(data["bias"]), float(data["threshold"]))


@functools.lru_cache(maxsize=1)
def default_model() -> ConfidenceModel:
    """The fitted model shipped with QuoteBot."""
    text = resources.files("retrieval").joinpath("data", "confidence.json").read_text("utf-8")
    return ConfidenceModel.from_json(json.loads(text)["model"])


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression (Newton's method) on
    standardised features `x` (rows) and 0/1 labels `y`."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    penalty = np.diag([l2] * d + [0.0])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ theta)))
        gradient = design.T @ (p - y) + penalty @ theta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian + 1e-9 * np.eye(d + 1), gradient)
        theta -= step
        if np.abs(step).max() < 1e-10:
            break
    return theta[:d], float(theta[d])
