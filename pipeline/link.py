"""The link stage: turn quantities and times into metrics and goals (filled in by its issue)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.factory("press_extract_link", default_config={"rules_dir": ""})
def make_linker(nlp: Language, name: str, *, rules_dir: str) -> "Linker":
    return Linker()


class Linker:
    def __call__(self, doc: Doc) -> Doc:
        return doc
