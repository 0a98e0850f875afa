"""Who the report names: by default nobody. Funders see the cohort's figures and pseudonyms
("Mentee A"), as the consent form promises; the programme team's internal version (``named``)
shows names, keys, handles and goal titles and says on its first page that it is internal."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tracker.cohort.cohort_summary import CohortSummary, PersonSummary
from tracker.store.read_cohort import PersonInfo

PREFIX = {
    "de": {"mentee": "Mentee", "comparison": "Vergleichsperson"},
    "en": {"mentee": "Mentee", "comparison": "Comparison"},
}


def letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet-style column letters."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _order(people: Sequence[PersonSummary]) -> list[PersonInfo]:
    # Ordered by a hash of the key, not by the key or name: a pseudonym must not hint at who it
    # is (keys often are names), and it stays the same from one report to the next.
    return sorted(
        (p.person for p in people), key=lambda p: hashlib.sha256(p.key.encode()).hexdigest()
    )


@dataclass(frozen=True)
class Naming:
    """How each person of the report is shown."""

    named: bool
    labels: Mapping[int, str]  # person id -> name (named) or pseudonym
    keys: Mapping[int, str]  # person id -> key (named) or pseudonym

    def label(self, person_id: int | None) -> str:
        return "" if person_id is None else self.labels.get(person_id, "")

    def key(self, person_id: int | None) -> str:
        return "" if person_id is None else self.keys.get(person_id, "")


def naming(summary: CohortSummary, lang: str = "de", named: bool = False) -> Naming:
    """Names and keys (``named``) or pseudonyms for every mentee and comparison person."""
    if named:
        people = [p.person for p in (*summary.mentees, *summary.comparison)]
        return Naming(True, {p.id: p.name for p in people}, {p.id: p.key for p in people})
    prefix = PREFIX.get(lang, PREFIX["de"])
    labels: dict[int, str] = {}
    for group, role in ((summary.mentees, "mentee"), (summary.comparison, "comparison")):
        for i, person in enumerate(_order(group)):
            labels[person.id] = f"{prefix[role]} {letters(i)}"
    return Naming(False, labels, labels)
