"""The confidence model: a logistic regression fitted with numpy, its coefficients as data."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from retrieval.confidence import ConfidenceModel, Evidence, default_model, fit_logistic


def test_fit_logistic_recovers_the_weights_of_synthetic_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4000, 3))
    true_w, true_b = np.array([2.0, -1.0, 0.0]), 0.5
    y = (rng.random(4000) < 1 / (1 + np.exp(-(x @ true_w + true_b)))).astype(float)
    weights, bias = fit_logistic(x, y, l2=0.01)
    assert np.allclose(weights, true_w, atol=0.15) and abs(bias - true_b) < 0.15


def test_separable_data_gives_finite_weights_with_regularisation():
    x = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    weights, bias = fit_logistic(x, np.array([0.0, 0.0, 1.0, 1.0]), l2=1.0)
    assert np.isfinite(weights).all() and weights[0] > 0 and np.isfinite(bias)


EVIDENCE = Evidence(unit=0.6, para=0.5, coverage=0.8, absent=0.0, ungrounded=0.0, margin=0.1)


def test_the_shipped_model_is_data_and_says_what_it_expects():
    model = default_model()
    assert model.features == Evidence.names()
    assert 0 < model.threshold < 1 and len(model.weights) == len(model.features)
    assert ConfidenceModel.from_json(json.loads(json.dumps(model.to_json()))) == model


def test_more_evidence_means_more_confidence():
    model = default_model()
    weak = dataclasses.replace(EVIDENCE, unit=0.3, para=0.25, coverage=0.1)
    ungrounded = dataclasses.replace(EVIDENCE, absent=0.5, ungrounded=0.7)
    strong = model.probability(EVIDENCE)
    assert model.probability(weak) < strong and model.probability(ungrounded) < strong
    assert 0.0 < model.probability(weak) < 1.0


def test_a_model_for_other_features_is_refused():
    model = dataclasses.replace(default_model(), features=("unit", "para"))
    with pytest.raises(ValueError, match="expects"):
        model.probability(EVIDENCE)
