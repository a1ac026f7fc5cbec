"""The private engine (helpers.mome._engine behind StrainEvaluator) against the readable core
(helpers.mome.core: plain cobra, ``with model:``), on e_coli_core."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.mome.core import gene_knockout_phenotype, strain_phenotype
from helpers.mome.strains import StrainEvaluator

BIOMASS, PRODUCT = "Biomass_Ecoli_core", "EX_etoh_e"


def test_engine_phenotypes_equal_the_cobra_core_on_sampled_genotypes(anaerobic_core):
    """Growth and guaranteed product agree within solver tolerance on 60 random genotypes
    (lethal, wild-type-like and LP-solved strains alike), by reactions and by genes.
    ``product_lp`` is the product of whichever optimum a solver returns, so only growth and the
    guaranteed product (unique at the optimum) are compared."""
    evaluator = StrainEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT)
    rng = np.random.default_rng(0)
    kinds = set()
    for _ in range(60):
        size = int(rng.integers(0, 5))
        genotype = evaluator.normalize(rng.choice(len(evaluator.units), size=size, replace=False))
        engine = evaluator.evaluate(genotype)
        reactions = [evaluator.reaction_ids[j] for j in evaluator.knocked_reactions(genotype)]
        core = strain_phenotype(anaerobic_core, reactions, biomass=BIOMASS, product=PRODUCT)
        assert engine[[0, 2]] == pytest.approx(np.array(core)[[0, 2]], abs=1e-6), genotype
        # the same strain as a gene knock-out: its minimal gene cut, through cobra's GPR rules
        cut = evaluator.cut(genotype)
        by_genes = evaluator.evaluate(evaluator.gene_strain(cut))
        core_genes = gene_knockout_phenotype(anaerobic_core, cut, biomass=BIOMASS,
                                             product=PRODUCT)
        assert by_genes[[0, 2]] == pytest.approx(np.array(core_genes)[[0, 2]], abs=1e-6), cut
        kinds.add("lethal" if engine[0] == 0 else
                  "wild type" if np.array_equal(engine, evaluator.reference) else "changed")
    assert kinds == {"lethal", "wild type", "changed"}  # the sample covers every path
