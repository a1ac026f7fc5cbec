"""Cross-organism helpers of chapter 08 (helpers.book.mome_study)."""

from __future__ import annotations

import cobra
import pandas as pd
import pytest

from helpers.book.mome_study import (
    normalize_front,
    on_axes_only,
    theoretical_maxima,
    utopia_distance,
)


def test_normalization_and_utopia_distance():
    front = pd.DataFrame({"biomass": [1.0, 0.5, 0.0], "product_min": [0.0, 5.0, 10.0]})
    norm = normalize_front(front, 1.0, 10.0)
    assert norm.biomass_norm.tolist() == [1.0, 0.5, 0.0]
    assert norm.product_norm.tolist() == [0.0, 0.5, 1.0]
    assert utopia_distance(norm) == pytest.approx((0.5 ** 2 * 2) ** 0.5)
    assert not on_axes_only(norm)
    assert on_axes_only(norm.iloc[[0, 2]])


def test_theoretical_maxima_of_core_leave_the_model_alone():
    model = cobra.io.load_model("textbook")
    before = str(model.objective.expression)
    mu, etoh = theoretical_maxima(model, biomass="Biomass_Ecoli_core", product="EX_etoh_e")
    assert mu == pytest.approx(model.slim_optimize())
    assert etoh > 0
    assert str(model.objective.expression) == before
