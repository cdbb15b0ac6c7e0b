"""Rule packs: the model (model.py), what can be wrong with a file (problems.py), and reading
and validating files into a RuleSet (loader.py)."""

from clean_articles.packs.loader import FAVORS, builtin_rules_dir, load_rules, pack_files
from clean_articles.packs.model import Example, Pack, Rule, RuleSet
from clean_articles.packs.problems import Problem, RuleError, suggest

__all__ = [
    "FAVORS",
    "Example",
    "Pack",
    "Problem",
    "Rule",
    "RuleError",
    "RuleSet",
    "builtin_rules_dir",
    "load_rules",
    "pack_files",
    "suggest",
]
