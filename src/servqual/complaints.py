"""Complaint handling: the TARP complaint/exit funnel.

:func:`complaint_funnel` -- the TARP complaint/exit funnel (TARP 1979/1986 as
reported by Goodman): who complains, who is satisfied by the response, who
buys again, who tells how many people.  (Also importable from
:mod:`servqual.wom`.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from types import MappingProxyType

import numpy as np
import pandas as pd

from ._checks import Interval, Options, check_params
from ._result import Result, params_is_settings, records_provenance, resultclass
from ._summary import Summary
from .errors import ParameterError

__all__ = [
    "TARP_REPURCHASE",
    "COMPLAINT_RATES",
    "BRANCHES",
    "complaint_funnel",
    "ComplaintFunnel",
]

BRANCHES = ("silent", "unresolved", "resolved", "resolved_quickly")

#: Repurchase intention by complaint branch, TARP (1979/1986) as reported by
#: Goodman: loss under $5 ("small") and over $100 ("large").
TARP_REPURCHASE = MappingProxyType(
    {
        "small": MappingProxyType(
            {"silent": 0.37, "unresolved": 0.46, "resolved": 0.70, "resolved_quickly": 0.95}
        ),
        "large": MappingProxyType(
            {"silent": 0.09, "unresolved": 0.19, "resolved": 0.54, "resolved_quickly": 0.82}
        ),
    }
)

#: Share of problem-experiencers who complain: to headquarters (small-ticket
#: packaged goods, about 1 in 27 -- the "4%") or to the front line (about 50%).
COMPLAINT_RATES = MappingProxyType({"headquarters": 1 / 27, "front_line": 0.5})

_SHARE = Interval(0, 1)
_NONNEG = Interval(0, None)


@resultclass
class ComplaintFunnel(Result):
    """Result of :func:`complaint_funnel`.

    Attributes
    ----------
    table : DataFrame
        One row per branch: ``branch, share, customers, repurchase_rate,
        retained, lost, wom_negative_reach, wom_positive_reach``.
    complaints_received : float
    iceberg : float
        Problems per complaint received (``1 / complaint_rate``).
    lost_customers, revenue_at_risk : float
    silent_share : float
        Share of problem-experiencers who do not complain.
    silent_exit_share : float
        Share of problem-experiencers who leave without complaining.
    negative_reach, positive_reach : float
        People told (negative / positive word of mouth).
    settings : mapping
        The call's inputs (``.params`` is its deprecated name).
    """

    table: pd.DataFrame
    complaints_received: float
    iceberg: float
    lost_customers: float
    revenue_at_risk: float
    silent_share: float
    silent_exit_share: float
    negative_reach: float
    positive_reach: float
    settings: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    params = params_is_settings()

    def summary(self) -> Summary:
        """Parameters, the branch table and the totals."""
        return Summary(
            "TARP complaint funnel",
            [
                ("Settings", dict(self.settings)),
                ("Branches", self.table),
                (
                    "Totals",
                    {
                        "complaints received": self.complaints_received,
                        "iceberg (problems per complaint)": self.iceberg,
                        "lost customers": self.lost_customers,
                        "revenue at risk": self.revenue_at_risk,
                        "silent share": self.silent_share,
                        "leave silently (share of problems)": self.silent_exit_share,
                        "negative WOM reach": self.negative_reach,
                        "positive WOM reach": self.positive_reach,
                    },
                ),
            ],
        )


@records_provenance
def complaint_funnel(
    n_problems: int = 1000,
    *,
    channel: str = "headquarters",
    complaint_rate: float | None = None,
    satisfied_rate: float = 0.5,
    quick_rate: float = 0.5,
    ticket: str = "small",
    repurchase=None,
    value_per_customer: float = 1.0,
    wom_negative: float = 9.5,
    wom_positive: float = 4.5,
) -> ComplaintFunnel:
    """The TARP complaint/exit funnel for ``n_problems`` customers with a problem.

    Branches: did not complain (``1 - c``); complained, not satisfied
    (``c (1 - s)``); complained, satisfied (``c s (1 - q)``); complained,
    satisfied quickly (``c s q``).  Each branch buys again at its TARP rate.

    Parameters
    ----------
    n_problems : int
        Customers who experienced a problem.
    channel : {"headquarters", "front_line"}
        Where complaints are counted; sets the default complaint rate
        (:data:`COMPLAINT_RATES`: 1/27 to headquarters, 1/2 to the front line).
    complaint_rate : float, optional
        Overrides the channel's rate ``c``.
    satisfied_rate : float
        ``s``: share of complainants satisfied by the response (illustrative
        default 0.5).
    quick_rate : float
        ``q``: share of satisfied complainants resolved quickly (illustrative
        default 0.5).
    ticket : {"small", "large"}
        Loss under $5 or over $100 (selects the TARP repurchase column).
    repurchase : mapping, optional
        Branch -> repurchase rate, overriding the TARP column.
    value_per_customer : float
        Revenue lost per lost customer.
    wom_negative, wom_positive : float
        People told by each dissatisfied customer (silent + unresolved; TARP:
        9-10) and by each satisfied complainant (4-5).

    Examples
    --------
    >>> f = complaint_funnel(1000, channel="headquarters")
    >>> round(f.iceberg, 1), round(f.lost_customers, 1)
    (27.0, 619.9)
    """
    check_params(
        {
            "n_problems": n_problems,
            "channel": channel,
            "ticket": ticket,
            "satisfied_rate": satisfied_rate,
            "quick_rate": quick_rate,
            "value_per_customer": value_per_customer,
            "wom_negative": wom_negative,
            "wom_positive": wom_positive,
        },
        {
            "n_problems": Interval(1, None, integer=True),
            "channel": Options(tuple(COMPLAINT_RATES)),
            "ticket": Options(tuple(TARP_REPURCHASE)),
            "satisfied_rate": _SHARE,
            "quick_rate": _SHARE,
            "value_per_customer": _NONNEG,
            "wom_negative": _NONNEG,
            "wom_positive": _NONNEG,
        },
    )
    c = COMPLAINT_RATES[channel] if complaint_rate is None else complaint_rate
    check_params({"complaint_rate": c}, {"complaint_rate": Interval(0, 1, closed="right")})
    rep = dict(TARP_REPURCHASE[ticket])
    if repurchase is not None:
        if not isinstance(repurchase, Mapping):
            raise ParameterError(
                f"repurchase={repurchase!r} is invalid: expected a mapping branch -> rate, "
                f"branches {', '.join(map(repr, BRANCHES))}."
            )
        for k, v in dict(repurchase).items():
            check_params({"repurchase": k}, {"repurchase": Options(BRANCHES)})
            check_params({f"repurchase[{k!r}]": v}, {f"repurchase[{k!r}]": _SHARE})
            rep[k] = float(v)
    s, q = satisfied_rate, quick_rate
    shares = np.array([1 - c, c * (1 - s), c * s * (1 - q), c * s * q])
    rates = np.array([rep[b] for b in BRANCHES])
    customers = n_problems * shares
    retained = customers * rates
    lost = customers - retained
    dissatisfied = np.array([1.0, 1.0, 0.0, 0.0])
    neg = customers * dissatisfied * wom_negative
    pos = customers * (1 - dissatisfied) * wom_positive
    table = pd.DataFrame(
        {
            "branch": list(BRANCHES),
            "share": shares,
            "customers": customers,
            "repurchase_rate": rates,
            "retained": retained,
            "lost": lost,
            "wom_negative_reach": neg,
            "wom_positive_reach": pos,
        }
    )
    params = {
        "n_problems": n_problems,
        "channel": channel,
        "complaint_rate": c,
        "satisfied_rate": s,
        "quick_rate": q,
        "ticket": ticket,
        "value_per_customer": value_per_customer,
        "wom_negative": wom_negative,
        "wom_positive": wom_positive,
    }
    return ComplaintFunnel(
        table=table,
        complaints_received=float(n_problems * c),
        iceberg=float(1 / c),
        lost_customers=float(lost.sum()),
        revenue_at_risk=float(lost.sum() * value_per_customer),
        silent_share=float(1 - c),
        silent_exit_share=float(lost[0] / n_problems),
        negative_reach=float(neg.sum()),
        positive_reach=float(pos.sum()),
        settings=MappingProxyType(params),
    )
