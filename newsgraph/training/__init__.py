"""Training of the learned components (each module: ``train(data, *, out, limit)`` and ``render``)."""
