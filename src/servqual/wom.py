"""Complaints and word of mouth (kept for compatibility: three concepts, three modules).

The names of this module live in the module of their concept and are
re-exported here, so ``servqual.wom.<name>`` keeps working:

* :mod:`servqual.complaints` -- the TARP complaint/exit funnel
  (:func:`~servqual.complaints.complaint_funnel`);
* :mod:`servqual.diffusion` -- the Bass (1969) diffusion model
  (:func:`~servqual.diffusion.bass_cdf`, :func:`~servqual.diffusion.fit_bass`,
  :func:`~servqual.diffusion.bass_negative_wom`, ...);
* :mod:`servqual.customer_base` -- customer-base models
  (:func:`~servqual.customer_base.customer_base`,
  :func:`~servqual.customer_base.steady_state`,
  :func:`~servqual.customer_base.simulate_customer_base`).
"""

from __future__ import annotations

from .complaints import (
    BRANCHES,
    COMPLAINT_RATES,
    TARP_REPURCHASE,
    ComplaintFunnel,
    complaint_funnel,
)
from .customer_base import (
    CustomerBaseSimulation,
    customer_base,
    simulate_customer_base,
    steady_state,
    steady_state_referral_share,
)
from .diffusion import (
    BassFit,
    bass_cdf,
    bass_discrete,
    bass_negative_wom,
    bass_pdf,
    bass_peak_time,
    fit_bass,
)

__all__ = [
    "TARP_REPURCHASE",
    "COMPLAINT_RATES",
    "BRANCHES",
    "complaint_funnel",
    "ComplaintFunnel",
    "bass_cdf",
    "bass_pdf",
    "bass_peak_time",
    "bass_discrete",
    "fit_bass",
    "BassFit",
    "bass_negative_wom",
    "customer_base",
    "steady_state",
    "steady_state_referral_share",
    "simulate_customer_base",
    "CustomerBaseSimulation",
]
