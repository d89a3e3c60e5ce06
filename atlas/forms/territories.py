"""The territory question: a cascade of selects (région → département → commune).

Each level of the atlas's tree below the chosen territory becomes a select whose
choices are filtered by the answer above (XLSForm ``choice_filter`` on a ``parent``
column). The finest select is named ``territory_code``, the layer field it answers,
so the export's column imports with no mapping.

Real trees are uneven: Who's On First has no département in Dakar, and a commune may
hang directly from its région. A territory whose branch stops (or skips a level) is
therefore carried down as a choice of its own ("Dakar (sans subdivision)"), so that
every territory of the finest level, and every territory without subdivision, can be
answered. Leading levels with a single territory (the country) are not asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..names import TERRITORY_FIELD
from ..territories import TerritoryTree
from .questions import ChoiceLists, Row, column, messages, plain, required


@dataclass
class Step:
    """One select of the cascade: its level and its (code, labels, parent) choices."""

    level: int
    choices: list[tuple[str, Row, str | None]] = field(default_factory=list)

    @property
    def codes(self) -> set[str]:
        """Codes offered at this step."""
        return {code for code, _, _ in self.choices}


class _Shape:
    """What the cascade needs to know about the tree, computed once."""

    def __init__(self, tree: TerritoryTree, langs: tuple[str, ...]) -> None:
        self.langs = langs
        frame = tree.frame
        self.level = {str(c): int(v) for c, v in zip(frame.index, frame["level"], strict=True)}
        self.name = {str(c): str(v) for c, v in zip(frame.index, frame["name"], strict=True)}
        self.ancestors = {code: tree.ancestors(code) for code in self.level}
        self.below: dict[str, set[int]] = {code: set() for code in self.level}
        self.child_levels: dict[str, set[int]] = {code: set() for code in self.level}
        for code, chain in self.ancestors.items():
            for ancestor in chain:
                self.below[ancestor].add(self.level[code])
            if chain:
                self.child_levels[chain[0]].add(self.level[code])

    def carried(self, code: str, level: int) -> bool:
        """True when ``code`` must be offered again at ``level`` (its branch stops or skips)."""
        return level not in self.below[code] or any(lv > level for lv in
                                                    self.child_levels[code])

    def labels(self, code: str) -> Row:
        """The territory's name, in every language column."""
        return {column("label", lang): plain(self.name[code]) for lang in self.langs}

    def carried_labels(self, code: str) -> Row:
        """"Dakar (sans subdivision)": a territory offered below its own level."""
        return messages("forms.not_subdivided", self.langs, "label", name=self.name[code])


def implicit_scope(tree: TerritoryTree) -> str | None:
    """The territory every answer lies in, when the top of the tree has one per level."""
    scope = None
    candidates = tree.roots()
    while len(candidates) == 1 and tree.children(candidates[0]):
        scope = candidates[0]
        candidates = tree.children(scope)
    return scope


def cascade(tree: TerritoryTree, scope: str | None, langs: tuple[str, ...]) -> list[Step]:
    """The selects below ``scope`` (below the implicit scope when None), coarsest first."""
    shape = _Shape(tree, langs)
    if scope is None:
        scope = implicit_scope(tree)
    previous: Step | None = None
    if scope is not None:
        inside = set(tree.descendants(scope))
        levels = [lv for lv in tree.levels if lv > shape.level[scope]]
        previous = Step(shape.level[scope], [(scope, shape.labels(scope), None)])
    else:
        inside = set(shape.level)
        levels = tree.levels
    steps: list[Step] = []
    for level in levels:
        step = Step(level)
        members = sorted(c for c in inside if shape.level[c] == level)
        if previous is None:
            step.choices = [(c, shape.labels(c), None) for c in members]
        else:
            offered = previous.codes
            for code in members:
                parent = next((a for a in shape.ancestors[code] if a in offered), None)
                if parent is not None:
                    step.choices.append((code, shape.labels(code), parent))
            step.choices += [(code, shape.carried_labels(code), code)
                             for code, _, _ in previous.choices if shape.carried(code, level)]
        if step.choices:
            steps.append(step)
            previous = step
    if steps:  # the first select has no answer above it to be filtered by
        steps[0].choices = [(code, labels, None) for code, labels, _ in steps[0].choices]
    return steps


def xpath_literal(text: str) -> str:
    """``text`` as an XPath string literal, whatever quotes it holds."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", \"'\", ".join(f"'{piece}'" for piece in text.split("'")) + ")"


def level_labels(tree: TerritoryTree, level: int, langs: tuple[str, ...]) -> Row:
    """"Région", "Region"…: the level's name in each language, capitalised."""
    out: Row = {}
    for lang in langs:
        text = tree.level_name(level, lang)
        out[column("label", lang)] = plain(text[:1].upper() + text[1:])
    return out


def territory_questions(tree: TerritoryTree, scope: str | None, langs: tuple[str, ...],
                        lists: ChoiceLists) -> list[Row]:
    """The rows of the territory cascade (a fixed value when nothing is left to choose)."""
    steps = cascade(tree, scope, langs)
    if not steps:
        code = scope or implicit_scope(tree) or tree.roots()[0]
        return [{"type": "calculate", "name": TERRITORY_FIELD,
                 "calculation": xpath_literal(code)}]
    rows: list[Row] = []
    previous: str | None = None
    for index, step in enumerate(steps):
        name = TERRITORY_FIELD if index == len(steps) - 1 else f"territoire_n{step.level}"
        list_name = lists.add(f"territoires_n{step.level}", step.choices)
        row: Row = {"type": f"select_one {list_name}", "name": name,
                    **level_labels(tree, step.level, langs), **required(langs),
                    "appearance": "minimal"}
        if previous is not None:
            row["choice_filter"] = f"parent=${{{previous}}}"
        rows.append(row)
        previous = name
    return rows
