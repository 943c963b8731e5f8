"""What the linker reads for one document: its text, records and word boundaries."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import functools

from ..extract import SpanIndex
from ..types import Organization, Quantity, Time
from .indicators import WordIndex, longest_at_end


@dataclasses.dataclass(frozen=True)
class LinkContext:  # frozen but not slotted, so `names` can be a cached property
    """What the linker reads for one document."""

    text: str
    doc_id: str
    article_date: dt.date | None
    boundaries: frozenset[int]
    times: SpanIndex[Time]
    orgs: SpanIndex[Organization]
    places: SpanIndex[tuple[int, int]]
    area_words: SpanIndex[tuple[int, int]]
    quantities: SpanIndex[Quantity]
    place_suffix: tuple[str, ...]

    @functools.cached_property
    def quantity_at(self) -> dict[int, Quantity]:
        """Quantities by start (the last of those that share one)."""
        return {q.start: q for q in self.quantities}

    @functools.cached_property
    def names(self) -> WordIndex:
        """Subject names of the article: organisations, places, and places without their
        suffix (东莞市 -> 东莞), to cut from the front of an indicator phrase."""
        out = {o.name for o in self.orgs} | {self.text[a:b] for a, b in self.places}
        for a, b in self.places:
            word = self.text[a:b]
            suffix = longest_at_end(word, self.place_suffix)
            if len(word) - len(suffix) >= 2:
                out.add(word[: len(word) - len(suffix)])
        return WordIndex.of(out)

    @functools.cached_property
    def main_subject(self) -> str | None:
        """The article's subject: its most named government body or park, else the place
        word it names most (at least twice), else None."""
        bodies = collections.Counter(o.canonical or o.name for o in self.orgs if o.org_type in ("government", "park"))
        if bodies:
            return bodies.most_common(1)[0][0]
        places = collections.Counter(self.text[a:b] for a, b in self.places).most_common(1)
        return places[0][0] if places and places[0][1] >= 2 else None

    @functools.cached_property
    def main_mentions(self) -> tuple[Organization, ...]:
        """The organisation records naming the article's subject (none when it is a place)."""
        return tuple(o for o in self.orgs if (o.canonical or o.name) == self.main_subject)

    @functools.cached_property
    def main_names(self) -> frozenset[str]:
        """The article's subject and the names of its mentions, once per article: built per
        area word, they cost the article's length each time."""
        return frozenset({self.main_subject} | {o.name for o in self.main_mentions})

    @functools.cached_property
    def main_is_park(self) -> bool:
        """Whether a mention of the article's subject is a park."""
        return any(o.org_type == "park" for o in self.main_mentions)


def quantity_id(ctx: LinkContext, q: Quantity) -> str:
    return f"{ctx.doc_id}:quantity:{q.start}-{q.end}"

