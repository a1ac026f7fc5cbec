"""Paper-protocol MINN results, computed once in resumable units and kept in the repository.

The paper's nested protocol (29 outer folds x (25 candidates x 5 inner folds + 1 refit) runs of
100 epochs per variant) takes hours on a laptop and cannot run inside CI. So it is split into
**units** — one study (a row of a paper table: variant + training targets) x one outer fold (its
inner search and its refit, :func:`helpers.evaluation.minn_loo.evaluate_minn_fold`) — and each
finished unit is written atomically to a small JSON file::

    results/paper/<chapter>/<study>/<sample>.json

holding the held-out predictions of the reference fluxes, the sample's metrics (with L2), the
chosen hyper-parameters and every candidate's inner-CV score, the seconds it took, and its
provenance: a **protocol hash** (profile settings + variant config + study + data sha256s +
:data:`helpers.minn.NUMERICS_VERSION`), git commit, torch version, cores, device and date. A
checksum over the file's content rejects a tampered or truncated file with a clear message.

Resume: a unit whose file carries the current hash is skipped; a stale file (other hash) is
recomputed; killing a run loses only the units in progress. Units run in parallel through joblib,
so ``joblib.parallel_config(backend="dask")`` sends them to a cluster.

Command line (``make paper`` runs the first)::

    python -m helpers.book.paper_store run [--chapter 03_minn_vs_ml] [--study c-balanced] [-j 2]
    python -m helpers.book.paper_store status

Chapters ``03_minn_vs_ml``, ``04_conflicting_losses`` and ``05_gem_choice`` show
:func:`paper_table` beside their quick tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import functools
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.book.profiles import get_profile

ROOT = Path(__file__).resolve().parents[2]
STORE_ENV = "MINNBOOK_PAPER_STORE"
REFERENCE_FILE = "ishii/fluxomics_iAF1260_reduced_split.csv"
DATA_KEYS = ("ishii/transcriptomics.csv", "ishii/proteomics.csv", REFERENCE_FILE,
             "gems/iAF1260.json")
FORMAT = 1


class StoreError(RuntimeError):
    """A unit file is unreadable, incomplete or was edited by hand; the message names it."""


@dataclass(frozen=True)
class Study:
    """One row of a paper table computed under the paper protocol.

    ``key`` names the folder; ``label`` is the table's model name; ``variant`` a name of
    :data:`helpers.minn.VARIANTS`; ``targets`` is 'measured' (the 45 reference fluxes) or
    'fba_fit' (the FBA-fit fluxes of chapter 04, :func:`helpers.minn.fba_fit.fit_targets`).
    ``gem`` (chapter ``05_gem_choice``) is a label of
    :data:`helpers.evaluation.gem_choice.GEM_CHOICES`: the MINN then uses that GEM's mechanistic
    problem and is trained and scored on the fluxes every GEM shares; None is the FVA-reduced
    iAF1260 on all 45 reference fluxes (chapters 03 and 04). ``layer_step`` is 'release' (the
    release's layer learning rate, 0.01) or 'matched' (scaled by m(GEM) / m(FVA-reduced
    iAF1260), chapter 05's stable step for e_coli_core).
    """

    chapter: str
    key: str
    label: str
    variant: str
    targets: str = "measured"
    gem: str | None = None
    layer_step: str = "release"


#: Every study, in the order ``run`` computes them (Table 2's MINNs, then Table 3's).
STUDIES: tuple[Study, ...] = (
    Study("03_minn_vs_ml", "c-balanced", "MINN-c-balanced", "c-balanced"),
    Study("03_minn_vs_ml", "MSE-base", "MINN-MSE-base", "MSE-base"),
    Study("03_minn_vs_ml", "unbalanced", "MINN-unbalanced", "unbalanced"),
    Study("04_conflicting_losses", "c-balanced-fba-fit", "MINN-c-balanced FBA fit", "c-balanced",
          "fba_fit"),
    Study("04_conflicting_losses", "bound", "MINN-bound", "bound"),
    Study("04_conflicting_losses", "scheduler", "MINN-scheduler", "scheduler"),
    Study("04_conflicting_losses", "scheduler-bound", "MINN-scheduler-bound", "scheduler-bound"),
    Study("04_conflicting_losses", "divided-loss", "MINN-divided loss", "divided-loss"),
    Study("04_conflicting_losses", "loss-balancing", "MINN-loss balancing", "loss-balancing"),
    Study("05_gem_choice", "gem-iaf1260-fva", "iAF1260 FVA-reduced", "c-balanced",
          gem="iAF1260 FVA-reduced"),
    Study("05_gem_choice", "gem-core-matched", "e_coli_core (matched layer step)", "c-balanced",
          gem="e_coli_core", layer_step="matched"),
    Study("05_gem_choice", "gem-core-release", "e_coli_core (release layer step)", "c-balanced",
          gem="e_coli_core"),
    Study("05_gem_choice", "gem-iaf1260-fba", "iAF1260 FBA-reduced", "c-balanced",
          gem="iAF1260 FBA-reduced"),
    Study("05_gem_choice", "gem-inf517", "iNF517 FVA-reduced", "c-balanced",
          gem="iNF517 FVA-reduced"),
)

#: Fields added to :class:`Study` after units were stored: left out of the protocol while they
#: hold their default, so the hash of an older study (and its stored units) does not change.
_LATER_STUDY_FIELDS = {"gem": None, "layer_step": "release"}

#: The studies each chapter's paper table shows (Table 3 reuses chapter 03's c-balanced units).
TABLES = {
    "03_minn_vs_ml": ("table2", ["c-balanced", "MSE-base", "unbalanced"]),
    "04_conflicting_losses": ("table3", ["c-balanced", "c-balanced-fba-fit", "bound", "scheduler",
                                         "scheduler-bound", "divided-loss", "loss-balancing"]),
    "05_gem_choice": ("table2", ["gem-iaf1260-fva", "gem-core-matched", "gem-core-release",
                                 "gem-iaf1260-fba", "gem-inf517"]),
}

#: Rows of a chapter's table whose paper values come from another row of the published table
#: (the article prints no GEM-choice numbers; only its main model, on 45 fluxes, is in Table 2).
PUBLISHED_ROWS = {"05_gem_choice": {"iAF1260 FVA-reduced": "MINN-c-balanced"}}


def store_dir() -> Path:
    """Root of the store: ``$MINNBOOK_PAPER_STORE`` or ``<repo>/results/paper``."""
    override = os.environ.get(STORE_ENV)
    return Path(override) if override else ROOT / "results" / "paper"


def get_study(key: str) -> Study:
    """The study with folder name ``key`` (a clear error naming the known ones)."""
    for study in STUDIES:
        if study.key == key:
            return study
    raise ValueError(f"Unknown study {key!r}; known: {[s.key for s in STUDIES]}.")


# ----- inputs and the protocol hash ----------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _ishii():
    from helpers.data.ishii import load_ishii

    return load_ishii(REFERENCE_FILE)


@functools.lru_cache(maxsize=1)
def _problem():
    from helpers.evaluation.minn_loo import ishii_problem

    return ishii_problem(list(_ishii().reference.columns))


@functools.lru_cache(maxsize=1)
def _shared_ids() -> pd.DataFrame:
    """Chapter 05's shared fluxes (rows) in each GEM's namespace, without the two uptakes."""
    from helpers.data.ishii import UPTAKES
    from helpers.evaluation.gem_choice import shared_flux_ids

    return shared_flux_ids().drop(index=UPTAKES)


@functools.lru_cache(maxsize=4)
def _gem_problem(label: str, seed: int = 0):
    """The mechanistic problem of one GEM of chapter 05 (the paper profile's FBA-reduction, its
    random knock-outs drawn with ``seed``)."""
    from helpers.evaluation.gem_choice import GEM_CHOICES, gem_problem

    choice = next((c for c in GEM_CHOICES if c.label == label), None)
    if choice is None:
        raise ValueError(f"Unknown GEM {label!r}; known: {[c.label for c in GEM_CHOICES]}.")
    fba_samples = get_profile("paper", "gem")["fba_samples"]
    return gem_problem(choice, _shared_ids()[choice.namespace], _ishii(),
                       fba_samples=fba_samples, seed=seed)


def study_problem(study: Study, seed: int = 0):
    """The mechanistic problem a study's MINN trains with."""
    return _problem() if study.gem is None else _gem_problem(study.gem, seed)


def study_targets(study: Study) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(training targets, measured fluxes it is scored on)``, columns in the same order."""
    if study.gem is None:
        return _targets(study.targets), _ishii().reference
    if study.targets != "measured":
        raise ValueError(f"Study {study.key!r}: a GEM-choice study trains on measured fluxes.")
    measured = _ishii().reference[list(_shared_ids().index)]
    return measured, measured


def study_layer_lr(study: Study, seed: int = 0) -> float:
    """The mechanistic layer's learning rate of a study (:attr:`Study.layer_step`)."""
    from helpers.evaluation.gem_choice import RELEASE_LAYER

    lr = float(RELEASE_LAYER["lr"])
    if study.layer_step == "release":
        return lr
    if study.layer_step == "matched":
        return lr * study_problem(study, seed).m / _gem_problem("iAF1260 FVA-reduced", seed).m
    raise ValueError(f"Study {study.key!r}: unknown layer_step {study.layer_step!r}; "
                     "use 'release' or 'matched'.")


@functools.lru_cache(maxsize=2)
def _targets(kind: str) -> pd.DataFrame:
    data = _ishii()
    if kind == "measured":
        return data.reference
    if kind == "fba_fit":
        from helpers.gem import fva_reduce, load_gem
        from helpers.minn.fba_fit import fit_targets

        return fit_targets(fva_reduce(load_gem("iAF1260")).model, data)[data.reference.columns]
    raise ValueError(f"Unknown targets {kind!r}; use 'measured' or 'fba_fit'.")


#: Extra data files a GEM-choice study depends on (the release's flux tables that align the
#: shared fluxes, and the GEM files).
GEM_DATA_KEYS = {
    "e_coli_core": ("gems/e_coli_core.xml",),
    "iNF517 FVA-reduced": ("gems/iNF517_reducedFVA_splitted.xml",),
}
GEM_CHOICE_TABLES = ("ishii/fluxomics_ecore_correct.csv",
                     "ishii/fluxomics_iAF1260_reduced_split_filtered_iNF517.csv",
                     "ishii/fluxomics_iNF517_reduced_split.csv")


@functools.lru_cache(maxsize=8)
def _data_hashes(gem: str | None = None) -> dict[str, str]:
    from helpers.data.registry import REGISTRY

    keys = DATA_KEYS if gem is None else (DATA_KEYS + GEM_CHOICE_TABLES
                                          + GEM_DATA_KEYS.get(gem, ()))
    return {key: REGISTRY[key].sha256 for key in keys}


def _study_fingerprint(study: Study) -> dict:
    fields = dataclasses.asdict(study)
    for name, default in _LATER_STUDY_FIELDS.items():
        if fields[name] == default:
            del fields[name]
    return fields


def protocol(study: Study, seed: int = 0) -> dict:
    """Everything a unit's result depends on (hashed into :func:`protocol_hash`)."""
    from helpers.evaluation.minn_loo import protocol_for
    from helpers.minn import NUMERICS_VERSION, get_variant

    settings = get_profile("paper", "evaluation")
    fixed, n_trials = protocol_for(study.variant, settings)
    content = {
        "study": _study_fingerprint(study),
        "variant": get_variant(study.variant).fingerprint(),
        "fixed": fixed,
        "n_trials": n_trials,
        "inner_folds": settings["inner_folds"],
        "selection": "NE",
        "seed": seed,
        "data_sha256": _data_hashes(study.gem),
        "numerics_version": NUMERICS_VERSION,
        "format": FORMAT,
    }
    if study.gem == "iAF1260 FBA-reduced":  # the reduction's random knock-outs (seed 0)
        content["fba_samples"] = get_profile("paper", "gem")["fba_samples"]
    return content


def protocol_hash(study: Study, seed: int = 0) -> str:
    """sha256 of :func:`protocol` (canonical JSON): a unit is current when its file has it."""
    text = json.dumps(protocol(study, seed), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# ----- one unit --------------------------------------------------------------------------------
def unit_path(study: Study, sample: str) -> Path:
    """``<store>/<chapter>/<study>/<sample>.json``."""
    return store_dir() / study.chapter / study.key / f"{sample}.json"


def samples() -> list[str]:
    """The 29 outer folds, by held-out sample, in the dataset's order."""
    return list(_ishii().X.index)


@functools.lru_cache(maxsize=1)
def _git_commit() -> str:
    """HEAD when this process first asked (its code's version), '+dirty' if helpers/ had edits."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "helpers"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return (head or "unknown") + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _checksum(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def compute_unit(study: Study, sample: str, *, seed: int = 0, device: str = "cpu") -> dict:
    """Run one unit (inner search + refit of one outer fold) and return its file content.

    A refit whose training diverges (:class:`~helpers.minn.TrainingDivergedError`, e.g. chapter
    05's e_coli_core with the release's unstable layer step) is a result too: the unit is written
    with ``diverged`` (the message) and no prediction, counted apart by the tables, never
    silently dropped (diverging inner-search candidates are already scored inf and not chosen).
    """
    import torch

    from helpers.minn import TrainingDivergedError

    commit = _git_commit()  # before the work: the version of the code that computes the unit

    from helpers.evaluation.metrics import sample_metrics
    from helpers.evaluation.minn_loo import evaluate_minn_fold, protocol_for

    data, problem = _ishii(), study_problem(study, seed)
    X, (Y, reference) = data.X, study_targets(study)
    settings = get_profile("paper", "evaluation")
    fixed, n_trials = protocol_for(study.variant, settings)
    fold = list(X.index).index(sample)
    max_members = settings.get("max_members") if device == "cpu" else None
    layer = {} if study.layer_step == "release" else {"mech_lr": study_layer_lr(study, seed)}
    start = time.perf_counter()
    try:
        out = evaluate_minn_fold(problem, X, Y, study.variant, fold, fixed=fixed,
                                 n_trials=n_trials, inner_folds=settings["inner_folds"],
                                 seed=seed, selection="NE", max_members=max_members,
                                 device=device, **layer)
    except TrainingDivergedError as error:
        out = {"prediction": pd.Series(dtype=float), "chosen": {}, "inner_cv": [],
               "seconds": time.perf_counter() - start, "diverged": str(error)}
        metrics = {}
    else:
        measured = reference.loc[[sample]].to_numpy()
        metrics = sample_metrics(measured, out["prediction"].to_numpy()[None, :]).iloc[0]
        metrics = {**metrics.to_dict(), "L2": out["L2"]}
    content = {
        "unit": {"chapter": study.chapter, "study": study.key, "label": study.label,
                 "sample": sample, "fold": fold},
        "protocol_hash": protocol_hash(study, seed),
        "prediction": {k: float(v) for k, v in out["prediction"].items()},
        "metrics": {k: float(v) for k, v in metrics.items()},
        "chosen": out["chosen"],
        "inner_cv": out["inner_cv"],
        "seconds": out["seconds"],
        **({"diverged": out["diverged"]} if "diverged" in out else {}),
        "provenance": {
            "git_commit": commit, "torch": torch.__version__,
            "python": platform.python_version(), "cores": os.cpu_count(), "device": device,
            "machine": platform.machine(), "date": _dt.datetime.now(_dt.timezone.utc).isoformat(),
            "protocol": protocol(study, seed),
        },
    }
    content["checksum"] = _checksum(content)
    return content


def write_unit(content: dict, path: Path) -> Path:
    """Write ``content`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(content, handle, indent=1, sort_keys=True)
            handle.write("\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


_REQUIRED = ("unit", "protocol_hash", "prediction", "metrics", "chosen", "inner_cv", "seconds",
             "provenance", "checksum")


def read_unit(path: Path) -> dict:
    """Read and validate a unit file; :class:`StoreError` names the file and what is wrong."""
    try:
        content = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"Unit file {path} is unreadable ({exc}); delete it and run "
                         "`make paper` to recompute it.") from exc
    if not isinstance(content, dict):
        raise StoreError(f"Unit file {path} does not hold a JSON object; delete it and rerun.")
    missing = [key for key in _REQUIRED if key not in content]
    if missing:
        raise StoreError(f"Unit file {path} is incomplete: missing {missing}; delete it and "
                         "run `make paper` to recompute it.")
    body = {k: v for k, v in content.items() if k != "checksum"}
    if _checksum(body) != content["checksum"]:
        raise StoreError(f"Unit file {path} was modified after it was written (checksum "
                         "mismatch); results are never edited by hand: delete it and rerun.")
    return content


def run_unit(study: Study, sample: str, seed: int = 0, device: str = "cpu") -> Path:
    """Compute one unit and write its file (what each parallel job does)."""
    return write_unit(compute_unit(study, sample, seed=seed, device=device),
                      unit_path(study, sample))


# ----- the store as a whole --------------------------------------------------------------------
def _select(chapters: Iterable[str] | None, studies: Iterable[str] | None) -> list[Study]:
    chosen = list(STUDIES)
    if chapters:
        chapters = list(chapters)
        unknown = sorted(set(chapters) - {s.chapter for s in STUDIES})
        if unknown:
            raise ValueError(f"Unknown chapter(s) {unknown}; the store holds "
                             f"{sorted({s.chapter for s in STUDIES})}.")
        needed = {k for c in chapters for k in TABLES.get(c, ("", []))[1]}
        chosen = [s for s in chosen if s.chapter in chapters or s.key in needed]
    if studies:
        keys = list(studies)
        for key in keys:
            get_study(key)
        chosen = [s for s in chosen if s.key in keys]
    return chosen


def status(chapters: Iterable[str] | None = None, studies: Iterable[str] | None = None,
           seed: int = 0) -> pd.DataFrame:
    """Per study: units done (current hash), stale (other hash or invalid), missing; seconds."""
    rows = []
    names = samples()
    for study in _select(chapters, studies):
        current = protocol_hash(study, seed)
        done, stale, seconds = 0, 0, []
        for sample in names:
            path = unit_path(study, sample)
            if not path.exists():
                continue
            try:
                content = read_unit(path)
            except StoreError:
                stale += 1
                continue
            if content["protocol_hash"] == current:
                done += 1
                seconds.append(content["seconds"])
            else:
                stale += 1
        rows.append({"chapter": study.chapter, "study": study.key, "done": done, "stale": stale,
                     "missing": len(names) - done - stale,
                     "mean_unit_seconds": float(np.mean(seconds)) if seconds else np.nan})
    return pd.DataFrame(rows)


def pending(chapters=None, studies=None, seed: int = 0) -> list[tuple[Study, str]]:
    """Units to compute (missing or stale), in :data:`STUDIES` order."""
    todo = []
    for study in _select(chapters, studies):
        current = protocol_hash(study, seed)
        for sample in samples():
            path = unit_path(study, sample)
            try:
                if path.exists() and read_unit(path)["protocol_hash"] == current:
                    continue
            except StoreError:
                pass
            todo.append((study, sample))
    return todo


def run(chapters=None, studies=None, *, n_jobs: int = 2, seed: int = 0, device: str = "cpu",
        limit: int | None = None, verbose: bool = True) -> int:
    """Compute every pending unit (at most ``limit``), ``n_jobs`` at a time; returns the count.

    Each finished unit is on disk before the next starts on that worker, so an interrupted run
    resumes where it stopped.
    """
    from joblib import Parallel, delayed

    todo = pending(chapters, studies, seed)[:limit]
    if verbose:
        print(f"{len(todo)} unit(s) to compute with {n_jobs} worker(s)", flush=True)
    if not todo:
        return 0
    _problem(), _targets("measured")  # warm the GEM cache before forking workers
    if any(study.targets == "fba_fit" for study, _ in todo):
        _targets("fba_fit")
    for gem in sorted({study.gem for study, _ in todo if study.gem is not None}):
        _gem_problem(gem, seed)
    jobs = (delayed(run_unit)(study, sample, seed, device) for study, sample in todo)
    for path in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(jobs):
        if verbose:
            rel = path.relative_to(store_dir())
            print(f"{time.strftime('%H:%M:%S')} done {rel}", flush=True)
    return len(todo)


# ----- what the chapters show ------------------------------------------------------------------
def per_sample(chapter: str, seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Per-sample metrics of the chapter's paper table, current units only, and a summary.

    The summary maps each study label to ``n_folds`` (current units that trained),
    ``diverged`` (current units whose refit diverged: no prediction), ``stale`` (units computed
    under another protocol, or unreadable / invalid files, as :func:`status` counts them) and
    the commits that computed its units.
    """
    from helpers.evaluation.metrics import per_sample_table

    if chapter not in TABLES:
        raise ValueError(f"No paper table for chapter {chapter!r}; known: {sorted(TABLES)}.")
    frames, info = [], {}
    for key in TABLES[chapter][1]:
        study = get_study(key)
        reference = (_ishii().reference if study.gem is None
                     else _ishii().reference[list(_shared_ids().index)])
        current = protocol_hash(study, seed)
        rows, commits, stale, diverged = [], set(), 0, 0
        for sample in samples():
            path = unit_path(study, sample)
            if not path.exists():
                continue
            try:
                content = read_unit(path)
            except StoreError:  # unreadable or invalid: counted as stale, never used
                stale += 1
                continue
            if content["protocol_hash"] != current:
                stale += 1
                continue
            commits.add(content["provenance"]["git_commit"][:7])
            if "diverged" in content:
                diverged += 1
            else:
                rows.append(content)
        info[study.label] = {"n_folds": len(rows), "diverged": diverged, "stale": stale,
                             "commits": sorted(commits)}
        if not rows:
            continue
        pred = pd.DataFrame([r["prediction"] for r in rows],
                            index=[r["unit"]["sample"] for r in rows])[reference.columns]
        table = per_sample_table(reference.loc[pred.index], pred, model=study.label)
        table["L2"] = [r["metrics"]["L2"] for r in rows]
        frames.append(table)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return frame, info


def paired_tests(chapter: str, pairs: Iterable[tuple[str, str]], metric: str = "NE",
                 seed: int = 0) -> pd.DataFrame:
    """Wilcoxon tests (:func:`helpers.evaluation.comparison.paired_wilcoxon`) between rows of a
    chapter's paper-protocol table, over the folds both have in the store.

    One row per pair (``a`` against ``b``, lower ``metric`` is better); a pair with fewer than
    :data:`~helpers.evaluation.comparison.MIN_PAIRS` common folds gets ``n_pairs`` and the
    verdict 'too few folds' instead of a p-value.
    """
    from helpers.evaluation.comparison import MIN_PAIRS, paired_wilcoxon

    frame, _ = per_sample(chapter, seed)
    rows = []
    for a, b in pairs:
        n = 0
        if not frame.empty:
            common = (set(frame.loc[frame["model"] == a, "sample"])
                      & set(frame.loc[frame["model"] == b, "sample"]))
            n = len(common)
        if n < MIN_PAIRS:
            rows.append({"a": a, "b": b, "metric": metric, "n_pairs": n,
                         "verdict": "too few folds"})
        else:
            rows.append(paired_wilcoxon(frame, a, b, metric))
    return pd.DataFrame(rows)


def loo_result(key: str, seed: int = 0):
    """A complete study as the :class:`~helpers.evaluation.protocol.LooResult` the harness
    (:func:`helpers.evaluation.minn_loo.evaluate_minn_loo`) returns, read from the store.

    What a chapter run with ``-p profile paper`` shows instead of training the same nested
    protocol a second time: held-out predictions, each fold's chosen hyper-parameters, and
    ``extra`` with ``L2`` (per sample), ``seconds`` (sum over the units), ``search_seconds`` and
    ``refit_seconds`` (the units do not time them apart: both are the units' total). A
    :class:`StoreError` names the missing or stale folds (``make paper`` computes them). Folds
    whose refit diverged have no prediction: the result holds the other folds, and
    ``extra["diverged"]`` has their ``samples`` and a ``message`` naming them (empty when none
    diverged); a :class:`~helpers.minn.TrainingDivergedError` is raised only when every fold
    diverged.
    """
    from helpers.evaluation.protocol import LooResult
    from helpers.minn import TrainingDivergedError

    study = get_study(key)
    current = protocol_hash(study, seed)
    contents, absent = [], []
    for sample in samples():
        path = unit_path(study, sample)
        content = read_unit(path) if path.exists() else None
        if content is None or content["protocol_hash"] != current:
            absent.append(sample)
        else:
            contents.append(content)
    if absent:
        raise StoreError(f"Study {key!r} lacks {len(absent)} of {len(samples())} current units "
                         f"({', '.join(absent[:5])}{', ...' if len(absent) > 5 else ''}); run "
                         f"`python -m helpers.book.paper_store run --study {key}`.")
    failed = [c for c in contents if "diverged" in c]
    diverged = {}
    if failed:
        names = [c["unit"]["sample"] for c in failed]
        message = (f"{study.label}: training diverged in {len(failed)} of {len(contents)} "
                   f"outer folds ({', '.join(names[:5])}{', ...' if len(names) > 5 else ''}); "
                   f"first: {failed[0]['diverged']}")
        if len(failed) == len(contents):
            raise TrainingDivergedError(message)
        diverged = {"samples": names, "message": f"{message}; shown with the other "
                                                  f"{len(contents) - len(failed)} folds"}
    contents = [c for c in contents if "diverged" not in c]
    index = [c["unit"]["sample"] for c in contents]
    columns = list(study_targets(study)[0].columns)
    seconds = float(sum(c["seconds"] for c in contents))
    return LooResult(
        model=study.label,
        predictions=pd.DataFrame([c["prediction"] for c in contents], index=index)[columns],
        chosen=[c["chosen"] for c in contents],
        extra={"L2": pd.Series([c["metrics"]["L2"] for c in contents], index=index),
               "seconds": seconds, "search_seconds": seconds, "refit_seconds": seconds,
               "source": "paper store", "diverged": diverged},
    )


def loo_results(chapter: str, seed: int = 0) -> tuple[dict, dict[str, str]]:
    """:func:`loo_result` of every study of a chapter's paper table, by label, and apart the
    message of each study whose training diverged in some fold (as
    :func:`helpers.evaluation.gem_choice_study.evaluate_gems` reports them): a study that
    diverged in some folds keeps its result over the others, one that diverged in every fold
    has none."""
    from helpers.minn import TrainingDivergedError

    if chapter not in TABLES:
        raise ValueError(f"No paper table for chapter {chapter!r}; known: {sorted(TABLES)}.")
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


def paper_table(chapter: str, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """The chapter's paper-protocol table (ours beside the paper's) and a one-line caption.

    Each row has ``n_folds`` (of 29: folds whose held-out prediction enters the metrics),
    ``diverged`` (folds whose training diverged) and ``stale``; a partial study is shown as
    partial, never as complete, and stale units are counted, not used. The sd over folds of a
    row with fewer than two folds is missing (NaN), not 0: one fold has no spread to show.
    """
    from helpers.evaluation.metrics import summarize
    from helpers.evaluation.paper_results import paper_table as published_table

    metrics = ["R2", "MAE", "RMSE", "NE", "L2"]
    frame, info = per_sample(chapter, seed)
    total = len(samples())
    table = pd.DataFrame({"model": list(info)})
    if not frame.empty:
        table = table.merge(summarize(frame, metrics), on="model", how="left")
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
    commits = sorted({c for v in info.values() for c in v["commits"]})
    done = sum(v["n_folds"] + v["diverged"] for v in info.values())
    parts = [f"{label}: {v['n_folds']} of {total} folds"
             + (f" ({v['diverged']} more diverged)" if v["diverged"] else "")
             for label, v in info.items()]
    state = "complete" if done == total * len(info) else "partial"
    caption = (f"paper protocol ({state}) — " + "; ".join(parts)
               + (f"; computed at commit(s) {', '.join(commits)}" if commits else "")
               + (f"; {sum(v['stale'] for v in info.values())} stale unit(s) not used"
                  if any(v["stale"] for v in info.values()) else ""))
    return table, caption


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "status"])
    parser.add_argument("--chapter", action="append", help="restrict to a chapter (repeatable)")
    parser.add_argument("--study", action="append", help="restrict to a study (repeatable)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel workers (default 2)")
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:1, ...")
    parser.add_argument("--limit", type=int, default=None, help="compute at most this many units")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            run(args.chapter, args.study, n_jobs=args.jobs, device=args.device, limit=args.limit)
        table = status(args.chapter, args.study)
    except (ValueError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    left = (table["missing"] + table["stale"]) * table["mean_unit_seconds"]
    pooled = table["mean_unit_seconds"].mean()
    estimate = (left.fillna((table["missing"] + table["stale"]) * pooled).sum()
                / max(args.jobs, 1)) if np.isfinite(pooled) else np.nan
    print(table.to_string(index=False))
    done, total = int(table["done"].sum()), int(table[["done", "stale", "missing"]].sum().sum())
    print(f"{done} of {total} units done; estimated time left with {args.jobs} worker(s): "
          + (f"{estimate / 60:.0f} min" if np.isfinite(estimate) else "unknown (no unit yet)"))
    return 0


if __name__ == "__main__":
    # Run through the importable module, so joblib's workers can unpickle ``run_unit``.
    from helpers.book import paper_store

    raise SystemExit(paper_store.main())
