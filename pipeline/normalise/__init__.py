"""Pure functions that resolve a found surface into a value: numbers, units, dates.

Extractors find spans and call these to resolve them; nothing here knows about spaCy,
so every function can be tested (and doctested) on its own.
"""
