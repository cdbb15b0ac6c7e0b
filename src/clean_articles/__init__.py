"""clean-articles: turn raw scraped article text into the article alone.

The library is click-free. Typical use::

    >>> from clean_articles import clean_text
    >>> result = clean_text("Skip to main content\\nA headline\\n")
    >>> result.text
    'A headline\\n'
    >>> [(r.first, r.last, r.rule) for r in result.removals]
    [(1, 1, 'navigation.skip-links')]

For many pages, a `Cleaner` compiles its rules once: ``Cleaner(load_rules(["my.toml"])).clean(text)``.
"""

from clean_articles.cleaner import Cleaner, clean_text
from clean_articles.document import Document, Mark
from clean_articles.encoding import BinaryInputError, decode, encode
from clean_articles.packs import RuleError, RuleSet, load_rules
from clean_articles.render import Removal, Result

__version__ = "0.1.0"

__all__ = [
    "BinaryInputError",
    "Cleaner",
    "Document",
    "Mark",
    "Removal",
    "Result",
    "RuleError",
    "RuleSet",
    "__version__",
    "clean_text",
    "decode",
    "encode",
    "load_rules",
]
