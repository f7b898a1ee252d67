"""Benchmark of Meterline against a hand-written DuckDB floor on generated landing files."""
