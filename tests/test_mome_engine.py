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
    (lethal, wild-type-like and LP-solved strains alike) with plain cobra: the strain is the
    knock-out of its genes (``gene.knock_out()`` under ``with model:``), and the engine's
    reactions are exactly those cobra disables. ``product_lp`` is the product of whichever
    optimum a solver returns, so only growth and the guaranteed product (unique at the optimum)
    are compared."""
    evaluator = StrainEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT)
    rng = np.random.default_rng(0)
    kinds = set()
    for _ in range(60):
        size = int(rng.integers(0, 5))
        genotype = evaluator.normalize(rng.choice(len(evaluator.units), size=size, replace=False))
        engine = evaluator.evaluate(genotype)
        genes = evaluator.cut(genotype)
        core_genes = gene_knockout_phenotype(anaerobic_core, genes, biomass=BIOMASS,
                                             product=PRODUCT)
        assert engine[[0, 2]] == pytest.approx(np.array(core_genes)[[0, 2]], abs=1e-6), genes
        with anaerobic_core:  # the same reactions as cobra's gene knock-out
            for gene in genes:
                anaerobic_core.genes.get_by_id(gene).knock_out()
            off = {r.id for r in anaerobic_core.reactions if r.bounds == (0, 0)}
        ours = {evaluator.reaction_ids[j] for j in evaluator.knocked_reactions(genotype)}
        assert ours == {r for r in off if anaerobic_core.reactions.get_by_id(r).bounds != (0, 0)}
        reactions = sorted(ours)
        core = strain_phenotype(anaerobic_core, reactions, biomass=BIOMASS, product=PRODUCT)
        assert engine[[0, 2]] == pytest.approx(np.array(core)[[0, 2]], abs=1e-6), genotype
        kinds.add("lethal" if engine[0] == 0 else
                  "wild type" if np.array_equal(engine, evaluator.reference) else "changed")
    assert kinds == {"lethal", "wild type", "changed"}  # the sample covers every path


def test_a_gene_shared_by_two_gene_sets_disables_both(anaerobic_core):
    """A genotype of one gene set whose cheapest cut holds a gene that another gene set needs:
    the strain is the gene deletion, so the other gene set is disabled too."""
    evaluator = StrainEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT)
    found = 0
    for u in range(len(evaluator.units)):
        deleted = evaluator.deleted_units([u])
        assert u in deleted
        if len(deleted) > 1:
            found += 1
            genes = evaluator.cut([u])
            assert set(deleted) == set(evaluator.gene_strain(genes))
    assert found > 0  # e_coli_core has such gene sets
