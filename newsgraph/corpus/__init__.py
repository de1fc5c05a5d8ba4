"""Across articles: cross-article entity linking, claim grouping and origin counting.

Layer: may import ``model``, ``errors`` and ``store`` only (tests/test_layering.py).
"""
