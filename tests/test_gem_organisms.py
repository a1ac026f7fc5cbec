"""Loaders of the MOME paper's other organisms (helpers.gem.organisms): counts from PROVENANCE.md,
objective, ethanol exchange, wild-type growth."""

from __future__ import annotations

import pytest

from helpers.gem.organisms import ORGANISMS, load_organism


@pytest.mark.parametrize("name", sorted(ORGANISMS))
def test_loader_counts_objective_and_ethanol(name):
    org = ORGANISMS[name]
    model = load_organism(name)
    assert model.id == name
    assert len(model.reactions) == org.n_reactions
    assert len(model.genes) == org.n_genes
    if org.n_metabolites is not None:
        assert len(model.metabolites) == org.n_metabolites
    objective = [r.id for r in model.reactions if r.objective_coefficient != 0]
    assert objective == [org.biomass]
    assert org.product in model.reactions
    for rid in (org.glucose, org.oxygen):
        assert rid is None or rid in model.reactions
    # the wild type grows with the file's own bounds
    assert model.slim_optimize(error_value=0.0) > 1e-3
    # bounds clipped to +-max_bound
    assert all(-org.max_bound <= r.lower_bound <= r.upper_bound <= org.max_bound
               for r in model.reactions)


def test_yeast_mat_rules_and_compartments():
    model = load_organism("yeast_7.6")
    assert sum(1 for r in model.reactions if r.gene_reaction_rule) == 2302
    assert not any(" AND " in r.gene_reaction_rule or " OR " in r.gene_reaction_rule
                   for r in model.reactions)
    assert "extracellular" in model.compartments
    # formulas from metFormulas: glucose (the glucose exchange's metabolite) has six carbons;
    # polymers such as '(C6H10O5)n' get no formula
    glucose = next(iter(model.reactions.get_by_id(ORGANISMS["yeast_7.6"].glucose).metabolites))
    assert glucose.elements.get("C") == 6
    assert not any("(" in (m.formula or "") for m in model.metabolites)
    assert sum(1 for m in model.metabolites if m.formula) > 1300  # of 2220; the rest have none


def test_iz1308_growth_aerobic_and_anaerobic_matches_provenance():
    model = load_organism("iZ_1308")
    model.reactions.EX_glc__D_e.lower_bound = -10
    assert model.slim_optimize() == pytest.approx(0.9825, abs=1e-3)
    model.reactions.EX_o2_e.lower_bound = 0
    assert model.slim_optimize() == pytest.approx(0.2418, abs=1e-3)


def test_unknown_organism_is_named():
    with pytest.raises(ValueError, match="'name' parameter must be one of"):
        load_organism("iXX0")


def test_lenient_reader_drops_boundary_species_and_reads_rules():
    model = load_organism("iYL619_PCP")
    assert not any(m.id.endswith("_b") for m in model.metabolites)
    assert not any(" " in m.id for m in model.metabolites)
    # exchanges are open-ended once the *_b pseudo-species are gone
    assert len(model.reactions.R1291.metabolites) == 1
    assert sum(1 for r in model.reactions if r.gene_reaction_rule) > 0
