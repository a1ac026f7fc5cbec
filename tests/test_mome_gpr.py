"""Gene sets, knock-out cost recursion and GPR evaluation (helpers.mome.gpr)."""

from __future__ import annotations

import cobra
import pytest

from helpers.mome.gpr import (
    canonical_rule,
    clauses,
    evaluate_gpr,
    gene_sets,
    genes_of,
    knockout_cost,
    minimal_cut,
    paper_knockout_cost,
    strain_cut,
)


@pytest.mark.parametrize(
    ("rule", "cost"),
    [
        ("a", 1),
        ("a and b and c", 1),
        ("a or b or c", 3),
        ("(a and b) or c", 2),
        ("(a or b) and (c or d or e)", 2),
        ("(a or b) and c", 1),
        ("((a and b) or (a and c) or (d and e) or ((a and b) and f))", 2),  # a + d
        ("(a or (b and (c or d))) and (e or f)", 2),
    ],
)
def test_knockout_cost_is_exact(rule, cost):
    assert knockout_cost(rule) == cost


def test_papers_pfl_gene_set_costs_four_by_the_recursion_and_two_exactly():
    # Patané et al. 2018, Table 1: the pfl gene set contributes 4 to the strain's KC of 14; the
    # recursion counts pflA twice: knocking out pflA and pflD disables all four variants
    rule = "((pflA and pflB) or (pflA and tdcE) or (pflD and pflC) or ((pflA and pflB) and yfiD))"
    assert paper_knockout_cost(rule) == 4
    assert knockout_cost(rule) == 2
    cut = minimal_cut(rule)
    assert len(cut) == 2 and "pflA" in cut and not evaluate_gpr(rule, cut)


def test_atp_synthase_costs_one_gene():
    # iJO1366's ATPS4rpp: two enzyme variants sharing atpC (b3731): the recursion says 2
    rule = ("(b3736 and b3737 and b3738 and b3731 and b3732 and b3733 and b3734 and b3735 and b3739)"
            " or (b3736 and b3737 and b3738 and b3731 and b3732 and b3733 and b3734 and b3735)")
    assert paper_knockout_cost(rule) == 2
    assert knockout_cost(rule) == 1
    cut = minimal_cut(rule)
    assert len(cut) == 1 and not evaluate_gpr(rule, cut)


def test_atp_synthase_rule_of_ijo1366_is_cut_by_one_gene():
    model = cobra.io.load_model("iJO1366")
    rule = model.reactions.ATPS4rpp.gene_reaction_rule
    assert paper_knockout_cost(rule) == 2
    assert knockout_cost(rule) == 1


@pytest.mark.parametrize(
    "rule",
    ["(a and b) or (a and c) or (b and c)", "(a or b) and (a or c)", "(a and b) or (b and c) or d",
     "(a and (b or c)) or (d and (b or e))", "((a or b) and (c or d)) or (a and e)", "x"],
)
def test_minimal_cut_is_a_smallest_disabling_set_by_brute_force(rule):
    from itertools import combinations

    genes = sorted(genes_of(rule))
    smallest = min(k for k in range(1, len(genes) + 1)
                   for combo in combinations(genes, k) if not evaluate_gpr(rule, set(combo)))
    cut = minimal_cut(rule)
    assert len(cut) == smallest == knockout_cost(rule)
    assert not evaluate_gpr(rule, cut)
    assert knockout_cost(rule) <= paper_knockout_cost(rule)


def test_clauses_are_the_minimal_dnf():
    assert clauses("a or (a and b)") == {frozenset("a")}
    assert clauses("(a or b) and (c or a)") == {frozenset("a"), frozenset("bc")}


def test_strain_cut_shares_genes_across_gene_sets():
    # two gene sets that share gene a: one knock-out disables both
    cut = strain_cut(["(a and b) or (a and c)", "a and d"])
    assert cut == {"a"}
    # disjoint gene sets add up
    assert len(strain_cut(["a or b", "c and d"])) == 3
    # precomputed clauses are accepted
    assert strain_cut([clauses("a and b"), clauses("b or c")]) == {"b", "c"}


def test_knockout_cost_accepts_cobra_gpr():
    assert knockout_cost(cobra.core.gene.GPR.from_string("x or (y and z)")) == 2


def test_knockout_cost_of_empty_rule_names_it():
    with pytest.raises(ValueError, match="GPR rule '' is empty"):
        knockout_cost("")


@pytest.mark.parametrize(
    ("rule", "off", "active"),
    [
        ("a and b", {"a"}, False),
        ("a or b", {"a"}, True),
        ("a or b", {"a", "b"}, False),
        ("(a and b) or c", {"a"}, True),
        ("(a and b) or c", {"a", "c"}, False),
        ("(a or b) and (c or d)", {"a", "c"}, True),
        ("(a or b) and (c or d)", {"c", "d"}, False),
        ("a and (b or (c and d))", {"b", "d"}, False),
        ("a and (b or (c and d))", {"b"}, True),
        ("a", set(), True),
    ],
)
def test_evaluate_gpr_and_or_nesting(rule, off, active):
    assert evaluate_gpr(rule, off) is active


def test_knockout_cost_is_a_minimal_disabling_set_size():
    # brute force: the cost equals the smallest number of genes whose removal disables the rule
    from itertools import combinations

    for rule in ["(a or b) and (c or d or e)", "(a and b) or (c and d) or e", "a or (b and c)"]:
        genes = sorted(genes_of(rule))
        smallest = min(k for k in range(1, len(genes) + 1)
                       for combo in combinations(genes, k) if not evaluate_gpr(rule, set(combo)))
        assert knockout_cost(rule) == smallest, rule


def test_gene_sets_group_reactions_by_rule():
    model = cobra.io.load_model("textbook")
    sets = gene_sets(model)
    assert len(set(sets.rules)) == len(sets.rules)
    for rule, reactions, cost in zip(sets.rules, sets.reactions, sets.costs, strict=True):
        assert cost == knockout_cost(rule)
        for rid in reactions:
            assert canonical_rule(model.reactions.get_by_id(rid).gene_reaction_rule) == rule
    assert sum(len(r) for r in sets.reactions) == sum(1 for r in model.reactions if r.gene_reaction_rule)


def test_canonical_rule_merges_orderings_and_keeps_meaning():
    from itertools import chain, combinations

    variants = ["b or (c and a)", "(a and c) or b", "((c and a)) or (b)"]
    assert len({canonical_rule(v) for v in variants}) == 1
    assert canonical_rule("a and (b and (c or d))") == "(c or d) and a and b"
    rule = "(a or b) and (c or (d and e))"
    genes = sorted(genes_of(rule))
    for off in chain.from_iterable(combinations(genes, k) for k in range(len(genes) + 1)):
        assert evaluate_gpr(canonical_rule(rule), set(off)) == evaluate_gpr(rule, set(off))
    assert knockout_cost(canonical_rule(rule)) == knockout_cost(rule)
