"""The standard analysis of a survey as a report a CX team hands to management.

:func:`survey_report` runs, on a user's own survey, the package's public
analyses and assembles a :class:`SurveyReport`: an executive summary first
(headline metrics with intervals and n, the gap profile, the top drivers,
the priority actions that importance–performance and penalty–reward analysis
agree on, and what a one-point improvement is worth), then one section per
analysis in plain words with a method note and citations, then a collapsed
technical appendix.  ``servqual report SURVEY --out DIR`` writes
``DIR/report.html`` (self-contained, prints to A4), ``DIR/report.xlsx`` (every
table) and ``DIR/summary.pptx`` (the executive summary; needs the ``report``
extra), refusing a non-empty ``DIR`` unless ``--force``.

Modules: :mod:`.compute` (the analysis), :mod:`.sections` (one module per
group of sections), :mod:`.fmt` (numbers and tables for reading),
:mod:`.model` (the result and its HTML), :mod:`.workbook`, :mod:`.slides`,
:mod:`.css`, :mod:`.cli`.
"""

from .cli import add_cli  # noqa: F401  (servqual.cli registers `servqual report`)
from .compute import SECTIONS, survey_report
from .model import Section, SurveyReport
from .plan import POLICIES  # noqa: F401  (the CLI policies, kept importable)

__all__ = ["Section", "SurveyReport", "survey_report", "SECTIONS"]
