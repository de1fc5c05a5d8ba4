"""Batch engines for ``newsgraph add`` beyond one machine (Ray); each optional, behind an extra."""
