"""Our metrics code reproduces the published baseline numbers of Gonçalves et al. (2023)."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_every_sample_label_is_checked(monkeypatch):
    """Review item 17: every column label (b-numbers for pFBA), with gapC's b0118 listed."""
    from helpers.evaluation import published

    labels = published._expected_labels("pFBA (Gonçalves)")
    assert labels[:5] == published.SAMPLE_ORDER[:5] and labels[5] == "b0756"
    assert labels[published.SAMPLE_ORDER.index("gapC")] == "b0118"
    assert published.KNOCKOUT_GENES["gapC"] == "b1417"
    assert published._expected_labels("RF (Gonçalves)") == published.SAMPLE_ORDER
    real = published.read_csv

    def swapped(path, **kw):
        frame = real(path, **kw)
        return frame.rename(columns={"b4025": "b3916", "b3916": "b4025"}) if "index_col" in kw \
            else frame
    monkeypatch.setattr(published, "read_csv", swapped)
    with pytest.raises(ValueError, match=r"\(8, 'b3916', 'b4025'\), \(9, 'b4025', 'b3916'\)"):
        load_published("pFBA (Gonçalves)")
