"""Community voice: surveys and focus groups, weighted, broken down and safe to publish.

Platform exports (Qualtrics, Google Forms, SurveyMonkey, KoboToolbox/ODK) -> a long response
table and a respondent table; raking to enrollment margins; percent favorable with Wilson and
Korn-Graubard intervals by student group, school and language; coded excerpts (CSV, REFI-QDA),
inter-coder agreement and offline theme suggestions; a bilingual HTML report. See docs/voice.md.
"""

from __future__ import annotations

#: Public name -> the module defining it. Imported on first use, so ``import equitable.voice``
#: (and ``equitable --help``) does not load pandas, scipy or pandera.
from equitable._lazy import lazy_exports

_WHERE = {
    "Instrument": "equitable.voice._instrument",
    "PLATFORMS": "equitable.voice._readers",
    "NotConvergedError": "equitable.voice._weight",
    "RakeResult": "equitable.voice._weight",
    "SurveyData": "equitable.voice._readers",
    "detect_platform": "equitable.voice._readers",
    "estimate": "equitable.voice._estimate",
    "kish_deff": "equitable.voice._weight",
    "korn_graubard_interval": "equitable.voice._estimate",
    "load_instrument": "equitable.voice._instrument",
    "margins_from_frpm": "equitable.voice._weight",
    "margins_from_lausd_schools": "equitable.voice._weight",
    "published_tables": "equitable.voice._estimate",
    "rake": "equitable.voice._weight",
    "read_export": "equitable.voice._readers",
    "read_margins": "equitable.voice._weight",
    "representation": "equitable.voice._estimate",
    "response_rates": "equitable.voice._estimate",
    "scrub_text": "equitable.voice._scrub",
    "synth_survey": "equitable.voice._synth",
    "wilson_interval": "equitable.voice._estimate",
    "write_export": "equitable.voice._synth",
}

__all__ = [
    "PLATFORMS",
    "Instrument",
    "NotConvergedError",
    "RakeResult",
    "SurveyData",
    "detect_platform",
    "estimate",
    "kish_deff",
    "korn_graubard_interval",
    "load_instrument",
    "margins_from_frpm",
    "margins_from_lausd_schools",
    "published_tables",
    "rake",
    "read_export",
    "read_margins",
    "representation",
    "response_rates",
    "scrub_text",
    "synth_survey",
    "wilson_interval",
    "write_export",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
