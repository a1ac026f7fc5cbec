"""What the chapters show from the store: per-sample metrics, paired tests, the harness's
:class:`~helpers.evaluation.protocol.LooResult` of a study, and a chapter's paper table.

Every function reads the store through :func:`helpers.book.paper.units.scan`: only ``done``
units are used; ``stale`` and ``invalid`` ones are counted as not used ("stale" in the tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers.book.paper import inputs
from helpers.book.paper.catalogue import PUBLISHED_ROWS, TABLES, get_study
from helpers.book.paper.status import StoreStatus
from helpers.book.paper.units import StoreError, UnitState, scan


def _check_chapter(chapter: str) -> None:
    if chapter not in TABLES:
        raise ValueError(f"No paper table for chapter {chapter!r}; known: {sorted(TABLES)}.")


def per_sample(chapter: str, seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Per-sample metrics of the chapter's paper table, current units only, and a summary.

    The summary maps each study label to ``n_folds`` (current units that trained),
    ``diverged`` (current units whose refit diverged: no prediction), ``stale`` (units not used:
    computed under another protocol, or invalid files, as :func:`~helpers.book.paper.units.scan`
    tells them apart) and the commits that computed its units.
    """
    from helpers.evaluation.metrics import per_sample_table

    _check_chapter(chapter)
    frames, info = [], {}
    for key in TABLES[chapter][1]:
        study = get_study(key)
        reference = inputs.study_reference(study)
        units = scan(study, seed)
        done = [u.content for u in units if u.state == "done"]
        rows = [c for c in done if "diverged" not in c]
        info[study.label] = {
            "n_folds": len(rows), "diverged": len(done) - len(rows),
            "stale": sum(u.state in ("stale", "invalid") for u in units),
            "commits": sorted({c["provenance"]["git_commit"][:7] for c in done}),
        }
        if not rows:
            continue
        pred = pd.DataFrame([r["prediction"] for r in rows],
                            index=[r["unit"]["sample"] for r in rows])[reference.columns]
        table = per_sample_table(reference.loc[pred.index], pred, model=study.label)
        table["L2"] = [r["metrics"]["L2"] for r in rows]
        frames.append(table)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return frame, info


def paired_tests(chapter: str, pairs: Iterable[tuple[str, str]],
                 metric: str | Sequence[str] = "NE", seed: int = 0, *,
                 alpha: float = 0.05) -> pd.DataFrame:
    """Wilcoxon tests (:func:`helpers.evaluation.comparison.paired_wilcoxon`) between rows of a
    chapter's paper-protocol table, over the folds both have in the store, as one family.

    One row per pair and metric (``a`` against ``b``; ``metric`` is one name or several, lower is
    better except for R²); a pair with fewer than
    :data:`~helpers.evaluation.comparison.MIN_PAIRS` common folds gets ``n_pairs`` and the
    verdict 'too few folds' instead of a p-value. The rows of one call are one family of tests:
    :func:`~helpers.evaluation.comparison.adjust_family` adds ``p_holm`` (Holm over the rows
    that were tested) and ``mean_better_a``, and the ``verdict`` of a tested row is read from
    ``p_holm`` at ``alpha``; the raw ``p_value`` is kept beside it.
    """
    from helpers.evaluation.comparison import MIN_PAIRS, adjust_family, paired_wilcoxon

    metrics = [metric] if isinstance(metric, str) else list(metric)
    frame, _ = per_sample(chapter, seed)
    rows = []
    for name in metrics:
        for a, b in pairs:
            n = 0
            if not frame.empty:
                common = (set(frame.loc[frame["model"] == a, "sample"])
                          & set(frame.loc[frame["model"] == b, "sample"]))
                n = len(common)
            if n < MIN_PAIRS:
                rows.append({"a": a, "b": b, "metric": name, "n_pairs": n,
                             "verdict": "too few folds"})
            else:
                rows.append(paired_wilcoxon(frame, a, b, name, alpha=alpha))
    out = pd.DataFrame(rows)
    out = out.reindex(columns=list(dict.fromkeys(
        [*out.columns, "p_value", "p_holm", "mean_better_a"])))
    out["p_holm"] = out["p_holm"].astype(float)
    out["mean_better_a"] = out["mean_better_a"].astype(object)
    tested = out["p_value"].notna()
    if tested.any():
        adjusted = adjust_family(out[tested], alpha=alpha)
        out.loc[tested, "p_holm"] = adjusted["p_holm"].to_numpy(dtype=float)
        out.loc[tested, "verdict"] = adjusted["verdict"].to_numpy()
        out.loc[tested, "mean_better_a"] = pd.Series(adjusted["mean_better_a"].tolist(),
                                                     index=adjusted.index, dtype=object)
    return out


def _names(samples: list[str]) -> str:
    return ", ".join(samples[:5]) + (", ..." if len(samples) > 5 else "")


def _absent_message(key: str, units: list[UnitState]) -> str:
    absent = [u for u in units if u.state != "done"]
    message = (f"Study {key!r} lacks {len(absent)} of {len(units)} current units "
               f"({_names([u.sample for u in absent])})")
    invalid = [u for u in absent if u.state == "invalid"]
    if invalid:
        message += f"; {len(invalid)} invalid, first: {invalid[0].error}"
    return message + f"; run `python -m helpers.book paper run --study {key}`."


def _timing(contents: list[dict]) -> dict:
    """``seconds`` (sum over the units) and, when every unit timed them apart, the sums of
    ``search_seconds`` and ``refit_seconds``; else those are NaN and ``timing`` says so."""
    seconds = float(sum(c["seconds"] for c in contents))
    if contents and all("search_seconds" in c and "refit_seconds" in c for c in contents):
        return {"seconds": seconds, "timing": "search and refit",
                "search_seconds": float(sum(c["search_seconds"] for c in contents)),
                "refit_seconds": float(sum(c["refit_seconds"] for c in contents))}
    return {"seconds": seconds, "timing": "total only", "search_seconds": float("nan"),
            "refit_seconds": float("nan")}


def loo_result(key: str, seed: int = 0):
    """A complete study as the :class:`~helpers.evaluation.protocol.LooResult` the harness
    (:func:`helpers.evaluation.minn_loo.evaluate_minn_loo`) returns, read from the store.

    What a chapter run with ``-p profile paper`` shows instead of training the same nested
    protocol a second time: held-out predictions, each fold's chosen hyper-parameters, and
    ``extra`` with ``L2`` (per sample), ``seconds`` (sum over the units) and, when the units
    timed them apart, ``search_seconds`` and ``refit_seconds``; otherwise those are NaN and
    ``extra["timing"]`` is 'total only'. A :class:`~helpers.book.paper.units.StoreError` names
    the folds that are not done (missing, stale or invalid; ``make paper`` computes them).
    Folds whose refit diverged have no prediction: the result holds the other folds, and
    ``extra["diverged"]`` has their ``samples`` and a ``message`` naming them (empty when none
    diverged); a :class:`~helpers.minn.TrainingDivergedError` is raised only when every fold
    diverged.
    """
    from helpers.evaluation.protocol import LooResult
    from helpers.minn import TrainingDivergedError

    study = get_study(key)
    units = scan(study, seed)
    if any(u.state != "done" for u in units):
        raise StoreError(_absent_message(key, units))
    contents = [u.content for u in units]
    failed = [c for c in contents if "diverged" in c]
    diverged = {}
    if failed:
        names = [c["unit"]["sample"] for c in failed]
        message = (f"{study.label}: training diverged in {len(failed)} of {len(contents)} "
                   f"outer folds ({_names(names)}); first: {failed[0]['diverged']}")
        if len(failed) == len(contents):
            raise TrainingDivergedError(message)
        diverged = {"samples": names, "message": f"{message}; shown with the other "
                                                  f"{len(contents) - len(failed)} folds"}
    contents = [c for c in contents if "diverged" not in c]
    index = [c["unit"]["sample"] for c in contents]
    columns = list(inputs.study_targets(study)[0].columns)
    return LooResult(
        model=study.label,
        predictions=pd.DataFrame([c["prediction"] for c in contents], index=index)[columns],
        chosen=[c["chosen"] for c in contents],
        extra={"L2": pd.Series([c["metrics"]["L2"] for c in contents], index=index),
               **_timing(contents), "source": "paper store", "diverged": diverged},
    )


def loo_results(chapter: str, seed: int = 0) -> tuple[dict, dict[str, str]]:
    """:func:`loo_result` of every study of a chapter's paper table, by label, and apart the
    message of each study whose training diverged in some fold (as
    :func:`helpers.evaluation.gem_choice_study.evaluate_gems` reports them): a study that
    diverged in some folds keeps its result over the others, one that diverged in every fold
    has none."""
    from helpers.minn import TrainingDivergedError

    _check_chapter(chapter)
    results, diverged = {}, {}
    for key in TABLES[chapter][1]:
        try:
            result = loo_result(key, seed)
        except TrainingDivergedError as error:
            diverged[get_study(key).label] = str(error)
        else:
            results[result.model] = result
            if result.extra["diverged"]:
                diverged[result.model] = result.extra["diverged"]["message"]
    return results, diverged


def paper_table(chapter: str, seed: int = 0) -> tuple[pd.DataFrame, StoreStatus]:
    """The chapter's paper-protocol table (ours beside the paper's) and what the store holds of
    it (:class:`~helpers.book.paper.status.StoreStatus`, in folds).

    Each row has ``n_folds`` (of 29: folds whose held-out prediction enters the metrics),
    ``diverged`` (folds whose training diverged) and ``stale`` (units not used); a partial
    study is shown as partial, never as complete. The sd over folds of a row with fewer than
    two folds is missing (NaN), not 0: one fold has no spread to show.
    """
    from helpers.evaluation.metrics import summarize
    from helpers.evaluation.paper_results import paper_table as published_table

    metrics = ["R2", "MAE", "RMSE", "NE", "L2"]
    frame, info = per_sample(chapter, seed)
    total = len(inputs.samples())
    table = pd.DataFrame({"model": list(info)})
    if not frame.empty:
        table = table.merge(summarize(frame, metrics), on="model", how="left")
    if TABLES[chapter][0] is not None:  # a chapter beyond the papers has no published table
        published = published_table(TABLES[chapter][0])
        keep = ["model"] + [c for c in published.columns if c.startswith("paper_")]
        rows = PUBLISHED_ROWS.get(chapter)
        if rows is not None:  # only these rows have published values, taken from another row
            by_model = published[keep].set_index("model")
            published = pd.DataFrame([{"model": ours, **by_model.loc[theirs].to_dict()}
                                      for ours, theirs in rows.items()])
        table = table.merge(published[keep], on="model", how="left")
    table["n_folds"] = [info[m]["n_folds"] for m in table["model"]]
    sd_columns = [f"{m}_sd" for m in metrics if f"{m}_sd" in table]
    table.loc[table["n_folds"] < 2, sd_columns] = np.nan
    table["diverged"] = [info[m]["diverged"] for m in table["model"]]
    table["stale"] = [info[m]["stale"] for m in table["model"]]
    return table, _status(chapter, info, total)


def _status(chapter: str, info: dict, total: int) -> StoreStatus:
    return StoreStatus(chapter, "folds",
                       done={label: v["n_folds"] for label, v in info.items()},
                       planned={label: total for label in info},
                       diverged={label: v["diverged"] for label, v in info.items()},
                       stale=sum(v["stale"] for v in info.values()),
                       commits=tuple(sorted({c for v in info.values() for c in v["commits"]})))
