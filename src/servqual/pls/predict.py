"""PLSpredict: k-fold out-of-sample prediction of endogenous indicators (Shmueli et al. 2016).

For each fold the model is estimated on the training rows.  Holdout rows are
standardised with the training means and standard deviations; exogenous
construct scores come from the training outer weights; endogenous construct
scores are predicted from the exogenous ones with the training total effects
(the "earliest antecedents" reduced form); each indicator of a reflective
endogenous block is predicted as loading x predicted score and put back on
the item scale.  The linear benchmark (LM) regresses each such indicator on
all indicators of the exogenous constructs.  ``Q2_predict`` compares the PLS
squared error with that of the training mean (Shmueli et al. 2019, *EJM* 53).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import Interval, check_params, check_rng
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from ..errors import InsufficientDataError, SpecificationError
from .core import Structure, estimate, total_effects
from .estimator import _apply_missing_codes, _as_model, _prepare

__all__ = ["predict", "PredictResult"]


@resultclass
class PredictResult(Result):
    """Out-of-sample prediction metrics per endogenous indicator.

    Attributes
    ----------
    table : DataFrame
        ``construct``, ``item``, ``rmse_pls``, ``mae_pls``, ``rmse_lm``,
        ``mae_lm``, ``q2_predict``.
    predictions_pls, predictions_lm : DataFrame
        Out-of-sample predictions (rows = respondents, columns = items).
    folds : ndarray
        Fold number of each row.
    """

    table: pd.DataFrame
    predictions_pls: pd.DataFrame
    predictions_lm: pd.DataFrame
    folds: np.ndarray
    k: int

    def summary(self) -> Summary:
        better = int((self.table["rmse_pls"] < self.table["rmse_lm"]).sum())
        info = {
            "folds": self.k,
            "indicators": len(self.table),
            "PLS RMSE below LM": f"{better} of {len(self.table)}",
        }
        return Summary("PLSpredict (k-fold)", [("Setup", info), ("Indicators", self.table)])


@records_provenance
def predict(
    model,
    data: pd.DataFrame,
    *,
    k: int = 10,
    seed=None,
    scheme: str = "path",
    missing: str = "mean",
    tol: float = 1e-7,
    max_iter: int = 300,
    missing_value=None,
) -> PredictResult:
    """k-fold PLSpredict with a linear-model benchmark (see module docstring).

    ``k`` may be the number of rows (leave-one-out, seminr's ``noFolds = n``;
    then ``seed`` does not matter).  ``missing_value`` declares missing codes
    (e.g. ``-99``) as in :func:`servqual.pls.fit`; ``missing`` then handles them.

    Examples
    --------
    >>> import servqual
    >>> from servqual import pls
    >>> res = predict(pls.ecsi_model(), servqual.load_dataset("mobi"), k=5, seed=1)
    >>> list(res.table.columns[:3])
    ['construct', 'item', 'rmse_pls']
    """
    check_params({"k": k}, {"k": Interval(2, None, integer=True)})
    model = _as_model(model)
    if missing_value is not None:
        data = _apply_missing_codes(data, model.items, missing_value)
    frame, _ = _prepare(model, data, missing)
    raw = frame.to_numpy()
    n = raw.shape[0]
    st = Structure.from_model(model)
    exo = [j for j in range(st.m) if not st.preds[j]]
    targets = [j for j in st.endo if j not in st.mode_b]
    if not targets:
        raise SpecificationError("PLSpredict needs at least one reflective endogenous construct.")
    exo_items = np.concatenate([st.blocks[j] for j in exo])
    tgt_items = np.concatenate([st.blocks[j] for j in targets])
    if k > n:
        raise InsufficientDataError(f"k={k} folds for {n} rows: at most {n} (leave-one-out).")
    if n - -(-n // k) < exo_items.size + 2:  # the smallest training set: n - ceil(n / k)
        raise InsufficientDataError(
            f"{n} rows in {k} folds leave too few training rows for the linear benchmark "
            f"({exo_items.size} predictors); use fewer folds or more data."
        )
    rng = check_rng(seed)
    folds = rng.permutation(np.arange(n) % k)
    pred_pls = np.full((n, tgt_items.size), np.nan)
    pred_lm = np.full((n, tgt_items.size), np.nan)
    sse_mean = np.zeros(tgt_items.size)
    for f in range(k):
        test, train = folds == f, folds != f
        mu, sd = raw[train].mean(axis=0), raw[train].std(axis=0, ddof=1)
        Ztr = (raw[train] - mu) / sd
        Zte = (raw[test] - mu) / sd
        est = estimate(np.cov(Ztr, rowvar=False), st, scheme=scheme, tol=tol, max_iter=max_iter)
        W, T = est.W[0], total_effects(est.B)[0]
        Yexo = Zte @ W[:, exo]
        Yhat = Yexo @ T[np.ix_(exo, targets)]
        lam = est.loadings[0][tgt_items]
        col = {j: i for i, j in enumerate(targets)}
        zhat = lam * Yhat[:, [col[st.block_of[i]] for i in tgt_items]]
        pred_pls[test] = zhat * sd[tgt_items] + mu[tgt_items]
        A = np.column_stack([np.ones(train.sum()), raw[train][:, exo_items]])
        coef, *_ = np.linalg.lstsq(A, raw[train][:, tgt_items], rcond=None)
        pred_lm[test] = np.column_stack([np.ones(test.sum()), raw[test][:, exo_items]]) @ coef
        sse_mean += np.sum((raw[test][:, tgt_items] - mu[tgt_items]) ** 2, axis=0)
    y = raw[:, tgt_items]
    e_pls, e_lm = y - pred_pls, y - pred_lm
    items = [model.items[i] for i in tgt_items]
    table = pd.DataFrame(
        {
            "construct": [model.constructs[st.block_of[i]] for i in tgt_items],
            "item": items,
            "rmse_pls": np.sqrt(np.mean(e_pls**2, axis=0)),
            "mae_pls": np.mean(np.abs(e_pls), axis=0),
            "rmse_lm": np.sqrt(np.mean(e_lm**2, axis=0)),
            "mae_lm": np.mean(np.abs(e_lm), axis=0),
            "q2_predict": 1 - np.sum(e_pls**2, axis=0) / sse_mean,
        }
    )
    return PredictResult(
        table,
        pd.DataFrame(pred_pls, index=frame.index, columns=items),
        pd.DataFrame(pred_lm, index=frame.index, columns=items),
        folds,
        k,
    )
