"""Simple-slope analysis of a PLS interaction term (Aiken & West 1991; seminr's slope analysis).

With standardised construct scores the structural equation of the target is

    y = b_x x + b_m m + g (x m) + ...

so the effect of ``x`` at the moderator value ``m`` (in standard deviations)
is the simple slope ``b_x + g m``.  ``g`` is the interaction path: for the
two-stage approach it is reported per unit of the raw score product (seminr's
rescaling, see :mod:`servqual.pls.extended`); for product-indicator and
orthogonalised interactions it is the standardised path (the interaction
score is a standardised composite of item products).  After a bootstrap the
slope's SE and percentile interval come from the replicate paths.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._resampling import percentile_ci
from ..errors import ParameterError

__all__ = ["simple_slopes"]


def _interaction(result, interaction: str | None, target: str | None):
    ext = result.extended or {}
    inter = ext.get("interactions", {})
    if not inter:
        raise ParameterError("the model has no interaction term (write A*B in a '~' line).")
    if interaction is None:
        if len(inter) > 1:
            raise ParameterError(
                f"the model has several interaction terms ({', '.join(inter)}); name one."
            )
        interaction = next(iter(inter))
    if interaction not in inter:
        raise ParameterError(
            f"interaction {interaction!r} is not in the model; it has {', '.join(inter)}."
        )
    paths = result.paths
    targets = paths.loc[paths["source"] == interaction, "target"].tolist()
    if target is None:
        target = targets[0]
    if target not in targets:
        raise ParameterError(
            f"{interaction!r} has no path to {target!r}; its targets are {targets}."
        )
    return interaction, inter[interaction], target


def simple_slopes(
    result, interaction: str | None = None, target: str | None = None, *, at=(-1.0, 0.0, 1.0)
) -> pd.DataFrame:
    """Effect of the independent variable on ``target`` at moderator levels ``at`` (SDs).

    Parameters
    ----------
    result : PLSResult
        A fit of a model with an ``A*B`` term (``A`` the independent
        variable, ``B`` the moderator).
    interaction : str, optional
        ``"A*B"`` (needed when the model has several interaction terms).
    target : str, optional
        The outcome (default: the first target of the interaction).
    at : sequence of float
        Moderator values in standard deviations.

    Returns
    -------
    DataFrame
        ``moderator_level``, ``slope`` (effect of ``A`` on ``target`` at that
        level), ``intercept`` (``b_m * level``); plus ``se``, ``ci_lower``,
        ``ci_upper`` after a bootstrap.

    Examples
    --------
    >>> import servqual
    >>> mobi = servqual.load_dataset("mobi")
    >>> res = servqual.pls.fit('''Image =~ IMAG1 + IMAG2 + IMAG3
    ...     Expectation =~ CUEX1 + CUEX2 + CUEX3
    ...     Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    ...     Satisfaction ~ Image + Expectation + Image*Expectation''', mobi, progress=False)
    >>> t = simple_slopes(res)
    >>> t["moderator_level"].tolist()
    [-1.0, 0.0, 1.0]
    >>> bool(abs(t["slope"].iloc[2] - t["slope"].iloc[1] - (t["slope"].iloc[1]
    ...      - t["slope"].iloc[0])) < 1e-12)
    True
    """
    name, spec, target = _interaction(result, interaction, target)
    x, m = spec["iv"], spec["moderator"]
    p = result.paths.set_index(["source", "target"])["estimate"]
    bx, bm, g = p[(x, target)], p[(m, target)], p[(name, target)]
    at = np.asarray(at, dtype=float).ravel()
    out = pd.DataFrame({"moderator_level": at, "slope": bx + g * at, "intercept": bm * at})
    boot = result.bootstrap
    if boot is not None:
        tab = boot.table
        key = list(zip(tab["kind"], tab["first"], tab["second"]))
        valid = boot.draws.valid
        dx = valid[:, key.index(("path", x, target))]
        dg = valid[:, key.index(("path", name, target))] * spec.get("scale", 1.0)
        draws = dx[:, None] + dg[:, None] * at[None, :]
        lo, hi = percentile_ci(draws, result.ci)
        out["se"] = draws.std(axis=0, ddof=1)
        out["ci_lower"], out["ci_upper"] = lo, hi
    out.attrs.update({"iv": x, "moderator": m, "target": target, "interaction": name})
    return out
