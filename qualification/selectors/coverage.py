"""Plain-English summaries of "which types of support, where", respecting the area hierarchy."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from reference.models import Area, ServiceCategory


def minimal_areas(areas: Iterable[Area]) -> list[Area]:
    """Drop any area already covered by another chosen area (a region covers its PCC areas)."""
    chosen = sorted(set(areas), key=lambda a: len(a.path))
    kept: list[Area] = []
    for area in chosen:
        if not any(area.path.startswith(k.path) for k in kept):
            kept.append(area)
    return sorted(kept, key=lambda a: a.path)


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _place_phrase(areas: list[Area]) -> str:
    """'across Kent, Surrey and Sussex and in Cardiff'; 'across all of England and Wales'."""
    wide = [a for a in areas if a.level in ("country", "region")]
    local = [a for a in areas if a.level not in ("country", "region")]
    parts = []
    if any(a.level == "country" for a in wide):
        return "across all of England and Wales"
    if wide:
        parts.append("across " + _join(sorted(a.name for a in wide)))
    if local:
        parts.append("in " + _join(sorted(a.name for a in local)))
    return " and ".join(parts)


def coverage_sentences(pairs: Iterable[tuple[ServiceCategory, Area]], *, verb: str = "You can deliver") -> list[str]:
    """One sentence per set of categories sharing the same areas, e.g.
    'You can deliver Accommodation across Kent, Surrey and Sussex and in Cardiff.'"""
    by_category: dict[ServiceCategory, list[Area]] = defaultdict(list)
    for category, area in pairs:
        by_category[category].append(area)
    grouped: dict[tuple[str, ...], list[ServiceCategory]] = defaultdict(list)
    places: dict[tuple[str, ...], list[Area]] = {}
    for category, areas in by_category.items():
        kept = minimal_areas(areas)
        key = tuple(a.code for a in kept)
        grouped[key].append(category)
        places[key] = kept
    sentences = []
    for key, categories in sorted(grouped.items(), key=lambda kv: min(c.display_order for c in kv[1])):
        names = _join([c.name for c in sorted(categories, key=lambda c: c.display_order)])
        sentences.append(f"{verb} {names} {_place_phrase(places[key])}.")
    return sentences
