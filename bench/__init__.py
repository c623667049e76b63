"""Benchmarks: ``python -m bench.NAME`` from the repository root prints one JSON line of figures."""
