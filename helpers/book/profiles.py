"""Run profiles: the one place where ``quick`` and ``paper`` settings live.

``quick`` is the default for ``make book`` and CI: honest but small. ``paper`` is the paper's
full protocol. Each chapter reads its own section with :func:`get_profile`; a notebook's
``parameters`` cell names only the profile, the seed and its own knobs.
"""

from __future__ import annotations

import copy
from typing import Any

PROFILE_NAMES = ("quick", "paper")

# Each chapter owns one section. Values are plain Python so they show up verbatim in tables.
_PROFILES: dict[str, dict[str, dict[str, Any]]] = {
    "dataset": {
        "quick": {},
        "paper": {},
    },
    # <gem>
    "gem": {
        # FBA-reduction (MINN paper: 2000 FBA solutions); FVA-reduction is the same in both.
        "quick": {"fba_samples": 300},
        "paper": {"fba_samples": 2000},
    },
    # </gem>
    # <minn>
    "minn": {
        # chapter 00_toy_example: the toy network (seconds); "paper" uses the paper's network
        # settings (hidden 250, lr 5e-4, 100 epochs) on the same toy data.
        "quick": {
            "toy_samples": 60,
            "toy_test_fraction": 0.25,
            "toy_noise": 0.05,
            "toy_hidden": 32,
            "toy_dropout": 0.1,
            "toy_lr": 3e-3,
            "toy_epochs": 60,
            "toy_c_values": [0.1, 1.0, 10.0, 100.0, 1000.0],
            "toy_sweep_seeds": 3,
        },
        "paper": {
            "toy_samples": 60,
            "toy_test_fraction": 0.25,
            "toy_noise": 0.05,
            "toy_hidden": 250,
            "toy_dropout": 0.25,
            "toy_lr": 5e-4,
            "toy_epochs": 100,
            "toy_c_values": [0.1, 1.0, 10.0, 20.0, 30.0, 40.0, 50.0, 100.0, 1000.0],
            "toy_sweep_seeds": 5,
        },
    },
    # </minn>
    # <evaluation>
    # Nested LOO of chapter 03 (and later MINN chapters). quick: all 29 outer folds with fixed
    # hyper-parameters (mid-grid values, c = 30), one batched ensemble per variant; paper: the
    # release's inner 5-fold search (25 candidates when c is tuned, 15 otherwise).
    "evaluation": {
        "quick": {
            "minn_fixed": {"hidden": 250, "dropout": 0.25, "lr": 5e-4, "weight_decay": 1e-4},
            "minn_c": 30.0,
            "minn_trials_tuned_c": 0,
            "minn_trials": 0,
            "baseline_trials": 0,
            "inner_folds": 5,
            "n_jobs": 2,  # variants (and RF / NN folds) side by side on the 2 CI cores
            "max_members": None,
        },
        "paper": {
            "minn_fixed": {},
            "minn_c": None,
            "minn_trials_tuned_c": 25,
            "minn_trials": 15,
            "baseline_trials": 15,
            "inner_folds": 5,
            "n_jobs": 2,
            # runs per batched program in an inner search on a CPU (weights stay in cache;
            # benchmarks/bench_minn_batched.py); a GPU trains a fold's 125 runs at once.
            "max_members": 5,
        },
    },
    # </evaluation>
    # <reservoir>
    # Chapter 06_reservoir_pfba (MINN-reservoir + pFBA, Table 4). quick: the released block is
    # checked on 60 random exchange bounds, a small block is retrained from 200 simulations for
    # 20 epochs, and the omics -> block network runs all 29 LOO folds with fixed hyper-parameters
    # (mid-grid, as chapter 03); paper: 500 check simulations, the paper's 2000-simulation /
    # 100-epoch block recipe and the release's inner search (15 candidates, 5 inner folds).
    "reservoir": {
        "quick": {"check_samples": 60, "retrain_samples": 200, "retrain_epochs": 20,
                  "retrain_hidden": 500, "omics_fixed": {"hidden": 250, "dropout": 0.25,
                                                         "lr": 5e-4, "weight_decay": 1e-4},
                  "omics_trials": 0, "inner_folds": 5, "epochs": 100, "block_dropout": True},
        "paper": {"check_samples": 500, "retrain_samples": 2000, "retrain_epochs": 100,
                  "retrain_hidden": 500, "omics_fixed": None,
                  "omics_trials": 15, "inner_folds": 5, "epochs": 100, "block_dropout": True},
    },
    # </reservoir>
    # <beyond>
    # Chapter 10_beyond. The headline (exact steady-state layer vs the paper's layer, RF, NN, pFBA)
    # is leave-one-out in both profiles: quick with chapter 03's fixed hyper-parameters, paper with
    # the nested search of the "evaluation" section. The open-problem experiments use fixed
    # hyper-parameters in both; quick holds samples out by shuffled 5-fold CV (every sample once,
    # 7x cheaper than LOO for a MINN ensemble) and draws 6 training sets per learning-curve size
    # (the fewest for which a two-sided Wilcoxon test over draws can reach p < 0.05) for k = 7, 14,
    # 21; paper uses LOO, 20 draws and adds k = 28. n_jobs: models trained side by side (joblib).
    "beyond": {
        "quick": {"minn_fixed": {"hidden": 250, "dropout": 0.25, "lr": 5e-4, "weight_decay": 1e-4,
                                 "c": 30.0},
                  "rf_fixed": {}, "nn_fixed": {}, "headline_search": False,
                  "secondary_splits": "kfold", "kfold": 5,
                  "scarcity_sizes": [7, 14, 21], "scarcity_repeats": 6,
                  "minn_variants": ["c-balanced", "c-balanced-exact"], "n_jobs": 2},
        "paper": {"minn_fixed": {"hidden": 250, "dropout": 0.25, "lr": 5e-4, "weight_decay": 1e-4,
                                 "c": 30.0},
                  "rf_fixed": {}, "nn_fixed": {}, "headline_search": True,
                  "secondary_splits": "loo", "kfold": 5,
                  "scarcity_sizes": [7, 14, 21, 28], "scarcity_repeats": 20,
                  "minn_variants": ["c-balanced", "c-balanced-exact"], "n_jobs": 2},
    },
    # </beyond>
    # <mome>
    # MOME (Patané et al. 2018) on iJO1366, anaerobic, glucose 10. The paper fixes uKC = 50 but does
    # not state pop, maxGen or dup in its text; "paper" is our choice (pop 200, dup 10) with maxGen
    # cut to 100: late generations (strains near uKC) slow down sharply, and 200 generations did not
    # finish within an hour on 2 cores. "quick" is the same search, small enough for CI.
    # elite_cost: best strain per knock-out cost 1..elite_cost kept in the population (per-cost
    # archive); exact_max_cost: budget of the exact enumeration (cost 2: about a minute on iJO1366,
    # cost 3: several minutes); best_cost_table: budgets shown in the best-per-cost table.
    "mome": {
        "quick": {"model": "iJO1366", "pop_size": 100, "n_gen": 40, "dup": 5, "ukc": 50,
                  "max_initial_mutations": 3, "skip_lethal_units": True, "prefer_support": 0.0,
                  "envelope_points": 60, "n_jobs": 1, "elite_cost": 6, "exact_max_cost": 2,
                  "best_cost_table": 10},
        "paper": {"model": "iJO1366", "pop_size": 200, "n_gen": 100, "dup": 10, "ukc": 50,
                  "max_initial_mutations": 3, "skip_lethal_units": True, "prefer_support": 0.0,
                  "envelope_points": 60, "n_jobs": 1, "elite_cost": 10, "exact_max_cost": 3,
                  "best_cost_table": 10},
    },
    # </mome>
    # <mome_organisms>
    # Chapter 08: chapter 07's search on each organism of helpers.gem.organisms. "quick" is a small
    # search per model (CI budget for chapters 08 + 09: 6 min); "paper" is chapter 07's quick
    # search size per model (the paper gives pop/maxGen for none of them; uKC 50 as in the paper).
    # constrained.pair_screen_first_genes: the E. coli lethal-pair screen only tries pairs whose
    # first gene is among the first N non-essential genes on the wild type's flux support (quick:
    # 10, a partial, stated list that fits CI with a cold cache); None = the complete exact screen.
    # constrained.isozyme_cut_prob: chance that a mutation knocks out the gene cut of a
    # flux-carrying reaction that only several genes together disable (isozymes), not one gene.
    # constrained.exact_max_cost: budget of the exact constrained enumeration that checks each
    # search (1 gene: seconds; 2 genes: about 5 min per E. coli set-up on 2 shared cores).
    "mome_organisms": {
        "quick": {"organisms": ["iJO1366", "iZ_1308", "iCA1273", "iSB619", "STM_v1_0",
                                "iPC815", "yeast_7.6", "iMM904", "iRC1080", "iYL619_PCP"],
                  "pop_size": 24, "n_gen": 8, "dup": 3, "ukc": 50, "elite_cost": 4,
                  "envelope_points": 20,
                  "constrained": {"pop_size": 24, "n_gen": 8, "dup": 3, "ukc": 10,
                                  "elite_cost": 10, "table_max_cost": 10,
                                  "pair_screen_first_genes": 10, "isozyme_cut_prob": 0.3,
                                  "exact_max_cost": 1}},
        "paper": {"organisms": ["iJO1366", "iZ_1308", "iCA1273", "iSB619", "STM_v1_0",
                                "iPC815", "yeast_7.6", "iMM904", "iRC1080", "iYL619_PCP"],
                  "pop_size": 100, "n_gen": 40, "dup": 5, "ukc": 50, "elite_cost": 6,
                  "envelope_points": 60,
                  "constrained": {"pop_size": 100, "n_gen": 40, "dup": 5, "ukc": 50,
                                  "elite_cost": 10, "table_max_cost": 10,
                                  "pair_screen_first_genes": None, "isozyme_cut_prob": 0.3,
                                  "exact_max_cost": 2}},
    },
    # </mome_organisms>
    # <mome_redirector>
    # Chapter 09: knock-out and regulation searches on iMM904 with the same sizes. The paper gives
    # no beta grid: levels are ours (relative to the biomass coefficient 1); ukc bounds how many
    # enzymes are regulated at once; bins: biomass intervals for the evenness check.
    "mome_redirector": {
        "quick": {"pop_size": 20, "n_gen": 6, "dup": 3, "ukc": 5, "elite_cost": 3,
                  "levels": [-0.1, -0.01, 0.01, 0.1], "bins": 20},
        "paper": {"pop_size": 100, "n_gen": 40, "dup": 5, "ukc": 10, "elite_cost": 5,
                  "levels": [-0.1, -0.01, -0.001, 0.001, 0.01, 0.1], "bins": 20},
    },
    # </mome_redirector>
}


def get_profile(name: str, section: str) -> dict[str, Any]:
    """Return a copy of the settings of ``section`` under profile ``name``.

    Raises ``ValueError`` naming the allowed values if either is unknown.
    """
    if name not in PROFILE_NAMES:
        raise ValueError(
            f"The 'profile' parameter must be one of {list(PROFILE_NAMES)}. Got {name!r} instead."
        )
    if section not in _PROFILES:
        raise ValueError(
            f"Unknown profile section {section!r}; known sections: {sorted(_PROFILES)}."
        )
    return copy.deepcopy(_PROFILES[section][name])


def sections() -> list[str]:
    """Names of the profile sections (one per chapter family)."""
    return sorted(_PROFILES)
