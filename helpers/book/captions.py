"""Captions composed from data: the chapter gives the words, the data gives the counts.

A paper-profile table's caption is the chapter's title for it (what the table shows) followed by
what the results store holds of it (:class:`helpers.book.paper.status.StoreStatus`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpers.book.paper.status import StoreStatus


def store_caption(title: str, status: StoreStatus) -> str:
    """The caption of a paper-profile table: the chapter's ``title`` (what the table shows), then
    what the results store holds of it (``status``, from
    :func:`helpers.book.paper.paper_table` or :func:`helpers.book.paper.mome_table`): complete,
    partial or empty; units done of planned per row, diverged folds; the commits that computed
    them; stale units not used; and, while units are missing, the command that computes them."""
    counts = "; ".join(
        f"{row}: {status.done[row]} of {planned} {status.unit}"
        + (f" ({status.diverged[row]} more diverged)" if status.diverged.get(row) else "")
        for row, planned in status.planned.items())
    text = f"{title.rstrip('. ')}. Results store ({status.state}) — {counts}"
    if status.commits:
        text += f"; computed at commit(s) {', '.join(status.commits)}"
    if status.stale:
        text += f"; {status.stale} stale unit(s) not used"
    if status.missing:
        text += f"; the missing units: `{status.command}`"
    return text
