"""The book itself: running chapters, their settings, their tables and shared figures.

- :mod:`~helpers.book.notebooks` — execute chapters with papermill (``make notebook``), only
  chapters of ``_toc.yml``, parameters checked before any kernel starts.
- :mod:`~helpers.book.runs` — parameterized runs into ``runs/<chapter>/<name>/`` (never the
  book's copy) and sweeps over a grid of parameters with one summary table.
- :mod:`~helpers.book.execution_cache` — skip a chapter whose code, parameters, helpers, data,
  results store and packages are unchanged since its last good execution.
- :mod:`~helpers.book.profiles` — the ``quick`` and ``paper`` run profiles, in one place.
- :mod:`~helpers.book.tables` — one writer and one reader for every table the book shows.
- :mod:`~helpers.book.plots` — figures shared by the MINN chapters.
- :mod:`~helpers.book.dataset_figures` — chapter ``01_dataset``'s figures, drawn from its tables.
- :mod:`~helpers.book.forest` — effect-size (forest) figures of a family of paired tests,
  each difference with its interval (chapters ``05_gem_choice``, ``10_beyond``).
- :mod:`~helpers.book.display` — how a chapter shows a table, its settings and glued values.
- :mod:`~helpers.book.captions` — a paper-profile table's caption: the chapter's words and what
  the results store holds.
- :mod:`~helpers.book.cell_sizes` — visible code cells per chapter (the ``cells`` command).
- :mod:`~helpers.book.table_format` — the one formatter of table cells (a number format per
  column, round-off as 0, booleans, lists, ids verbatim).
- :mod:`~helpers.book.paper` — the paper-protocol results store (``results/paper/``): studies,
  units and their one scan, the parallel run, the chapters' paper tables.
- :mod:`~helpers.book.mome_exact` — chapter ``08``'s exact check of one constrained set-up.
- :mod:`~helpers.book.mome_milp` — chapter ``07``'s RobustKnock MILP designs and searches per
  product, kept in ``results/mome_milp/`` (the ``mome-milp`` command).
- :mod:`~helpers.book.__main__` — the one command line, ``python -m helpers.book`` with the
  subcommands ``chapter``, ``sweep``, ``paper run|status``, ``mome-exact``, ``mome-milp`` and
  ``cells`` (what the Makefile calls).
- :mod:`~helpers.book.mome_designs` — chapter ``08``: the MOME paper's constrained designs.
- :mod:`~helpers.book.mome_study` — chapter ``08``: MOME across organisms and the paper's claims.
- :mod:`~helpers.book.mome_origin` — chapter ``08``: the LB wild type against LB's measured
  growth, and where the headline strains' ethanol comes from.
- :mod:`~helpers.book.mome_wild_type` — chapter ``08``: which set-up gives the MOME paper's
  iJO1366 wild types.
- :mod:`~helpers.book.mome_shown_tables` — chapters ``07`` and ``09``: the shown tables assembled from
  the frames the chapter computes (MILP comparison, best strains known, the paper's strains,
  the evenness readings, the regulated strains).
- :mod:`~helpers.book.gem_choice_study` — chapter ``05_gem_choice``: the GEMs' sizes, the runs,
  the findings its prose quotes.
- :mod:`~helpers.book.block_summary` — chapter ``06_reservoir_pfba``: reservoir blocks side by
  side.
- :mod:`~helpers.book.reservoir_controls` — chapter ``06_reservoir_pfba``: omics-free controls of
  Table 4 (constant caps, training means, shuffled omics), their test family, where the gain sits.
- :mod:`~helpers.book.loss_conflict_guide` — chapter ``04_conflicting_losses``: the paper's
  findings checked and the practical guide, as verdict tables (data, not sentences).
- :mod:`~helpers.book.beyond` — chapter ``10_beyond``: MINN on the open problems of the
  multi-omics review (omics, fusion, out-of-distribution groups, label scarcity).
- :mod:`~helpers.book.beyond_effects` — chapter ``10_beyond``: its family of paired tests as
  effects (each test's per-pair table, axis labels) for the forest figure.
- :mod:`~helpers.book.beyond_paper` — chapter ``10_beyond``'s headline at the paper profile,
  its MINN rows read from the results store with their flux checks.
- :mod:`~helpers.book.claims` — appendix ``11_claims_ledger``: the catalogue of the papers'
  checkable claims and the ledger of the book's verdicts.
- :mod:`~helpers.book.claim_checks` — the ledger's table readers and verdict rules.

Imports: anything below it (:mod:`helpers.evaluation`, :mod:`helpers.mome`, ...); nothing imports
it except chapters, tests and benchmarks.
"""
