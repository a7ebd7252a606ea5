"""The languages the workbench handles: one list for the audio pipeline, the guidelines,
the drafts and the pages.

A language exists when it has guidelines (``guidelines/<code>.toml``), a name the
pages show, and a place here; the guideline and shell tests keep the three in step.
"""

LANGUAGES: tuple[str, ...] = ("ko", "en", "zh", "ja")

# How the pages name each language.
LANGUAGE_NAMES: dict[str, str] = {"ko": "Korean", "en": "English", "zh": "Chinese", "ja": "Japanese"}

# Written without spaces between words (and after a full stop).
UNSPACED: tuple[str, ...] = ("zh", "ja")


def text_joiner(language: str) -> str:
    """What goes between two texts of ``language`` joined into one (two drafts, the halves of
    a merge, sentences): nothing in Chinese and Japanese, a space otherwise."""
    return "" if language in UNSPACED else " "
