"""jieba's part-of-speech tagger with its HMM (the tags of words it does not know) compiled.

`LinkWords.pos_flags` tags the short phrases the linker asks about; on new text most of
that time was jieba's pure-Python `viterbi` over the runs its dictionary does not cover.
`pipeline.link._viterbi` (built at install when a C compiler is there) runs the same
search over numbered states; jieba's `viterbi` stays the fallback and the reference that
tests/test_link.py compares it with.
"""

from __future__ import annotations

import functools
import importlib
from array import array
from typing import Iterator

import jieba.posseg
from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P
from jieba.posseg.viterbi import MIN_FLOAT, MIN_INF

try:  # by name, as pipeline.segment imports pipeline._route (import-linter cannot parse a C module)
    _viterbi = importlib.import_module("pipeline.link._viterbi")
except ImportError:
    _viterbi = None

State = tuple[str, str]  # (B/M/E/S, tag)


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[tuple[State, ...], bytes, bytes, bytes, dict[str, bytes], list[dict[str, float]]]:
    """jieba's model over numbered states, made once: the states in Python's order of their
    tuples (so the larger number wins a tie, as jieba's max over (score, state) does), start
    and transition scores as doubles (a missing transition -inf), which transitions exist,
    each character's states, and the emission tables."""
    states = tuple(sorted(trans_P))
    number = {s: i for i, s in enumerate(states)}
    start = array("d", [start_P[s] for s in states]).tobytes()
    trans = array("d", [trans_P[x].get(y, MIN_INF) for x in states for y in states]).tobytes()
    present = bytes(y in trans_P[x] for x in states for y in states)
    chars = {c: array("H", [number[s] for s in ss]).tobytes() for c, ss in char_state_tab_P.items()}
    return states, start, trans, present, chars, [emit_P[s] for s in states]


def viterbi(obs: str) -> tuple[float, list[State]]:
    """`jieba.posseg.viterbi.viterbi(obs, char_state_tab_P, start_P, trans_P, emit_P)`, compiled.

    >>> viterbi("王小明") == jieba.posseg.viterbi("王小明", char_state_tab_P, start_P, trans_P, emit_P)
    True
    """
    states, start, trans, present, chars, emit = _tables()
    prob, route = _viterbi.viterbi(obs, start, trans, present, chars, emit, MIN_FLOAT)
    return prob, [states[i] for i in route]


class CompiledTagger(jieba.posseg.POSTokenizer):
    """jieba's tagger over `tagger`'s tokenizer and word tags, its HMM through `viterbi`."""

    def __init__(self, tagger: jieba.posseg.POSTokenizer) -> None:
        self.tokenizer = tagger.tokenizer
        self.word_tag_tab = tagger.word_tag_tab

    # jieba's `__cut_detail` calls this private method (`__cut`) for each run of Han characters
    # it does not know; the words from the route are jieba's `__cut`'s.
    def _POSTokenizer__cut(self, sentence: str) -> Iterator[jieba.posseg.pair]:
        _, pos_list = viterbi(sentence)
        begin, nexti = 0, 0
        for i, char in enumerate(sentence):
            pos = pos_list[i][0]
            if pos == "B":
                begin = i
            elif pos == "E":
                yield jieba.posseg.pair(sentence[begin:i + 1], pos_list[i][1])
                nexti = i + 1
            elif pos == "S":
                yield jieba.posseg.pair(char, pos_list[i][1])
                nexti = i + 1
        if nexti < len(sentence):
            yield jieba.posseg.pair(sentence[nexti:], pos_list[nexti][1])


def tagger_of(tagger: jieba.posseg.POSTokenizer, *, compiled: bool = True) -> jieba.posseg.POSTokenizer:
    """`tagger` with its HMM compiled when `compiled` and `pipeline.link._viterbi` is built."""
    return CompiledTagger(tagger) if compiled and _viterbi is not None else tagger
