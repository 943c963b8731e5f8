"""The link stage: turn quantities (with times and organisations) into metrics and goals.

One job per module, the lower ones pure functions on text and offsets:
  periods     which time a number speaks about, and a period's label
  indicators  the phrase-trimming and change-word helpers (plain strings)
  words       the rule words the parts share, read once
  context     what the linker reads for one document
  subjects    whom a number speaks about
  skips       the numbers that measure nothing (durations, attributives, a project's capacity)
  phrases     what a number measures
  lists       numbers and indicators read as lists (分别, 、)
  triggers    where a sentence states a target, and whether it reports the past
  bases       base notes on a figure (同期为下降9.8%): the same indicator at another time
  figures     one metric record: its period, a base note's figure, from-to spans
  metrics     facts (walks a sentence's numbers);  goals  targets (deadlines, comparators)
  linker      the component that walks the sentences; a plan's scope over its
              paragraph (Frame) is chosen there
Importing the package registers the spaCy factory `press_extract_link`.
"""

from .linker import Linker, make_linker

__all__ = ["Linker", "make_linker"]
