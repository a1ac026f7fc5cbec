"""What a paper-profile table's status holds (data) and how its caption reads it."""

from __future__ import annotations

import pytest

from helpers.book.captions import store_caption
from helpers.book.paper.status import StoreStatus


def test_complete_status_has_nothing_missing_and_no_command_in_its_caption():
    status = StoreStatus("10_beyond", "folds", done={"a": 29, "b": 28}, planned={"a": 29, "b": 29},
                         diverged={"b": 1}, commits=("abc1234",))
    assert (status.state, status.missing) == ("complete", 0)
    assert status.counts().to_dict("records")[1] == {"row": "b", "done": 28, "diverged": 1,
                                                     "planned": 29}
    assert store_caption("The layers.", status) == (
        "The layers. Results store (complete) — a: 29 of 29 folds; b: 28 of 29 folds "
        "(1 more diverged); computed at commit(s) abc1234")


def test_partial_and_empty_status_name_what_is_missing_and_the_command():
    partial = StoreStatus("07_mome_ethanol", "seeds", done={"x": 1}, planned={"x": 3}, stale=2)
    assert (partial.state, partial.missing) == ("partial", 2)
    caption = store_caption("MOME", partial)
    assert "x: 1 of 3 seeds; 2 stale unit(s) not used; the missing units: " in caption
    assert caption.endswith("`python -m helpers.book paper run --chapter 07_mome_ethanol`")
    assert StoreStatus("07_mome_ethanol", "seeds", {"x": 0}, {"x": 3}).state == "empty"
    with pytest.raises(ValueError, match=r"rows \['x'\] done but \['x', 'y'\] planned"):
        StoreStatus("07_mome_ethanol", "seeds", {"x": 0}, {"x": 3, "y": 3})
