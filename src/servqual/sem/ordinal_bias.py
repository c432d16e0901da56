"""Ordinal items: how far ML on raw Likert codes and WLSMV on polychorics miss the truth.

:func:`ordinal_loading_bias` fits both estimators to the same data and returns
their standardized loadings next to the true ones; the figure
:func:`servqual.figures.plot_ordinal_bias` draws the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ordinal_loading_bias"]


def ordinal_loading_bias(data: pd.DataFrame, factors: dict, true_loadings) -> pd.DataFrame:
    """Standardized loadings by WLSMV (polychorics) and by ML on raw codes, with truth.

    ML uses semopy (normal-theory ML on the item codes treated as continuous,
    L-BFGS-B); WLSMV uses :func:`servqual.sem.wlsmv.fit_cfa`.  Returns one
    row per item: ``item true wlsmv ml wlsmv_error ml_error``.

    Examples
    --------
    >>> import servqual
    >>> df, truth = servqual.simulate_survey(300, seed=1)
    >>> f = {"tangibles": ["P1", "P2", "P3", "P4"]}
    >>> ordinal_loading_bias(df, f, truth.loadings[:4]).shape
    (4, 6)
    """
    import semopy

    from .wlsmv import fit_cfa

    items = [c for cols in factors.values() for c in cols]
    true = pd.Series(np.asarray(true_loadings, float), index=items)
    wl = fit_cfa(data, factors).loadings()[items]
    desc = "\n".join(f"{f} =~ " + " + ".join(cols) for f, cols in factors.items())
    model = semopy.Model(desc)
    model.fit(data[items].astype(float), solver="L-BFGS-B")
    est = model.inspect(std_est=True)
    ml = est[(est["op"] == "~") & est["rval"].isin(list(factors))].set_index("lval")["Est. Std"]
    ml = ml[items].astype(float)
    out = pd.DataFrame(
        {
            "item": items,
            "true": true.to_numpy(),
            "wlsmv": wl.to_numpy(),
            "ml": ml.to_numpy(),
            "wlsmv_error": (wl - true).to_numpy(),
            "ml_error": (ml - true).to_numpy(),
        }
    )
    out.attrs["n"] = int(len(data))
    return out
