"""servqual.sem against lavaan 0.6.14: the peer battery's stored reference numbers.

``tests/data/lavaan_peers.json`` holds, for every case of
``validation/peers/cases.py``, lavaan's ``parameterEstimates(fit,
standardized = TRUE)`` and ``fitMeasures(fit)`` from
``lavaan::sem(model, data, ...)`` (lavaan 0.6.14, R 4.2; the exact call is
stored with each case and printed in ``paper/generated/peers.md``).  Regenerate
with ``python validation/peers/run_peers.py`` (needs R); CI only reads them.

Tolerances (issue 13's acceptance): estimates and std.all 1e-4 absolute, SEs
1e-3 absolute, fit measures 1e-3 relative to max(1, |value|).  The engines
solve the same equations to ~1e-7, so a real convention difference (a
parameter count, N vs N - 1, a standardization) exceeds them by orders of
magnitude.
"""

import functools
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "validation" / "peers"))

import run_peers  # noqa: E402

REF = run_peers.attach_spec(json.loads((ROOT / "tests" / "data" / "lavaan_peers.json").read_text()))
CASES = REF["cases"]


@functools.cache
def _fit(name):
    return run_peers.fit_case(CASES[name])


def test_reference_provenance():
    assert REF["meta"]["lavaan"] == "0.6.14"
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_agrees_with_lavaan(name):
    case = CASES[name]
    if case["unsupported"]:  # refused with a clear error, never silently different
        from servqual.errors import ParameterError

        with pytest.raises(ParameterError, match="not supported"):
            _fit(name)
        return
    w = run_peers.compare_case(case, _fit(name))
    assert not w["missing"], w["missing"]
    assert run_peers.case_ok(case, w), {k: w[k] for k in ("est", "se", "std_all", "fit")}


def test_second_order_df_and_no_free_covariances():
    # issue 13 fix 1: first-order factors of g are endogenous -- lavaan's df 24
    res = _fit("hs_second_order")
    assert res.fit_indices["df"] == CASES["hs_second_order"]["fit"]["df"] == 24
    p = res.params
    lat = {"visual", "textual", "speed", "g"}
    cov = p[(p.op == "~~") & (p.lhs != p.rhs) & p.lhs.isin(lat)]
    assert cov.empty
    assert not any("Heywood" in w for w in res.warnings)


def test_fixed_x_likelihood_consistent():
    # loglik, npar, AIC and BIC agree with lavaan for fixed.x = TRUE and FALSE
    for name in ("hs_mimic", "hs_mimic_fixed_x_false", "pd_mimic", "pd_mimic_fixed_x_false"):
        fi, ref = _fit(name).fit_indices, CASES[name]["fit"]
        assert fi["npar"] == ref["npar"]
        assert fi["loglik"] == pytest.approx(ref["logl"], abs=1e-6)
        assert fi["aic"] == pytest.approx(-2 * fi["loglik"] + 2 * fi["npar"], abs=1e-9)
        assert fi["aic"] == pytest.approx(ref["aic"], abs=1e-5)
        assert fi["bic"] == pytest.approx(ref["bic"], abs=1e-5)


def test_df0_rmsea_tli():
    for name in ("hs_one_factor_df0", "pd_path_df0"):
        fi = _fit(name).fit_indices
        assert fi["df"] == 0
        assert fi["rmsea"] == 0.0 and fi["tli"] == 1.0
        assert fi["rmsea_ci_lower"] == 0.0 and fi["rmsea_ci_upper"] == 0.0


def test_residual_correlation_std_all():
    # std.all of a residual covariance is theta_ij / sqrt(theta_ii theta_jj)
    res = _fit("hs_resid_cov")
    p = res.params
    th = p[(p.op == "~~") & (p.lhs == p.rhs)].set_index("lhs")["est"]
    row = p[(p.op == "~~") & (p.lhs == "x7") & (p.rhs == "x8")].iloc[0]
    assert row["std_all"] == pytest.approx(row["est"] / np.sqrt(th["x7"] * th["x8"]), rel=1e-12)


def test_wlsmv_bfi_thresholds_and_fit():
    ref = CASES["bfi_wlsmv_two"]
    res = _fit("bfi_wlsmv_two")
    p, r = res.params, ref["params"]
    for i, op in enumerate(r["op"]):
        if op == "|":
            row = p[(p.lhs == r["lhs"][i]) & (p.op == "|") & (p.rhs == r["rhs"][i])].iloc[0]
            assert row["est"] == pytest.approx(r["est"][i], abs=1e-6)
            assert row["se"] == pytest.approx(r["se"][i], abs=1e-5)
    fi = res.fit_indices
    for lav, key in (
        ("chisq", "chi2"),
        ("chisq.scaled", "chi2_scaled"),
        ("cfi.scaled", "cfi_scaled"),
        ("rmsea.scaled", "rmsea_scaled"),
        ("cfi.robust", "cfi_robust"),
        ("rmsea.robust", "rmsea_robust"),
        ("rmsea.ci.upper", "rmsea_ci_upper"),
    ):
        assert fi[key] == pytest.approx(ref["fit"][lav], rel=1e-5), key


def test_interaction_term_needs_latents():
    from cases import load_data

    from servqual import sem
    from servqual.errors import SpecificationError

    hs = load_data("holzinger_swineford", ROOT)
    with pytest.raises(SpecificationError, match="'x1' is not a latent variable"):
        sem.fit("visual =~ x1 + x2 + x3\nx9 ~ visual + x1:visual", hs)
    res = _fit("hs_latent_interaction")
    row = res.params[(res.params.op == "~") & (res.params.rhs == "visual_x_textual")]
    assert len(row) == 1
    assert len(res.params[res.params.lhs == "visual_x_textual"].query("op == '=~'")) == 9


def test_wlsmv_bootstrap_replicates_are_refits():
    # brute force: replicate b of the WLSMV bootstrap equals polychorics + DWLS
    # refitted on resample b (the same seed stream), to the optimizer's tolerance

    from servqual import sem
    from servqual._resampling import replicate_seeds, resample_indices
    from servqual.sem.polychoric import polychoric_moments
    from servqual.sem.wlsmv import dwls_ram

    d = pd.read_csv(ROOT / "tests" / "data" / "bfi_items.csv").iloc[:600]
    model = "neuro =~ N1 + N2 + N3 + N4 + N5"
    res = sem.fit(model, d, ordered=True, se="bootstrap", n_boot=20, ci=0.9, seed=5, progress=False)
    draws = res.bootstrap_draws
    assert draws.n_failed == 0
    cols = ["N1", "N2", "N3", "N4", "N5"]
    ram, base = res._prep.model, res._problem.bases[0]
    for b, child in enumerate(replicate_seeds(5, 8)[:3]):
        idx = resample_indices(child, len(d))
        mom = polychoric_moments(d[cols].iloc[idx].reset_index(drop=True), cols)
        ref = dwls_ram(ram, mom, res._theta, base=base).theta
        np.testing.assert_allclose(draws.estimates[b], ref, atol=1e-7)
    p = res.params
    load = p[(p.op == "=~") & (p.rhs != "N1")]
    assert np.all(load["se"] > 0)
    assert np.allclose(load["se"], draws.valid.std(axis=0, ddof=0)[:4])  # lavaan: divisor B


@pytest.mark.parametrize(
    "name",
    [
        "hs_fiml",
        "hs_fiml_mlr",
        "hs_fiml_group",
        "hs_fiml_group_mlr",
        "bfi_wlsmv_group",
        "bfi_wlsmv_one",
        "bfi_wlsmv_two",
    ],
)
def test_robust_indices_fiml_and_multigroup_wlsmv(name):
    # lavaan 0.6.14 fitMeasures(fit)[c("cfi.robust", "tli.robust", "rmsea.robust")] for
    # sem(HS, hs_missing, missing = "ml" [, estimator = "MLR"]) -- Zhang & Savalei's
    # FIML-corrected indices, V6 for ML and V3 for MLR -- and for
    # sem(neuro, bfi, ordered = TRUE [, group = "gender"]) -- Savalei's catML,
    # stacked over groups (the references are in tests/data/lavaan_peers.json)
    ref = CASES[name]["fit"]
    fi = _fit(name).fit_indices
    for lav, key in (("cfi.robust", "cfi_robust"), ("tli.robust", "tli_robust")):
        assert fi[key] == pytest.approx(ref[lav], abs=1e-6), key
    assert fi["rmsea_robust"] == pytest.approx(ref["rmsea.robust"], abs=1e-6)
    # the robust indices are not the naive ones
    assert abs(fi["cfi_robust"] - ref["cfi"]) > 1e-4


def test_fiml_corrected_complete_data_is_unstructured_satorra_bentler():
    # brute force: without missing values the EM moments are the sample moments and the
    # FIML information of the saturated model is the complete-data one at (xbar, S), so
    # U Wm^-1 Wc Wm^-1 U = U and the V3 constant is tr(U Gamma) / df with Gamma the
    # case-wise covariance of (x, vech xx') and V evaluated at S ("unstructured"; the
    # MLM scaling factor evaluates V at the model-implied Sigma instead)
    from cases import HS, load_data

    from servqual import sem

    hs = load_data("holzinger_swineford", ROOT)
    res = sem.fit(HS, hs, missing="fiml", estimator="MLR")
    fi, X = res.fit_indices, res._prep.arrays[0]
    n, p = X.shape
    iu = np.triu_indices(p)
    S = np.cov(X, rowvar=False, bias=True)
    Si = np.linalg.inv(S)
    V = np.zeros((p + iu[0].size,) * 2)
    V[:p, :p] = Si
    for a, (i, j) in enumerate(zip(*iu)):
        for b, (k, m) in enumerate(zip(*iu)):
            Ea, Eb = np.zeros((p, p)), np.zeros((p, p))
            Ea[i, j] = Ea[j, i] = Eb[k, m] = Eb[m, k] = 1.0
            V[p + a, p + b] = 0.5 * np.trace(Si @ Ea @ Si @ Eb)
    Xc = X - X.mean(axis=0)
    Gamma = np.cov(np.hstack([Xc, Xc[:, iu[0]] * Xc[:, iu[1]]]), rowvar=False, bias=True)
    dS, dm = res._problem.model.jacobian(res._theta, 0, res._problem.bases[0])
    D = np.vstack([dm.T, dS[:, iu[0], iu[1]].T])
    VD = V @ D
    U = V - VD @ np.linalg.solve(D.T @ VD, VD.T)
    c = np.trace(U @ Gamma) / fi["df"]
    rmsea = np.sqrt(max(fi["chi2"] / n / fi["df"] - c / n, 0.0))
    # 1e-6: Wm is the FIML saturated model's Hessian by central differences
    assert fi["rmsea_robust"] == pytest.approx(rmsea, rel=1e-6)
    assert c != pytest.approx(fi["scaling_factor"], rel=1e-3)  # not the MLR constant


@pytest.mark.parametrize(
    "name",
    [
        "bfi_wlsmv_thresholds",
        "bfi_wlsmv_group_equal",
        "bfi_wlsmv_scalar",
        "bfi_wlsmv_two_thresholds_loadings",
    ],
)
def test_wlsmv_ordinal_invariance_as_lavaan(name):
    # lavaan 0.6.14: sem(model, bfi, ordered = TRUE, group = "gender", group.equal = ...)
    # (the call is stored with the case).  Delta parameterization: scale factors (~*~)
    # and latent means free in group 2 once the thresholds are equal; npar and df as
    # lavaan's; no robust (catML) indices (lavaan: NA).
    case = CASES[name]
    res = _fit(name)
    fi, ref = res.fit_indices, case["fit"]
    assert (fi["npar"], fi["df"]) == (ref["npar"], ref["df"])
    for lav, key in (
        ("chisq", "chi2"),
        ("chisq.scaled", "chi2_scaled"),
        ("cfi.scaled", "cfi_scaled"),
        ("tli.scaled", "tli_scaled"),
        ("rmsea.scaled", "rmsea_scaled"),
        ("cfi", "cfi"),
        ("rmsea", "rmsea"),
        ("srmr", "srmr"),
    ):
        assert fi[key] == pytest.approx(ref[lav], rel=1e-5), key
    assert ref.get("cfi.robust") is None and np.isnan(fi["cfi_robust"])
    p, r = res.params, case["params"]
    labels = list(res.group_labels)
    checked = 0
    for i, op in enumerate(r["op"]):
        if op not in ("~*~", "|", "~1") or r["se"][i] == 0:
            continue
        m = (
            (p.lhs == r["lhs"][i])
            & (p.op == op)
            & (p.rhs == r["rhs"][i])
            & (p.group == labels[r["group"][i] - 1])
        )
        row = p[m].iloc[0]
        assert row["est"] == pytest.approx(r["est"][i], abs=1e-4), (r["lhs"][i], op)
        assert row["se"] == pytest.approx(r["se"][i], abs=1e-4), (r["lhs"][i], op)
        if op != "~*~":
            assert row["std_all"] == pytest.approx(r["std_all"][i], abs=1e-4)
        checked += 1
    n_items = 10 if "two" in name else 5
    assert checked == 2 * 5 * n_items + n_items + (2 if "two" in name else 1)
    # the thresholds are one set of parameters: identical in both groups
    th = p[p.op == "|"].pivot_table(index=["lhs", "rhs"], columns="group", values="est")
    assert np.allclose(th.iloc[:, 0], th.iloc[:, 1], atol=0)


def test_wlsmv_invariance_refusals():
    from cases import BFI1, load_data

    from servqual import sem
    from servqual.errors import ParameterError

    bfi = load_data("bfi", ROOT)
    with pytest.raises(ParameterError, match="needs estimator='WLSMV'"):
        sem.fit(BFI1, bfi, group="gender", group_equal=["thresholds"])


def test_wlsmv_multigroup_bootstrap_resamples_every_group():
    # The bootstrap refits the multigroup WLSMV model (shared thresholds and
    # loadings) on resamples stratified by group.  Every group's parameters
    # vary (an earlier statistic resampled group 1 only), the estimates are the
    # point fit's, and the SEs agree with the robust sandwich SEs (which equal
    # lavaan 0.6.14's) within bootstrap noise.  Single group, lavaan 0.6.14
    # cfa(BFI1, bfi_items, ordered = TRUE, estimator = "DWLS", se = "bootstrap",
    # bootstrap = 200) gave loading SEs 0.0148 0.0167 0.0231 0.0215 against
    # sandwich 0.0143 0.0124 0.0160 0.0175: the bootstrap is wider on these data,
    # as ours is.
    from cases import BFI1, load_data

    from servqual import sem

    bfi = load_data("bfi", ROOT)
    kw = dict(ordered=True, group="gender", group_equal=["thresholds", "loadings"])
    std = sem.fit(BFI1, bfi, **kw)
    b1 = sem.fit(BFI1, bfi, se="bootstrap", n_boot=40, seed=3, **kw)
    # same seed, any n_jobs: replicate b depends on the seed and b alone (the WLSMV
    # statistic is refitted replicate by replicate), so 20 replicates on two
    # workers are the first 20 of the 40
    b2 = sem.fit(BFI1, bfi, se="bootstrap", n_boot=20, ci=0.5, seed=3, n_jobs=2, **kw)
    p, q = std.params, b1.params
    assert np.array_equal(p["est"], q["est"])
    np.testing.assert_array_equal(b2.bootstrap_draws.estimates, b1.bootstrap_draws.estimates[:20])
    free = (p.se > 0) & (p.op != "|")
    assert free.sum() >= 12
    for g in p.group.unique():  # every group's free parameters vary
        m = free & (p.group == g)
        assert (q.se[m] > 0).all()
    ratio = (q.se[free] / p.se[free]).to_numpy()
    assert 0.7 < np.median(ratio) < 1.6 and ratio.min() > 0.5 and ratio.max() < 2.2
    assert (q.ci_lower[free] < q.est[free]).all() and (q.est[free] < q.ci_upper[free]).all()


# lavaan 0.6.14 (R 4.2): ``sem(HS3, gw[idx_b, ])`` at its defaults on servqual's first
# three bootstrap resamples (``replicate_seeds(1, B)[:3]`` + ``resample_indices``) of the
# 145 Grant-White pupils, free parameters in lavaan's parTable order; regenerate with
# ``validation/peers/bootstrap_same_resamples.R`` (driven by
# ``bootstrap_same_resamples.py``, which compares 300 such refits: all equal to 1e-4)
LAVAAN_GW_NAMES = [
    "visual=~x2", "visual=~x3", "textual=~x5", "textual=~x6", "speed=~x8", "speed=~x9",
    "x1~~x1", "x2~~x2", "x3~~x3", "x4~~x4", "x5~~x5", "x6~~x6", "x7~~x7", "x8~~x8",
    "x9~~x9", "visual~~visual", "textual~~textual", "speed~~speed", "visual~~textual",
    "visual~~speed", "textual~~speed",
]  # fmt: skip
LAVAAN_GW_REFITS = [
    [0.8084032521, 1.1954004128, 0.9469186170, 1.1898307377, 1.4059643430, 0.8537209704,
     0.8677468564, 0.7137181391, 0.4459712768, 0.3254920431, 0.4423631849, 0.3376691352,
     0.5387557154, 0.3039325363, 0.5634632858, 0.5383381825, 0.5097406474, 0.4047605677,
     0.2324031035, 0.1624872639, 0.0358233364],
    [0.9035179913, 1.3570975670, 1.0878733235, 0.9873749981, 1.4398865392, 0.7737377481,
     0.9150574165, 0.8760598183, 0.4035957075, 0.3301269822, 0.5159954614, 0.3367977412,
     0.6436743637, 0.1643434820, 0.5645716968, 0.3219121301, 0.7719780695, 0.4442022635,
     0.1966761588, 0.1474770893, 0.0231598957],
    [1.0208475903, 1.3035175527, 0.9936543453, 0.8023341662, 1.2066774966, 1.0202989704,
     0.8350252992, 0.6442296429, 0.5597568260, 0.1949328720, 0.4091788688, 0.6280793213,
     0.4944800644, 0.2773262022, 0.6402773773, 0.4232827142, 1.2124928366, 0.5373107681,
     0.4921017213, 0.2922287199, 0.2429495258],
]  # fmt: skip


def test_bootstrap_replicates_equal_lavaan_refits_on_the_same_resamples():
    # replicate by replicate, not only in distribution: each of servqual's bootstrap
    # refits equals lavaan's fit to the same resampled rows (1e-4: lavaan's nlminb
    # stops at a relative change of 1e-10 in F, the batched refits at a 1e-7 step)
    from servqual import sem
    from servqual.datasets import load_dataset

    hs = load_dataset("holzinger_swineford")
    gw = hs[hs["school"] == "Grant-White"].reset_index(drop=True)
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    res = sem.fit(model, gw[[f"x{i}" for i in range(1, 10)]], se="bootstrap", n_boot=40,
                  seed=1, progress=False)  # fmt: skip
    pt = res._prep.model.partable
    par = {f"{a}{o}{b}": int(k) for a, o, b, k in zip(pt.lhs, pt.op, pt.rhs, pt.par) if k >= 0}
    ours = res.bootstrap_draws.estimates[:3, [par[name] for name in LAVAAN_GW_NAMES]]
    np.testing.assert_allclose(ours, LAVAAN_GW_REFITS, rtol=0, atol=1e-4)
    full = res._theta[[par[name] for name in LAVAAN_GW_NAMES]]
    assert np.abs(ours - full).max() > 0.1  # the refits moved from the start values
