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
checksum over the file's content rejects a tampered or truncated file, and the unit's own
chapter / study / sample must match its place, so a copy under another name is refused; each
message names the file.

**One scan.** Every reader (``status``, ``pending``, the chapter tables, ``loo_result``) reads
the store through :func:`~helpers.book.paper.units.scan`, which gives each unit one state:
``done`` (current hash: the only units ever used), ``stale`` (another protocol), ``invalid``
(unreadable, incomplete, tampered or misplaced) or ``missing``. The tables count stale and
invalid units as "stale unit(s) not used"; ``loo_result`` refuses a study that is not done.

**Resume.** A unit whose file carries the current hash is skipped; a stale or invalid file is
recomputed; killing a run loses only the units in progress. Units run in parallel through
joblib, so ``joblib.parallel_config(backend="dask")`` sends them to a cluster. A claim file per
unit (``.<sample>.claim``) keeps two runners from computing the same unit; workers exit when
their runner dies; temporary files of a killed write (``.<sample>.<random>.tmp``) are removed by
the next run (:mod:`~helpers.book.paper.runner`).

**Diverged folds.** A fold whose refit diverges is stored too (``diverged``, no prediction) and
counted apart: the tables show such a study with its other folds and name the diverged ones (only
a study that diverged in every fold has no row). CI re-runs the cheapest stored unit from scratch
and compares its predictions (relative 1e-4).

**Cost.** One c-tuned variant is ~1.8 million run-steps (one optimizer step of one MINN): ~90 min
on one core, ~60 min with two workers on two free cores, ~4 h on a loaded 2-core machine; so the
store fills over several sessions, and a GPU (``--device cuda``) or a cluster does it in one
sitting. The per-run-step timings behind these figures are in ``benchmarks/README.md``.

**MOME units.** The same store keeps the MOME searches of chapters ``07_mome_ethanol``,
``08_mome_organisms_and_constraints`` and ``09_mome_redirector`` at the paper profile: one unit
= one search set-up x one seed (``<chapter>/<set-up>/seed-<n>.json``, seeds 0, 1, 2), holding
the front (by distinct phenotype), an archive summary (best guaranteed product per knock-out
cost), the per-generation hypervolume, the evaluation counts, wall times and provenance. Its
protocol hash (:func:`~helpers.book.paper.mome.mome_protocol`) is taken over *values* — the
search settings that reach the search, the seed, the organism's reaction ids, the medium, the
sha256 of the GEM and of every list the set-up reads, and
:data:`~helpers.book.paper.mome.SEARCH_VERSION` — so a pure rename leaves units current. Scan,
claims, resume and ``status`` are the MINN units' (:func:`~helpers.book.paper.units.scan`
dispatches on the study); chapters 07-09 show them beside their own run with "n of N seeds"
(:func:`~helpers.book.paper.mome_tables.mome_table`). A MOME unit takes a minute (a small
organism) to an hour (chapter 07's iJO1366 search at population 200 x 100 generations on a loaded
2-core machine), so CI recomputes a deterministic **prefix** of the cheapest stored unit: its
first two generations, whose strains, phenotypes and hypervolumes must equal the stored ones.

**Chapter 10.** Its headline at the paper profile is three MINN studies of this store
(chapter 03's ``c-balanced`` units, ``exact-layer`` and ``network-only``); units now also keep
the held-out sample's whole flux distribution, and older units have theirs retrained from
their chosen hyper-parameters (:mod:`~helpers.book.paper.fluxes`), for the chapter's
box-violation table.

Command line (``make paper`` runs the first)::

    python -m helpers.book paper run [--chapter 03_minn_vs_ml] [--study c-balanced] [-j 2]
    python -m helpers.book paper run --chapter 07_mome_ethanol
    python -m helpers.book paper status

Chapters ``03_minn_vs_ml``, ``04_conflicting_losses`` and ``05_gem_choice`` show
:func:`paper_table` beside their quick tables; chapters 07-09 show
:func:`~helpers.book.paper.mome_tables.mome_table`; chapter ``10_beyond`` reads its headline
through :func:`helpers.book.beyond_paper.stored_headline`.

Modules:

- :mod:`helpers.book.paper.catalogue` — the studies, the chapter tables, the protocol and its hash.
- :mod:`helpers.book.paper.inputs` — the data, mechanistic problems and targets a unit uses.
- :mod:`helpers.book.paper.units` — compute, write, read and validate one unit; the one scan.
- :mod:`helpers.book.paper.runner` — the parallel run: claims, parent watchdog, temporary files.
- :mod:`helpers.book.paper.tables` — per-sample metrics, paired tests, ``loo_result``, tables.
- :mod:`helpers.book.paper.cli` — ``python -m helpers.book paper run|status``.
- :mod:`helpers.book.paper.mome` — the MOME studies (set-up x seed), their protocol and hash,
  the unit's summaries (front, archive, prefix).
- :mod:`helpers.book.paper.mome_runs` — run one MOME unit as its chapter sets it up; the CI
  prefix recomputation.
- :mod:`helpers.book.paper.mome_tables` — chapters 07-09's tables of the MOME units, with seed
  counts.
- :mod:`helpers.book.paper.fluxes` — a stored MINN study's held-out flux distributions.
- :mod:`helpers.book.paper.status` — what the store holds of a chapter's table (units done of
  planned per row), returned beside each table.
"""

from helpers.book.paper.catalogue import (
    PUBLISHED_ROWS,
    STUDIES,
    TABLES,
    Study,
    all_studies,
    get_study,
    protocol,
    protocol_hash,
    select,
)
from helpers.book.paper.inputs import samples, study_layer_lr, study_problem, study_targets
from helpers.book.paper.mome import MomeStudy, mome_protocol, mome_protocol_hash, mome_studies
from helpers.book.paper.mome_tables import mome_table
from helpers.book.paper.runner import run
from helpers.book.paper.status import StoreStatus
from helpers.book.paper.tables import loo_result, loo_results, paired_tests, paper_table, per_sample
from helpers.book.paper.units import (
    ROOT,
    STORE_ENV,
    StoreError,
    UnitState,
    compute_unit,
    pending,
    read_unit,
    run_unit,
    scan,
    status,
    store_dir,
    unit_path,
    write_unit,
)

__all__ = [
    "MomeStudy", "all_studies", "mome_protocol", "mome_protocol_hash", "mome_studies",
    "mome_table",
    "PUBLISHED_ROWS", "ROOT", "STORE_ENV", "STUDIES", "TABLES", "StoreError", "Study",
    "StoreStatus", "UnitState", "compute_unit", "get_study", "loo_result", "loo_results", "paired_tests",
    "paper_table", "pending", "per_sample", "protocol", "protocol_hash", "read_unit", "run",
    "run_unit", "samples", "scan", "select", "status", "store_dir", "study_layer_lr",
    "study_problem", "study_targets", "unit_path", "write_unit",
]
