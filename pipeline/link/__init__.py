"""The link stage: turn quantities (with times and organisations) into metrics and goals.

One job per module: `periods` chooses the time a number speaks about, `indicators` finds
the phrase a number measures, `linker` walks the sentences and builds `Metric` and `Goal`
records. Importing the package registers the spaCy factory `press_extract_link`.
"""

from .linker import Linker, make_linker

__all__ = ["Linker", "make_linker"]
