"""Gene sets, knock-out costs and GPR evaluation.

A *gene set* is the Boolean gene-protein-reaction (GPR) rule of a reaction, e.g. ``nuoA and nuoB``
(an enzyme complex) or ``fadB or yfcX`` (isoenzymes). Knocking a gene set out forces to zero every
reaction that carries that rule (Patané et al. 2018, Sect. 2). Its knock-out cost (KC) is defined
recursively: ``A and B`` -> ``min(KC(A), KC(B))``, ``A or B`` -> ``KC(A) + KC(B)``, a gene -> 1.

For single-gene designs the rule is evaluated under a set of knocked-out genes instead.

Introduced in chapter ``07_mome_ethanol``.

References
----------
Patané A., Jansen G., Conca P., Carapezza G., Costanza J., Nicosia G. (2018). Multi-objective
optimization of genome-scale metabolic models: the case of ethanol production. Annals of
Operations Research 276, 211-227.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

import cobra
from cobra.core.gene import GPR

__all__ = ["GeneSets", "gene_sets", "knockout_cost", "evaluate_gpr", "as_gpr", "genes_of",
           "canonical_rule"]


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


def knockout_cost(rule: str | GPR | ast.AST) -> int:
    """Knock-out cost of a gene set: ``and`` -> min, ``or`` -> sum, a gene -> 1.

    Parameters
    ----------
    rule
        A GPR string (``"(a and b) or c"``), a :class:`cobra.core.gene.GPR` (``reaction.gpr``)
        or a node of its syntax tree.

    Returns
    -------
    int
        The smallest number of genes whose knock-out disables the rule.

    Examples
    --------
    >>> knockout_cost("(a and b) or (c and d) or e")
    3
    """
    node = _node(rule)
    if isinstance(node, ast.Name):
        return 1
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return min(knockout_cost(v) for v in node.values)
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return sum(knockout_cost(v) for v in node.values)
    raise ValueError(
        f"Unsupported GPR node {ast.dump(node)!r} in {str(rule)!r}; allowed: gene names, 'and', 'or'."
    )


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
