"""Our metrics code reproduces the published baseline numbers of Gonçalves et al. (2023)."""

from __future__ import annotations

import numpy as np

from helpers.evaluation.published import (
    PUBLISHED_FILES,
    load_published,
    published_summary,
    signed_reference,
)


def test_published_files_load_in_our_order():
    reference = signed_reference()
    assert reference.shape == (29, 45)
    for model in PUBLISHED_FILES:
        frame = load_published(model)
        assert frame.shape == (29, 45)
        assert list(frame.columns) == list(reference.columns)


def test_scores_match_published_to_third_decimal():
    _, summary = published_summary()
    for metric in ("R2", "MAE", "RMSE", "NE"):
        for stat in ("mean", "sd"):
            ours = summary[f"{metric}_{stat}"].round(3).to_numpy()
            published = summary[f"published_{metric}_{stat}"].to_numpy()
            np.testing.assert_allclose(ours, published, atol=1.01e-3, err_msg=f"{metric}_{stat}")
