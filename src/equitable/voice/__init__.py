"""Community voice: surveys and focus groups, weighted, broken down and safe to publish.

Platform exports (Qualtrics, Google Forms, SurveyMonkey, KoboToolbox/ODK) -> a long response
table and a respondent table; raking to enrollment margins; percent favorable with Wilson and
Korn-Graubard intervals by student group, school and language; coded excerpts (CSV, REFI-QDA),
inter-coder agreement and offline theme suggestions; a bilingual HTML report. See docs/voice.md.
"""

from equitable.voice._estimate import (
    estimate,
    korn_graubard_interval,
    representation,
    response_rates,
    wilson_interval,
)
from equitable.voice._instrument import Instrument, load_instrument
from equitable.voice._readers import PLATFORMS, SurveyData, detect_platform, read_export
from equitable.voice._scrub import scrub_text
from equitable.voice._synth import synth_survey, write_export
from equitable.voice._weight import (
    RakeResult,
    kish_deff,
    margins_from_frpm,
    margins_from_lausd_schools,
    rake,
    read_margins,
)

__all__ = [
    "PLATFORMS",
    "Instrument",
    "RakeResult",
    "SurveyData",
    "detect_platform",
    "estimate",
    "kish_deff",
    "korn_graubard_interval",
    "load_instrument",
    "margins_from_frpm",
    "margins_from_lausd_schools",
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
