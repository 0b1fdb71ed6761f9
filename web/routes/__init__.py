"""One module per group of endpoints; each exposes `router`."""
