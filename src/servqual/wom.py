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

from . import complaints as _complaints
from . import customer_base as _customer_base
from . import diffusion as _diffusion
from .complaints import *  # noqa: F403 - re-exported for compatibility
from .customer_base import *  # noqa: F403
from .diffusion import *  # noqa: F403

__all__ = [*_complaints.__all__, *_diffusion.__all__, *_customer_base.__all__]
