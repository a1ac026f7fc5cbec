"""One unit of the store: compute it, write it atomically, read and validate it, and the one
scan (:func:`scan`) that every reader of the store uses to tell done, stale, invalid and
missing units apart."""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import os
import platform
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.book.paper import inputs
from helpers.book.paper.catalogue import Study, protocol, protocol_hash, select
from helpers.book.profiles import get_profile

ROOT = Path(__file__).resolve().parents[3]
STORE_ENV = "MINNBOOK_PAPER_STORE"

#: The states a unit can be in (:func:`scan`): only ``done`` units are ever used.
STATES = ("done", "stale", "invalid", "missing")


class StoreError(RuntimeError):
    """A unit file is unreadable, incomplete, misplaced or was edited by hand; the message
    names it."""


def store_dir() -> Path:
    """Root of the store: ``$MINNBOOK_PAPER_STORE`` or ``<repo>/results/paper``."""
    override = os.environ.get(STORE_ENV)
    return Path(override) if override else ROOT / "results" / "paper"


def unit_path(study: Study, sample: str) -> Path:
    """``<store>/<chapter>/<study>/<sample>.json``."""
    return store_dir() / study.chapter / study.key / f"{sample}.json"


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


def checksum(content: dict) -> str:
    """sha256 of a unit's content (canonical JSON), stored in the file as ``checksum``."""
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def is_mome(study) -> bool:
    """Whether ``study`` is a MOME set-up (:class:`helpers.book.paper.mome.MomeStudy`)."""
    from helpers.book.paper.mome import MomeStudy

    return isinstance(study, MomeStudy)


def unit_hash(study, sample: str, seed: int = 0) -> str:
    """The protocol hash a current unit of ``study`` / ``sample`` carries (MINN: the study's,
    the same for every fold; MOME: the sample's, its seed included)."""
    if is_mome(study):
        from helpers.book.paper.mome import mome_protocol_hash

        return mome_protocol_hash(study, sample)
    return protocol_hash(study, seed)


def study_samples(study) -> list[str]:
    """The units of ``study``: the 29 outer folds (MINN) or its seeds (MOME, ``seed-<n>``)."""
    return study.samples if is_mome(study) else inputs.samples()


def compute_unit(study: Study, sample: str, *, seed: int = 0, device: str = "cpu") -> dict:
    """Run one unit (inner search + refit of one outer fold) and return its file content.

    A MOME study's unit is :func:`helpers.book.paper.mome_runs.compute_mome_unit` (its seed is
    the sample's; ``seed`` and ``device`` do not apply).

    A refit whose training diverges (:class:`~helpers.minn.TrainingDivergedError`, e.g. chapter
    05's e_coli_core with the release's unstable layer step) is a result too: the unit is written
    with ``diverged`` (the message) and no prediction, counted apart by the tables, never
    silently dropped (diverging inner-search candidates are already scored inf and not chosen).
    ``search_seconds`` and ``refit_seconds`` are stored when the fold reports them apart.
    """
    import torch

    from helpers.evaluation import minn_loo
    from helpers.evaluation.metrics import sample_metrics
    from helpers.minn import TrainingDivergedError

    if is_mome(study):
        from helpers.book.paper.mome_runs import compute_mome_unit

        return compute_mome_unit(study, sample)
    commit = _git_commit()  # before the work: the version of the code that computes the unit
    problem = inputs.study_problem(study, seed)
    X, (Y, reference) = inputs.ishii().X, inputs.study_targets(study)
    settings = get_profile("paper", "evaluation")
    fixed, n_trials = minn_loo.protocol_for(study.variant, settings)
    fold = list(X.index).index(sample)
    max_members = settings.get("max_members") if device == "cpu" else None
    layer = {} if study.layer_step == "release" else {"mech_lr": inputs.study_layer_lr(study, seed)}
    start = time.perf_counter()
    try:
        out = minn_loo.evaluate_minn_fold(problem, X, Y, study.variant, fold, fixed=fixed,
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
        # the held-out sample's whole flux distribution (its box violations, chapter 10)
        "fluxes": {k: float(v) for k, v in out.get("fluxes", pd.Series(dtype=float)).items()},
        "metrics": {k: float(v) for k, v in metrics.items()},
        "chosen": out["chosen"],
        "inner_cv": out["inner_cv"],
        "seconds": out["seconds"],
        **{k: out[k] for k in ("search_seconds", "refit_seconds", "diverged") if k in out},
        "provenance": {
            "git_commit": commit, "torch": torch.__version__,
            "python": platform.python_version(), "cores": os.cpu_count(), "device": device,
            "machine": platform.machine(), "date": _dt.datetime.now(_dt.timezone.utc).isoformat(),
            "protocol": protocol(study, seed),
        },
    }
    content["checksum"] = checksum(content)
    return content


def write_unit(content: dict, path: Path) -> Path:
    """Write ``content`` to ``path`` atomically: a temporary ``.<sample>.<random>.tmp`` in the
    same folder, mode 0644, renamed over ``path``. A MINN unit is indented; a MOME unit (its
    front and history are long lists of numbers) is written compact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    unit = content.get("unit") if isinstance(content.get("unit"), dict) else {}
    layout = ({"separators": (",", ":")} if unit.get("method") == "MOME" else {"indent": 1})
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w") as handle:
            json.dump(content, handle, sort_keys=True, **layout)
            handle.write("\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


_REQUIRED = ("unit", "protocol_hash", "prediction", "metrics", "chosen", "inner_cv", "seconds",
             "provenance", "checksum")
_REQUIRED_MOME = ("unit", "protocol_hash", "summary", "front", "archive", "history",
                  "evaluations", "prefix", "seconds", "provenance", "checksum")


def read_unit(path: Path) -> dict:
    """Read and validate a unit file; :class:`StoreError` names the file and what is wrong.

    Besides the checksum, the unit's own ``unit`` field (chapter, study, sample) must match its
    place ``<chapter>/<study>/<sample>.json``: a unit copied under another name is refused.
    """
    path = Path(path)
    try:
        content = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"Unit file {path} is unreadable ({exc}); delete it and run "
                         "`make paper` to recompute it.") from exc
    if not isinstance(content, dict):
        raise StoreError(f"Unit file {path} does not hold a JSON object; delete it and rerun.")
    unit = content.get("unit") if isinstance(content.get("unit"), dict) else {}
    required = _REQUIRED_MOME if unit.get("method") == "MOME" else _REQUIRED
    missing = [key for key in required if key not in content]
    if missing:
        raise StoreError(f"Unit file {path} is incomplete: missing {missing}; delete it and "
                         "run `make paper` to recompute it.")
    body = {k: v for k, v in content.items() if k != "checksum"}
    if checksum(body) != content["checksum"]:
        raise StoreError(f"Unit file {path} was modified after it was written (checksum "
                         "mismatch); results are never edited by hand: delete it and rerun.")
    unit = content["unit"] if isinstance(content["unit"], dict) else {}
    own = (unit.get("chapter"), unit.get("study"), unit.get("sample"))
    place = (path.parent.parent.name, path.parent.name, path.stem)
    if own != place:
        raise StoreError(f"Unit file {path} holds the unit {'/'.join(map(str, own))}, not "
                         f"{'/'.join(place)} (a misplaced copy); delete it and run `make paper`.")
    return content


def run_unit(study: Study, sample: str, seed: int = 0, device: str = "cpu") -> Path:
    """Compute one unit and write its file (what each parallel job does)."""
    return write_unit(compute_unit(study, sample, seed=seed, device=device),
                      unit_path(study, sample))


# ----- the one scan ---------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitState:
    """What the store holds for one unit.

    ``state`` is one of :data:`STATES`: ``done`` (valid, current hash: ``content`` is the file),
    ``stale`` (valid, computed under another protocol), ``invalid`` (unreadable, incomplete,
    tampered or misplaced: ``error`` says why, naming the file) or ``missing`` (no file).
    """

    study: Study
    sample: str
    path: Path
    state: str
    content: dict | None = None
    error: str | None = None


def scan_unit(study: Study, sample: str, current: str | None = None,
              seed: int = 0) -> UnitState:
    """The state of one unit (``current``: the study's protocol hash, computed if not given)."""
    path = unit_path(study, sample)
    if not path.exists():
        return UnitState(study, sample, path, "missing")
    try:
        content = read_unit(path)
    except StoreError as exc:
        return UnitState(study, sample, path, "invalid", error=str(exc))
    current = unit_hash(study, sample, seed) if current is None else current
    state = "done" if content["protocol_hash"] == current else "stale"
    return UnitState(study, sample, path, state, content if state == "done" else None)


def scan(study: Study, seed: int = 0) -> list[UnitState]:
    """Every unit of ``study`` (one per outer fold, in the dataset's order; a MOME study: one per
    seed) with its state: the one rule every reader (:func:`status`, :func:`pending`, the tables) applies."""
    if is_mome(study):
        return [scan_unit(study, sample) for sample in study.samples]
    current = protocol_hash(study, seed)
    return [scan_unit(study, sample, current) for sample in inputs.samples()]


def status(chapters=None, studies=None, seed: int = 0) -> pd.DataFrame:
    """Per study: units done, stale, invalid and missing (:func:`scan`); mean seconds of a
    done unit."""
    rows = []
    for study in select(chapters, studies):
        units = scan(study, seed)
        counts = {state: sum(u.state == state for u in units) for state in STATES}
        seconds = [u.content["seconds"] for u in units if u.state == "done"]
        rows.append({"chapter": study.chapter, "study": study.key,
                     "method": "MOME" if is_mome(study) else "MINN", **counts,
                     "mean_unit_seconds": float(np.mean(seconds)) if seconds else np.nan})
    return pd.DataFrame(rows)


def pending(chapters=None, studies=None, seed: int = 0) -> list[tuple[Study, str]]:
    """Units to compute (every unit not ``done``), in :data:`STUDIES` order."""
    return [(u.study, u.sample) for study in select(chapters, studies)
            for u in scan(study, seed) if u.state != "done"]
