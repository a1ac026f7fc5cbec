"""Genome-scale metabolic models for MINN: loading, media, splitting, reduction, matrices.

Public API (introduced in chapter ``02_gem_preparation``)::

    load_gem, model_hash, normalize_bounds            # loading
    Medium, MEDIA, get_medium, glucose_minimal,       # media and sample bounds
    set_medium, use_medium, use_sample_bounds, knockouts_from_row
    split_reversible, unsplit_model, merge_split_fluxes, split_pairs   # splitting
    FluxIdError, map_flux_ids, base_id, to_flux_id, strip_prefix       # ids
    fva_reduce, fba_reduce, Reduction                 # reduction (cached on disk)
    MinnMatrices, minn_matrices, stoichiometric_matrix, mechanistic_residual
    gem_size, split_count, removed_by_subsystem, compare_reactions,    # Table 1 helpers
    PAPER_TABLE1, table_row, flux_coverage

By module path: :mod:`helpers.gem.table1` (Table 1's rows, chapter 02) and
:mod:`helpers.gem.overlap` (reaction sets of two GEMs, chapter 06).

Imports: :mod:`helpers.data` only.
"""

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
    "fva_reduce", "fba_reduce", "Reduction", "GrowthMismatchError",
    "InfeasibleMediumError",
    "MinnMatrices", "minn_matrices", "stoichiometric_matrix", "mechanistic_residual",
    "gem_size", "split_count", "removed_by_subsystem", "compare_reactions",
    "PAPER_TABLE1", "table_row", "flux_coverage",
]

silence_highs_banner()  # HiGHS's licence banner would otherwise land in chapter 04's output
