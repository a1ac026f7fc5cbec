"""Genome-scale metabolic models for MINN and MOME: loading, media, splitting, reduction, matrices.

Public API (introduced in chapter ``02_gem_preparation``)::

    load_gem, model_hash, normalize_bounds            # loading
    Medium, MEDIA, get_medium, glucose_minimal,       # media and sample bounds
    set_medium, use_medium, use_sample_bounds, knockouts_from_row
    split_reversible, unsplit_model, merge_split_fluxes, split_pairs   # splitting
    FluxIdError, map_flux_ids, base_id, to_flux_id, strip_prefix       # ids
    fva_reduce, fba_reduce, Reduction                 # reduction (cached on disk)
    blocked_reactions                                 # blocked reactions (cobra / fast)
    MinnMatrices, minn_matrices, stoichiometric_matrix, mechanistic_residual
    gem_size, split_count, removed_by_subsystem, compare_reactions,    # Table 1 helpers
    PAPER_TABLE1, table_row, flux_coverage

Modules:

- :mod:`helpers.gem.loading` — the book's GEMs (registry files and cobra's bundled models),
  bounds normalised to +-1000, content hash; file errors that name the file and the reaction.
- :mod:`helpers.gem.media` — named growth media and per-sample bounds as ``with`` contexts.
- :mod:`helpers.gem.split` — splitting reversible reactions so that every flux is non-negative.
- :mod:`helpers.gem.ids` — split reaction ids and their mapping onto flux tables.
- :mod:`helpers.gem.reduce` — FVA- and FBA-reduction then splitting, cached on disk.
- :mod:`helpers.gem.blocked` — blocked reactions, one search with a cobra and a raw-GLPK back-end.
- :mod:`helpers.gem.glpk` — one warm-started raw GLPK problem (MOME's strain evaluations, the fast
  blocked-reaction search).
- :mod:`helpers.gem.matrices` — what MINN needs from a GEM: sparse ``S``, bounds, projections.
- :mod:`helpers.gem.summary` — sizes and comparisons of GEM variants (Table 1 of
  {cite}`tazza2025minn`).
- :mod:`helpers.gem.table1` — Table 1's rows regenerated beside the paper's (chapter 02).
- :mod:`helpers.gem.authors` — the MINN authors' 587-reaction FBA-reduced iAF1260, rebuilt
  (chapter ``06_reservoir_pfba``).
- :mod:`helpers.gem.overlap` — reaction sets two GEMs share (chapter ``06_reservoir_pfba``).
- :mod:`helpers.gem.organisms` — the other organisms of {cite}`patane2019mome`, one loader each
  (chapters ``08_mome_organisms_and_constraints``, ``09_mome_redirector``).
- :mod:`helpers.gem.solvers` — quiet LP/QP solvers (HiGHS's licence banner silenced).

Imports: :mod:`helpers.data` only.
"""

from helpers.gem.blocked import blocked_reactions
from helpers.gem.ids import FluxIdError, base_id, map_flux_ids, strip_prefix, to_flux_id
from helpers.gem.loading import (
    GEM_NAMES,
    MAX_BOUND,
    GemFileError,
    load_gem,
    model_hash,
    normalize_bounds,
    read_model_file,
)
from helpers.gem.matrices import (
    MinnMatrices,
    mechanistic_residual,
    minn_matrices,
    stoichiometric_matrix,
)
from helpers.gem.media import (
    MEDIA,
    Medium,
    get_medium,
    glucose_minimal,
    knockouts_from_row,
    set_medium,
    use_medium,
    use_sample_bounds,
)
from helpers.gem.reduce import (
    GrowthMismatchError,
    InfeasibleMediumError,
    MissingObjectiveError,
    Reduction,
    fba_reduce,
    fva_reduce,
)
from helpers.gem.solvers import silence_highs_banner
from helpers.gem.split import merge_split_fluxes, split_pairs, split_reversible, unsplit_model
from helpers.gem.summary import (
    PAPER_TABLE1,
    compare_reactions,
    flux_coverage,
    gem_size,
    removed_by_subsystem,
    split_count,
    table_row,
)

__all__ = [
    "GEM_NAMES", "MAX_BOUND", "load_gem", "model_hash", "normalize_bounds", "GemFileError",
    "read_model_file",
    "MEDIA", "Medium", "get_medium", "glucose_minimal", "knockouts_from_row", "set_medium",
    "use_medium", "use_sample_bounds",
    "split_reversible", "unsplit_model", "merge_split_fluxes", "split_pairs",
    "FluxIdError", "map_flux_ids", "base_id", "to_flux_id", "strip_prefix",
    "fva_reduce", "fba_reduce", "Reduction", "GrowthMismatchError", "blocked_reactions",
    "InfeasibleMediumError", "MissingObjectiveError",
    "MinnMatrices", "minn_matrices", "stoichiometric_matrix", "mechanistic_residual",
    "gem_size", "split_count", "removed_by_subsystem", "compare_reactions",
    "PAPER_TABLE1", "table_row", "flux_coverage",
]

silence_highs_banner()  # HiGHS's licence banner would otherwise land in chapter 04's output
