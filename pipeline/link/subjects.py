"""Whom a number speaks about: the place or body before it, else the article's subject."""

from __future__ import annotations

import bisect

from spacy.tokens import Doc

from ..extract import token_boundaries
from ..segment import text_of
from .context import LinkContext
from .words import LinkWords


class SubjectFinder(LinkWords):
    """The subject of a metric or goal."""

    def _places(self, doc: Doc) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Words naming a place (临平区, 杭州市), candidates for a metric's subject; and words
        naming a kind of area alone (开发区, 全区), the article's own area when its subject is
        of that kind (see `_subject`)."""
        text, cuts = text_of(doc), sorted(token_boundaries(doc))
        places, areas = [], []
        # The words that end in a place or area word's last character, found by a search of
        # the text and a bisect into the cuts: slicing and looking up every word of the
        # article was a tenth of the stage.
        for m in self.place_ends.finditer(text):
            b = m.end()
            i = bisect.bisect_left(cuts, b)
            if i == 0 or i == len(cuts) or cuts[i] != b:
                continue
            a = cuts[i - 1]
            word = text[a:b]
            if word in self.generic_places:
                areas.append((a, b))
            elif b - a >= 3 and word.endswith(self.place_suffix) and not self._generic(word):
                places.append((a, b))
        return places, areas

    def _generic(self, word: str) -> bool:
        """A kind of area, not a place: a generic word (示范区) or one ending in a long one
        (现代农业示范区); a two-character one only as the whole word (萧山区 is no 山区)."""
        return word in self.generic_places or word.endswith(self.generic_endings)

    def _subject(self, ctx: "LinkContext", s: int, pos: int) -> str | None:
        """The organisation or place nearest before `pos` in its sentence, else the article's
        subject. A bare area word nearer than both (当前，开发区以6家…) names the article's
        subject when that is an area of its kind (a park for 开发区, a …区 for 全区)."""
        best: tuple[int, str] | None = None
        for o in ctx.orgs.starting_in(s, pos):
            if o.end <= pos:
                best = (o.end, o.canonical or o.name)
        for a, b in ctx.places.starting_in(s, pos):
            if b <= pos and (best is None or b > best[0]):
                best = (b, ctx.text[a:b])
        for a, b in ctx.area_words.starting_in(s, pos):
            if b <= pos and (best is None or b > best[0]) and self._names_main(ctx.text[a:b], ctx):
                best = (b, ctx.main_subject or "")
        return best[1] if best else ctx.main_subject

    def _names_main(self, word: str, ctx: "LinkContext") -> bool:
        """Whether area word `word` can name the article's subject: a park word (开发区) a
        park, 全区 or 区 a …区 (by its name or a mention's)."""
        if ctx.main_subject is None:
            return False
        if word in self.park_words and ctx.main_is_park:
            return True
        return any(n.endswith(word.removeprefix("全")) for n in ctx.main_names)
