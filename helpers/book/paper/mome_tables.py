"""What chapters 07-09 show from the MOME units of the store: one row per set-up over its done
seeds (with "n of N seeds"), beside the chapter's own run, and the stored fronts.

Every function reads the store through :func:`helpers.book.paper.units.scan`: only ``done``
units are used; ``stale`` and ``invalid`` ones are counted as not used. An empty or partial store
is a result too: its rows say how many seeds they hold and its status says what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.book.paper.mome import MomeStudy, mome_studies
from helpers.book.paper.status import StoreStatus
from helpers.book.paper.units import scan

#: Summary numbers shown per set-up (those a unit holds), in this order.
METRICS = ("best_product", "biomass_at_best", "best_change_pct", "hv_relative", "front",
           "strains", "utopia_distance", "best_product_norm", "best_constrained",
           "best_knockouts", "feasible_bins_covered_pct", "front_bins_covered_pct",
           "search_minutes")


def chapter_studies(chapter: str, keys: Sequence[str] | None = None) -> list[MomeStudy]:
    """The MOME studies of ``chapter`` (only ``keys`` when given, in that order)."""
    studies = [s for s in mome_studies() if s.chapter == chapter]
    if not studies:
        raise ValueError(f"No MOME study in chapter {chapter!r}; chapters with MOME units: "
                         f"{sorted({s.chapter for s in mome_studies()})}.")
    if keys is None:
        return studies
    by_key = {s.key: s for s in studies}
    unknown = [k for k in keys if k not in by_key]
    if unknown:
        raise ValueError(f"Unknown MOME study {unknown} in chapter {chapter!r}; known: "
                         f"{list(by_key)}.")
    return [by_key[k] for k in keys]


def _numbers(content: dict) -> dict:
    row = {k: content["summary"].get(k) for k in METRICS if k in content["summary"]}
    row["search_minutes"] = content["search_seconds"] / 60.0
    return {k: (np.nan if v is None else float(v)) for k, v in row.items()}


def seed_rows(chapter: str, keys: Sequence[str] | None = None) -> tuple[pd.DataFrame, dict]:
    """One row per done unit (``setup``, ``seed``, the :data:`METRICS` it holds, ``commit``)
    and, per set-up label, ``{"done", "seeds", "stale", "commits"}``."""
    rows, info = [], {}
    for study in chapter_studies(chapter, keys):
        units = scan(study)
        done = [u.content for u in units if u.state == "done"]
        info[study.label] = {"done": len(done), "seeds": len(units),
                             "stale": sum(u.state in ("stale", "invalid") for u in units),
                             "commits": sorted({c["provenance"]["git_commit"][:7]
                                                for c in done})}
        rows += [{"setup": study.label, "seed": c["unit"]["seed"], **_numbers(c),
                  "commit": c["provenance"]["git_commit"][:7]} for c in done]
    return pd.DataFrame(rows), info


def seed_summaries(chapter: str, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Every summary number of each done unit as stored (booleans such as
    ``only_axis_points`` kept): one row per set-up and seed, columns ``setup``, ``seed`` and
    the unit's ``summary`` keys; empty when no unit is done."""
    rows = [{"setup": study.label, "seed": u.content["unit"]["seed"], **u.content["summary"]}
            for study in chapter_studies(chapter, keys) for u in scan(study)
            if u.state == "done"]
    return pd.DataFrame(rows, columns=None if rows else ["setup", "seed"])


def store_status(chapter: str, info: Mapping[str, dict]) -> StoreStatus:
    """What the store holds of ``chapter``'s MOME set-ups (``info`` from :func:`seed_rows`), in
    seeds."""
    return StoreStatus(chapter, "seeds",
                       done={label: v["done"] for label, v in info.items()},
                       planned={label: v["seeds"] for label, v in info.items()},
                       stale=sum(v["stale"] for v in info.values()),
                       commits=tuple(sorted({c for v in info.values() for c in v["commits"]})))


def mome_table(chapter: str, keys: Sequence[str] | None = None,
               this_run: pd.DataFrame | None = None,
               metrics: Sequence[str] = METRICS) -> tuple[pd.DataFrame, StoreStatus]:
    """Per set-up of ``chapter``: the mean and sd (population, over its done seeds; NaN with
    fewer than two) of each summary number of ``metrics`` (of :data:`METRICS`), ``seeds``
    ("n of N"), ``source`` "paper profile"; ``this_run`` rows (``setup``, ``source`` and the
    numbers of the chapter's own run, from :func:`run_row`) first. Returns the table and
    :func:`store_status`."""
    unknown = sorted(set(metrics) - set(METRICS))
    if unknown:
        raise ValueError(f"Unknown metric(s) {unknown}; known: {list(METRICS)}.")
    frame, info = seed_rows(chapter, keys)
    rows = []
    for label, v in info.items():
        part = frame[frame.setup == label] if len(frame) else frame
        row = {"setup": label, "source": "paper profile (store)",
               "seeds": f"{v['done']} of {v['seeds']}"}
        for metric in metrics:
            if metric in part.columns and part[metric].notna().any():
                values = part[metric].dropna()
                row[f"{metric}_mean"] = float(values.mean())
                row[f"{metric}_sd"] = float(values.std(ddof=0)) if len(values) > 1 else np.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    if this_run is not None and len(this_run):
        table = pd.concat([this_run, table], ignore_index=True)
    ordered = ["setup", "source", "seeds"] + [c for m in metrics for c in (f"{m}_mean",
                                                                          f"{m}_sd")
                                              if c in table.columns]
    return table[ordered], store_status(chapter, info)


def run_row(setup: str, summary: Mapping[str, float], *, profile: str, seed: int) -> dict:
    """The chapter's own run as a row of :func:`mome_table`: ``summary`` is
    :func:`helpers.book.paper.mome.result_summary` (plus any kind-specific numbers); its
    ``search_s`` gives ``search_minutes`` (the search alone, as for a stored unit)."""
    row = {"setup": setup, "source": f"this run (profile {profile}, seed {seed})",
           "seeds": "1"}
    numbers = {**summary, "search_minutes": summary.get("search_s", float("nan")) / 60.0}
    for metric in METRICS:
        if numbers.get(metric) is not None:
            row[f"{metric}_mean"] = float(numbers[metric])
    return row


def this_run_rows(runs: Mapping[str, tuple], *, profile: str, seed: int) -> pd.DataFrame:
    """The chapter's own searches as rows of :func:`mome_table`, one per set-up label.

    ``runs`` maps a label to ``(result, wild type phenotype)`` or ``(result, wild type
    phenotype, extra numbers)``: the row holds
    :func:`helpers.book.paper.mome.result_summary` of the result, updated with the extra
    numbers (a chapter's own, e.g. ``utopia_distance``), through :func:`run_row`.
    """
    from helpers.book.paper.mome import result_summary

    rows = []
    for label, run in runs.items():
        if len(run) not in (2, 3):
            raise ValueError(f"Run {label!r}: expected (result, wild type) or (result, wild "
                             f"type, extra numbers), got {len(run)} item(s).")
        result, wild_type, *extra = run
        summary = {**result_summary(result, wild_type), **(extra[0] if extra else {})}
        rows.append(run_row(label, summary, profile=profile, seed=seed))
    return pd.DataFrame(rows)


def stored_fronts(chapter: str, key: str) -> pd.DataFrame:
    """The fronts of one set-up's done units, one row per strain with its ``seed`` (columns
    ``seed``, ``cost``, ``biomass``, ``product_lp``, ``product_min``, ``genotype``: the cheapest
    of the front genotypes at that point, ``n_genotypes``: how many share it); empty when no
    unit is done."""
    (study,) = chapter_studies(chapter, [key])
    frames = [pd.DataFrame(u.content["front"]).assign(seed=u.content["unit"]["seed"])
              for u in scan(study) if u.state == "done"]
    columns = ["seed", "cost", "biomass", "product_lp", "product_min", "genotype", "n_genotypes"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(
        columns=columns)
