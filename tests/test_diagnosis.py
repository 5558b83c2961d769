"""The verdict: underfitting, good fit, overfitting, named from the errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from knobsim.core.datasets import make_dataset
from knobsim.core.diagnosis import baseline_loss, diagnose, trend, verdict
from knobsim.core.models import make_model


def test_regression_baseline_is_the_variance_around_the_training_mean():
    assert baseline_loss("regression", [1.0, 3.0]) == pytest.approx(1.0)
    assert baseline_loss("regression", [1.0, 3.0], [2.0, 6.0]) == pytest.approx((0 + 16) / 2)


def test_classification_baseline_is_the_cross_entropy_of_the_class_share():
    assert baseline_loss("classification", [0, 1, 0, 1]) == pytest.approx(math.log(2))
    y = [0, 0, 0, 1]
    expected = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert baseline_loss("classification", y) == pytest.approx(expected)
    assert math.isfinite(baseline_loss("classification", [1, 1], [0, 1]))


def test_baseline_refuses_text_and_empty_data():
    with pytest.raises(ValueError, match="regression or classification"):
        baseline_loss("nextword", [1, 2])
    with pytest.raises(ValueError, match="at least one"):
        baseline_loss("regression", [])


@pytest.mark.parametrize(
    ("train", "test", "kind"),
    [
        (0.30, 0.35, "underfit"),  # most of the pattern is missed, on both sets
        (0.03, 0.05, "good"),
        (0.001, 0.0011, "good"),
        (1e-7, 1e-5, "good"),  # noise-free data: a tiny gap is no overfitting
        (0.005, 0.30, "overfit"),
        (0.02, 0.05, "good"),  # a gap, but small next to the pattern's size
    ],
)
def test_verdict_kinds(train, test, kind):
    assert verdict(train, test, baseline=0.5).kind == kind


def test_verdict_sentences_name_the_situation_in_plain_words():
    assert verdict(0.3, 0.35, 0.5).sentence.startswith("Underfitting: both errors are high")
    assert verdict(0.03, 0.05, 0.5).sentence.startswith("Good fit")
    over = verdict(0.005, 0.3, 0.5)
    assert over.sentence.startswith("Overfitting: train error is low but test error is much")
    assert "rising" not in over.sentence
    assert "(and rising)" in verdict(0.005, 0.3, 0.5, test_trend=0.2).sentence
    assert verdict(0.3, 0.35, 0.5, trained=False).kind == "untrained"
    assert verdict(math.nan, 0.3, 0.5).kind == "unknown"


def test_trend_is_relative_rise():
    assert trend([1.0, 1.0, 1.0]) == 0.0
    assert trend([1.0, 2.0]) == 0.0  # too few to tell
    assert trend([1.0, 1.5, 2.0]) == pytest.approx(1.0 / 1.5)
    assert trend([2.0, 1.0, np.nan, 0.0]) < 0


def _least_squares(model, data):
    F = model.features(data.X_train)  # (n, n_params)
    return np.linalg.lstsq(F, data.y_train, rcond=None)[0]


def test_diagnose_reads_the_data_errors_without_the_penalty():
    data = make_dataset("sine", n_points=20, noise=0.2, seed=0)
    line = make_model("poly", data, degree=1)
    assert diagnose(line, _least_squares(line, data), data).kind == "underfit"
    wiggly = make_model("poly", data, degree=15)
    theta = _least_squares(wiggly, data)
    assert diagnose(wiggly, theta, data).kind == "overfit"
    # a large penalty raises the loss the optimizer sees, not the error the verdict reads
    wiggly.l2 = 10.0
    assert wiggly.loss(theta, data.X_train, data.y_train) > data.y_train.var()
    assert diagnose(wiggly, theta, data).kind == "overfit"
    assert diagnose(line, np.zeros(2), data, trained=False).kind == "untrained"
    rising = diagnose(wiggly, theta, data, test_history=[0.1, 0.2, 0.3, 0.4]).sentence
    assert "(and rising)" in rising


def test_diagnose_has_no_verdict_for_text():
    from knobsim.core.corpus import builtin_corpus

    data = builtin_corpus("rhymes").to_dataset()
    model = make_model("nextword", data)
    assert diagnose(model, np.zeros(model.n_params), data).kind == "unknown"
