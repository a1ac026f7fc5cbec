"""Gene sets, knock-out costs and GPR evaluation.

A *gene set* is the Boolean gene-protein-reaction (GPR) rule of a reaction, e.g. ``nuoA and nuoB``
(an enzyme complex) or ``fadB or yfcX`` (isoenzymes). Knocking a gene set out forces to zero every
reaction that carries that rule ({cite}`patane2019mome`, Sect. 2). Its knock-out cost (KC) is the
smallest number of genes whose knock-out makes the rule false: a *minimum hitting set* over the
rule's clauses (its disjunctive normal form; each clause is one enzyme variant, and every variant
must lose a gene), computed exactly by :func:`minimal_cut`. The paper defines KC by a recursion
(``A and B`` -> ``min``, ``A or B`` -> sum, :func:`paper_knockout_cost`), which overcounts when
clauses share a gene: ATP synthase, ``(atpC and ... and atpI) or (atpC and ... and atpB)``, costs
2 by the recursion but 1 exactly (atpC alone). A *strain* (several gene sets) costs the minimum
hitting set of all its gene sets' clauses together (:func:`strain_cut`).

For single-gene designs the rule is evaluated under a set of knocked-out genes instead.

Introduced in chapter ``07_mome_ethanol``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

import cobra
from cobra.core.gene import GPR

__all__ = ["GeneSets", "gene_sets", "knockout_cost", "paper_knockout_cost", "minimal_cut",
           "strain_cut", "clauses", "evaluate_gpr", "as_gpr", "genes_of", "canonical_rule"]


def as_gpr(rule: str | GPR) -> GPR:
    """Parse ``rule`` (a GPR string or a :class:`cobra.core.gene.GPR`) into a GPR tree."""
    if isinstance(rule, GPR):
        return rule
    if not isinstance(rule, str):
        raise TypeError(f"A GPR rule must be a str or cobra GPR. Got {type(rule).__name__} instead.")
    return GPR.from_string(rule)


def _node(rule: str | GPR | ast.AST) -> ast.AST:
    if isinstance(rule, ast.AST) and not isinstance(rule, GPR):
        return rule
    gpr = as_gpr(rule)  # type: ignore[arg-type]
    if gpr.body is None:
        raise ValueError(f"The GPR rule {str(rule)!r} is empty: it names no gene to knock out.")
    return gpr.body


def paper_knockout_cost(rule: str | GPR | ast.AST) -> int:
    """The paper's recursive knock-out cost: ``and`` -> min, ``or`` -> sum, a gene -> 1.

    An upper bound of the exact cost (:func:`knockout_cost`); equal to it when no gene appears in
    two clauses. Kept to compare with the paper's KC values (its pfl gene set: 4; exactly: 2).

    Examples
    --------
    >>> paper_knockout_cost("(a and b) or (a and c)")
    2
    """
    node = _node(rule)
    if isinstance(node, ast.Name):
        return 1
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return min(paper_knockout_cost(v) for v in node.values)
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return sum(paper_knockout_cost(v) for v in node.values)
    raise ValueError(
        f"Unsupported GPR node {ast.dump(node)!r} in {str(rule)!r}; allowed: gene names, 'and', 'or'."
    )


_MAX_CLAUSES = 100_000


def _minimize(cl: set[frozenset[str]]) -> set[frozenset[str]]:
    """Drop clauses that contain another clause (absorption: ``a or (a and b)`` is ``a``)."""
    ordered = sorted(cl, key=len)
    kept: list[frozenset[str]] = []
    for c in ordered:
        if not any(k <= c for k in kept):
            kept.append(c)
    return set(kept)


def _dnf(node: ast.AST, rule: object) -> set[frozenset[str]]:
    if isinstance(node, ast.Name):
        return {frozenset([node.id])}
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        out: set[frozenset[str]] = set()
        for v in node.values:
            out |= _dnf(v, rule)
        return _minimize(out)
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        out = {frozenset()}
        for v in node.values:
            out = _minimize({a | b for a in out for b in _dnf(v, rule)})
            if len(out) > _MAX_CLAUSES:
                raise ValueError(f"The GPR rule {str(rule)!r} expands to more than {_MAX_CLAUSES} "
                                 "clauses; its exact knock-out cost is not computed.")
        return out
    raise ValueError(
        f"Unsupported GPR node {ast.dump(node)!r} in {str(rule)!r}; allowed: gene names, 'and', 'or'."
    )


def clauses(rule: str | GPR | ast.AST) -> frozenset[frozenset[str]]:
    """The rule's minimal disjunctive normal form: the gene sets (enzyme variants) any of which
    keeps the reaction active. A knock-out disables the rule iff it hits every clause.

    Examples
    --------
    >>> sorted(sorted(c) for c in clauses("(a or b) and c"))
    [['a', 'c'], ['b', 'c']]
    """
    return frozenset(_dnf(_node(rule), rule))


def _hitting_set(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    """A minimum hitting set of ``sets`` (exact branch and bound; ties: lexicographically first).

    Branches on the genes of the smallest clause not yet hit; bounds by the best size so far plus
    a greedy lower bound (disjoint clauses each need their own gene).
    """
    todo = sorted(_minimize(set(sets)), key=lambda c: (len(c), sorted(c)))
    best: list[frozenset[str] | None] = [None]

    def lower_bound(rest: list[frozenset[str]]) -> int:
        used: set[str] = set()
        n = 0
        for c in rest:
            if not (c & used):
                used |= c
                n += 1
        return n

    def search(chosen: frozenset[str], rest: list[frozenset[str]]) -> None:
        if not rest:
            if best[0] is None or len(chosen) < len(best[0]):
                best[0] = chosen
            return
        if best[0] is not None and len(chosen) + lower_bound(rest) >= len(best[0]):
            return
        for gene in sorted(rest[0]):
            search(chosen | {gene}, [c for c in rest if gene not in c])

    search(frozenset(), todo)
    return best[0] if best[0] is not None else frozenset()


def minimal_cut(rule: str | GPR | ast.AST) -> frozenset[str]:
    """A smallest set of genes whose knock-out makes ``rule`` false (exact minimum hitting set of
    its :func:`clauses`). Chapter ``07_mome_ethanol``.

    Examples
    --------
    >>> sorted(minimal_cut("(a and b and c) or (a and d)"))
    ['a']
    """
    return _hitting_set(clauses(rule))


def strain_cut(rules: Iterable[str | GPR | ast.AST | frozenset[frozenset[str]]]
               ) -> frozenset[str]:
    """A smallest set of genes whose knock-out makes every rule of a strain false.

    ``rules`` are GPR rules or their precomputed :func:`clauses`. Rules that share no gene are
    solved separately (their cuts add up), so the branch and bound only ever sees one group of
    overlapping rules at a time.
    """
    groups: list[tuple[set[str], set[frozenset[str]]]] = []
    for rule in rules:
        cl = set(rule) if isinstance(rule, frozenset) else set(clauses(rule))
        genes = set().union(*cl)
        merged = [g for g in groups if g[0] & genes]
        for g in merged:
            groups.remove(g)
            genes |= g[0]
            cl |= g[1]
        groups.append((genes, cl))
    out: frozenset[str] = frozenset()
    for _, cl in groups:
        out |= _hitting_set(cl)
    return out


def knockout_cost(rule: str | GPR | ast.AST) -> int:
    """Exact knock-out cost of a gene set: the size of its :func:`minimal_cut`.

    Parameters
    ----------
    rule
        A GPR string (``"(a and b) or c"``), a :class:`cobra.core.gene.GPR` (``reaction.gpr``)
        or a node of its syntax tree.

    Returns
    -------
    int
        The smallest number of genes whose knock-out disables the rule (never more than
        :func:`paper_knockout_cost`).

    Examples
    --------
    >>> knockout_cost("(a and b) or (c and d) or e")
    3
    >>> knockout_cost("(a and b) or (a and c)")
    1
    """
    return len(minimal_cut(rule))


def evaluate_gpr(rule: str | GPR | ast.AST, knocked_out: Iterable[str]) -> bool:
    """Whether the rule still holds (the reaction stays active) with genes ``knocked_out`` removed.

    Examples
    --------
    >>> evaluate_gpr("(a and b) or c", {"a"})
    True
    >>> evaluate_gpr("(a and b) or c", {"a", "c"})
    False
    """
    off = knocked_out if isinstance(knocked_out, set | frozenset) else set(knocked_out)
    return _eval(_node(rule), off, rule)


def _eval(node: ast.AST, off: set[str] | frozenset[str], rule: object) -> bool:
    if isinstance(node, ast.Name):
        return node.id not in off
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return all(_eval(v, off, rule) for v in node.values)
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return any(_eval(v, off, rule) for v in node.values)
    raise ValueError(
        f"Unsupported GPR node {ast.dump(node)!r} in {str(rule)!r}; allowed: gene names, 'and', 'or'."
    )


def genes_of(rule: str | GPR | ast.AST) -> frozenset[str]:
    """The gene identifiers a rule mentions."""
    return frozenset(n.id for n in ast.walk(_node(rule)) if isinstance(n, ast.Name))


def canonical_rule(rule: str | GPR | ast.AST) -> str:
    """One spelling per gene set: nested ``and``/``or`` flattened, operands sorted.

    ``"b or (c and a)"`` and ``"(a and c) or b"`` are the same gene set, written
    ``"(a and c) or b"``. iJO1366 writes many rules in several orders (e.g. the porins).

    Examples
    --------
    >>> canonical_rule("b or (c and a) or (d or e)")
    '(a and c) or b or d or e'
    """
    return _canonical(_node(rule), top=True)


def _canonical(node: ast.AST, top: bool = False) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if not isinstance(node, ast.BoolOp) or not isinstance(node.op, ast.And | ast.Or):
        raise ValueError(f"Unsupported GPR node {ast.dump(node)!r}; allowed: gene names, 'and', 'or'.")
    operands: list[ast.AST] = []
    stack = list(node.values)
    while stack:  # flatten a and (b and c) -> a and b and c
        child = stack.pop(0)
        if isinstance(child, ast.BoolOp) and type(child.op) is type(node.op):
            stack = list(child.values) + stack
        else:
            operands.append(child)
    word = " and " if isinstance(node.op, ast.And) else " or "
    text = word.join(sorted({_canonical(child) for child in operands}))
    return text if top or len(operands) == 1 else f"({text})"


@dataclass(frozen=True)
class GeneSets:
    """The design space of a model: its gene sets and the reactions each one controls.

    Attributes
    ----------
    rules
        One GPR string per gene set (canonical form), sorted.
    reactions
        For each gene set, the ids of the reactions carrying exactly that rule.
    costs
        Knock-out cost of each gene set.
    """

    rules: tuple[str, ...]
    reactions: tuple[tuple[str, ...], ...]
    costs: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.rules)

    def names(self, model: cobra.Model | None = None) -> list[str]:
        """Rules with gene ids replaced by gene names (``b0001`` -> ``thrL``) where ``model`` has them."""
        if model is None:
            return list(self.rules)
        lookup = {g.id: (g.name or g.id) for g in model.genes}
        return [_rename(rule, lookup) for rule in self.rules]


def _rename(rule: str, lookup: dict[str, str]) -> str:
    gpr = as_gpr(rule)
    return gpr.to_string(names=lookup)


def gene_sets(model: cobra.Model) -> GeneSets:
    """Group the reactions of ``model`` by gene set (GPR rule in :func:`canonical_rule` form);
    reactions without a rule are not targets.

    The model is only read.
    """
    by_rule: dict[str, list[str]] = {}
    for reaction in model.reactions:
        rule = reaction.gene_reaction_rule.strip()
        if rule:
            by_rule.setdefault(canonical_rule(rule), []).append(reaction.id)
    rules = tuple(sorted(by_rule))
    return GeneSets(
        rules=rules,
        reactions=tuple(tuple(by_rule[r]) for r in rules),
        costs=tuple(knockout_cost(r) for r in rules),
    )
