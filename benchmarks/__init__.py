"""Benchmarks for quotaopt: synthetic provinces, a naive reference formulation, a driver.

Run ``python -m benchmarks --help``. Benchmarks are not tests: nothing here asserts on
wall-clock time; ``tests/test_benchmarks.py`` only checks that the pieces work.
"""
