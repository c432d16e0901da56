"""The five-gap model of service quality measured across service units.

Zeithaml, Berry & Parasuraman (1988, "Communication and control processes in
the delivery of service quality", *Journal of Marketing* 52(2), 35-48) and
Zeithaml, Parasuraman & Berry (1990, *Delivering Quality Service*, Free Press)
measured the gap model in 89 field units of five companies: gaps 1-4 from
surveys of each unit's managers and contact staff, gap 5 from its customers,
and organisational antecedents of each gap.

Data (three frames linked by ``unit_id``; items 1-22 are the SERVQUAL items):

* customers: ``P1..P22`` perceptions, ``E1..E22`` expectations (1-7),
  ``SAT1..SAT3`` satisfaction, ``LOY1, LOY2`` loyalty;
* managers (several per unit): ``ME1..ME22`` what managers believe customers
  expect, ``SS1..SS22`` the service standard specified for the item,
  ``CP1..CP22`` the level promised in external communications, and the
  antecedent scales (3 items each) of gap 1 ``MRO`` marketing research
  orientation, ``UPC`` upward communication, and of gap 2 ``COM`` management
  commitment, ``GOAL`` goal setting, ``TSTD`` task standardisation, ``FEAS``
  perception of feasibility;
* contact staff (several per unit): ``DP1..DP22`` performance delivered and the
  antecedents of gap 3 ``TW`` teamwork, ``EJF`` employee-job fit, ``TJF``
  technology-job fit, ``PC`` perceived control, ``SC`` supervisory control
  systems, ``RC`` role conflict, ``RA`` role ambiguity, and of gap 4 ``HC``
  horizontal communication, ``OP`` propensity to overpromise.

Gap definitions (signed, in scale points; per unit ``u`` and item ``i``, means
over the unit's respondents in the named survey)::

    gap1 = mean ME_i - mean E_i      (managers' view of expectations vs customers')
    gap2 = mean SS_i - mean ME_i     (service standards vs managers' perceptions)
    gap3 = mean DP_i - mean SS_i     (delivery vs standards)
    gap4 = mean DP_i - mean CP_i     (delivery vs promises; over-promising < 0)
    gap5 = mean over customers of (P_i - E_i)

Item gaps are averaged over the items of each RATER dimension and over all 22
items ("overall").  Negative values are shortfalls.  Whether aggregation to
the unit is justified is shown by ICC(1), ICC(2) (Bliese 2000) and rwg(J)
(James, Demaree & Wolf 1984) in :func:`unit_scores`.

Analyses: :func:`simulate_units` (linked frames with a known :class:`UnitTruth`),
:func:`check_linked` (units missing from a frame or with too few respondents
raise, naming them), :func:`unit_scores`, :func:`explain_gap5` (gaps 1-4 -> gap
5 and antecedents -> gaps 1-4: robust OLS with Shapley R^2 importance),
:func:`multilevel` (customer-level MixedLM with unit random intercepts) and
:func:`servqual_vs_servperf` (Cronin & Taylor 1992).

Examples
--------
>>> from servqual import gaps
>>> cust, man, staff, truth = gaps.simulate_units(30, 25, 8, seed=7, managers_per_unit=8)
>>> scores = gaps.unit_scores(cust, man, staff)
>>> gaps.explain_gap5(scores, antecedents=False).coef().round(1).index.tolist()
['Intercept', 'gap1', 'gap2', 'gap3', 'gap4']
"""

from ._columns import ANTECEDENTS, RATER, SCALE_LABELS
from ._explain import GapExplanation, explain_gap5
from ._linked import TooFewRespondentsError, UnlinkedUnitsError, check_linked
from ._multilevel import MultilevelResult, multilevel
from ._scores import UnitScores, icc_oneway, rwg_j, unit_scores
from ._servperf import PerformanceComparison, servqual_vs_servperf
from ._simulate import UnitTruth, simulate_units

__all__ = [
    "ANTECEDENTS",
    "GapExplanation",
    "MultilevelResult",
    "PerformanceComparison",
    "RATER",
    "SCALE_LABELS",
    "TooFewRespondentsError",
    "UnitScores",
    "UnitTruth",
    "UnlinkedUnitsError",
    "check_linked",
    "explain_gap5",
    "icc_oneway",
    "multilevel",
    "rwg_j",
    "servqual_vs_servperf",
    "simulate_units",
    "unit_scores",
]
