"""Rules: extracted fields + submission -> comparisons, checks, flag and reasons (pure)."""

from rules.evaluate import Evaluation, evaluate
from rules.names import NameMatch, compare_names, compare_places, normalise_name
from rules.ruleset import Ruleset, load_ruleset, parse_ruleset

__all__ = [
    "Evaluation",
    "NameMatch",
    "Ruleset",
    "compare_names",
    "compare_places",
    "evaluate",
    "load_ruleset",
    "normalise_name",
    "parse_ruleset",
]
