"""Whom a number speaks about: the place or body before it, else the article's subject."""

from __future__ import annotations

from spacy.tokens import Doc

from ..extract import token_boundaries
from ..segment import text_of
from .context import LinkContext
from .words import LinkWords


class SubjectFinder(LinkWords):
    """The subject of a metric or goal."""

    def _places(self, doc: Doc) -> list[tuple[int, int]]:
        """Words naming a place (临平区, 杭州市): candidates for a metric's subject."""
        text, cuts = text_of(doc), sorted(token_boundaries(doc))
        return [
            (a, b)
            for a, b in zip(cuts, cuts[1:])
            if b - a >= 3 and text[a:b].endswith(self.place_suffix) and not self._generic(text[a:b])
        ]

    def _generic(self, word: str) -> bool:
        """A kind of area, not a place: a generic word (示范区) or one ending in a long one
        (现代农业示范区); a two-character one only as the whole word (萧山区 is no 山区)."""
        return word in self.generic_places or any(len(g) >= 3 and word.endswith(g) for g in self.generic_places)

    def _subject(self, ctx: "LinkContext", s: int, pos: int) -> str | None:
        """The organisation or place nearest before `pos` in its sentence, else the article's subject."""
        best: tuple[int, str] | None = None
        for o in ctx.orgs.starting_in(s, pos):
            if o.end <= pos:
                best = (o.end, o.canonical or o.name)
        for a, b in ctx.places.starting_in(s, pos):
            if b <= pos and (best is None or b > best[0]):
                best = (b, ctx.text[a:b])
        return best[1] if best else ctx.main_subject
