"""Synthetic documents for tests and benchmarks: ground truth, submissions, rendered pages.

Nothing here describes a real person. Importing the package imports nothing else, so a
renderer can be loaded without the region tables; use the modules directly:
`samples.truth` (make_family, make_birth), `samples.submissions` (truthful, contradict),
`samples.fonts` (available_fonts, font_path), `samples.generate` (generate, generate_one).
"""

__all__ = ["fonts", "generate", "submissions", "truth"]
