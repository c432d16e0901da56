"""The lavaan peer cases: model, data, lavaan call and the matching servqual call.

Each case is fitted by ``lavaan_cases.R`` (``lavaan::sem(model, data, ...)`` with
the ``lavaan`` arguments below) and by ``servqual.sem.fit(model, data, **servqual)``.
``run_peers.py`` writes the specification, runs R, compares and writes
``paper/generated/peers.md``; ``tests/test_sem_peers.py`` re-checks the stored
reference numbers (``tests/data/lavaan_peers.json``) without R.

Data sets: ``holzinger_swineford`` and ``political_democracy`` are the
package's CSVs; ``hs_missing`` is Holzinger-Swineford with values removed by a
fixed rule (:func:`hs_missing`, applied identically in R); ``bfi`` is
``tests/data/bfi_items.csv`` (psych 2.2.9's ``bfi``, see ``data/README.md``).
"""

from __future__ import annotations

HS = """
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"""
HS2 = HS + "g =~ visual + textual + speed\n"
HS_RESID = HS + "x7 ~~ x8\nx1 ~~ x9\n"
PD = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""
PD_EQ = PD.replace("y1 + y2 + y3 + y4", "y1 + a*y2 + b*y3 + c*y4").replace(
    "y5 + y6 + y7 + y8", "y5 + a*y6 + b*y7 + c*y8"
)
MIMIC_HS = HS + "visual ~ sex + ageyr\ntextual ~ sex\n"
MIMIC_PD = "dem60 =~ y1 + y2 + y3 + y4\ndem60 ~ x1 + x2 + x3\n"
PATH_PD = "y1 ~ x1 + x2 + x3\n"
MED_PD = "y5 ~ c*x1 + b*y1\ny1 ~ a*x1\nab := a*b\ntotal := c + a*b\n"
ONE = "visual =~ x1 + x2 + x3\n"
BFI1 = "neuro =~ N1 + N2 + N3 + N4 + N5\n"
BFI2 = "neuro =~ N1 + N2 + N3 + N4 + N5\nconsc =~ C1 + C2 + C3 + C4 + C5\n"

_ord = {"ordered": True}
INT_HS = HS + "speed ~ visual + textual + visual:textual\n"


PAIRS_HS = [(a, b) for a in ("x1", "x2", "x3") for b in ("x4", "x5", "x6")]


def _products(a_items, b_items):
    return [f"{a}_x_{b}" for a in a_items for b in b_items]


INT_HS_LAVAAN = (
    HS
    + "speed ~ visual + textual + visual_x_textual\n"
    + "visual_x_textual =~ "
    + " + ".join(_products(["x1", "x2", "x3"], ["x4", "x5", "x6"]))
    + "\n"
)


def _c(
    name,
    data,
    model,
    lavaan=None,
    servqual=None,
    note="",
    skip=(),
    est_tol=None,
    lavaan_model=None,
    products=(),
    unsupported=False,
):
    return {
        "unsupported": unsupported,
        "products": [list(p) for p in products],
        "lavaan_model": lavaan_model,
        "est_tol": est_tol,
        "skip": list(skip),
        "name": name,
        "data": data,
        "model": model,
        "lavaan": dict(lavaan or {}),
        "servqual": dict(servqual or {}),
        "note": note,
    }


CASES = [
    _c("hs_cfa", "holzinger_swineford", HS),
    _c(
        "hs_cfa_meanstructure",
        "holzinger_swineford",
        HS,
        {"meanstructure": True},
        {"meanstructure": True},
    ),
    _c("hs_cfa_std_lv", "holzinger_swineford", HS, {"std.lv": True}, {"std_lv": True}),
    _c("hs_second_order", "holzinger_swineford", HS2, note="issue 13 fix 1: df 24"),
    _c("hs_second_order_std_lv", "holzinger_swineford", HS2, {"std.lv": True}, {"std_lv": True}),
    _c("hs_resid_cov", "holzinger_swineford", HS_RESID, note="std_all of residual covariances"),
    _c("hs_one_factor_df0", "holzinger_swineford", ONE, note="df = 0: RMSEA 0, TLI 1"),
    _c("hs_mimic", "holzinger_swineford", MIMIC_HS, note="fixed.x = TRUE"),
    _c(
        "hs_mimic_fixed_x_false",
        "holzinger_swineford",
        MIMIC_HS,
        {"fixed.x": False},
        {"fixed_x": False},
    ),
    _c("hs_cfa_mlm", "holzinger_swineford", HS, {"estimator": "MLM"}, {"estimator": "MLM"}),
    _c("hs_cfa_mlr", "holzinger_swineford", HS, {"estimator": "MLR"}, {"estimator": "MLR"}),
    _c(
        "hs_second_order_mlr",
        "holzinger_swineford",
        HS2,
        {"estimator": "MLR"},
        {"estimator": "MLR"},
    ),
    _c("hs_mimic_mlr", "holzinger_swineford", MIMIC_HS, {"estimator": "MLR"}, {"estimator": "MLR"}),
    _c("hs_group_configural", "holzinger_swineford", HS, {"group": "school"}, {"group": "school"}),
    _c(
        "hs_group_metric",
        "holzinger_swineford",
        HS,
        {"group": "school", "group.equal": ["loadings"]},
        {"group": "school", "group_equal": ["loadings"]},
    ),
    _c(
        "hs_group_scalar",
        "holzinger_swineford",
        HS,
        {"group": "school", "group.equal": ["loadings", "intercepts"]},
        {"group": "school", "group_equal": ["loadings", "intercepts"]},
    ),
    _c(
        "hs_group_mlr",
        "holzinger_swineford",
        HS,
        {"group": "school", "estimator": "MLR"},
        {"group": "school", "estimator": "MLR"},
    ),
    _c(
        "hs_group_mlm",
        "holzinger_swineford",
        HS,
        {"group": "school", "estimator": "MLM"},
        {"group": "school", "estimator": "MLM"},
    ),
    _c(
        "hs_fiml",
        "hs_missing",
        HS,
        {"missing": "ml"},
        {"missing": "fiml"},
        note="robust CFI/TLI/RMSEA: FIML-corrected (V6), as lavaan reports them for ML",
    ),
    _c(
        "hs_fiml_mlr",
        "hs_missing",
        HS,
        {"missing": "ml", "estimator": "MLR"},
        {"missing": "fiml", "estimator": "MLR"},
        note="robust CFI/TLI/RMSEA: Zhang & Savalei's FIML-corrected indices (V3)",
    ),
    _c(
        "hs_fiml_group",
        "hs_missing",
        HS,
        {"missing": "ml", "group": "school"},
        {"missing": "fiml", "group": "school"},
        note="FIML, two groups; robust indices FIML-corrected (V6), groups weighted n_g / N",
    ),
    _c(
        "hs_fiml_group_mlr",
        "hs_missing",
        HS,
        {"missing": "ml", "group": "school", "estimator": "MLR"},
        {"missing": "fiml", "group": "school", "estimator": "MLR"},
        note="FIML + MLR, two groups; robust indices FIML-corrected (V3)",
    ),
    _c("pd_sem", "political_democracy", PD),
    _c(
        "pd_sem_labels",
        "political_democracy",
        PD_EQ,
        note="lavaan's optimizer stops 4e-8 above servqual's chi2 (tighter rel.tol fails to "
        "converge in lavaan); estimates compared at 2e-4",
        est_tol=2e-4,
    ),
    _c("pd_sem_std_lv", "political_democracy", PD, {"std.lv": True}, {"std_lv": True}),
    _c("pd_sem_mlm", "political_democracy", PD, {"estimator": "MLM"}, {"estimator": "MLM"}),
    _c("pd_sem_mlr", "political_democracy", PD, {"estimator": "MLR"}, {"estimator": "MLR"}),
    _c("pd_mimic", "political_democracy", MIMIC_PD),
    _c(
        "pd_mimic_fixed_x_false",
        "political_democracy",
        MIMIC_PD,
        {"fixed.x": False},
        {"fixed_x": False},
    ),
    _c("pd_path_df0", "political_democracy", PATH_PD, note="saturated regression, df = 0"),
    _c("pd_mediation", "political_democracy", MED_PD),
    _c(
        "pd_mediation_mlr",
        "political_democracy",
        MED_PD,
        {"estimator": "MLR"},
        {"estimator": "MLR"},
    ),
    _c(
        "hs_latent_interaction",
        "holzinger_swineford",
        INT_HS,
        note="product indicators of scale()d items (seminr's product_indicator); lavaan fits "
        "the same products computed in R",
        lavaan_model=INT_HS_LAVAAN,
        products=PAIRS_HS,
    ),
    _c(
        "hs_latent_interaction_mlr",
        "holzinger_swineford",
        INT_HS,
        {"estimator": "MLR"},
        {"estimator": "MLR"},
        lavaan_model=INT_HS_LAVAAN,
        products=PAIRS_HS,
    ),
    _c("bfi_wlsmv_one", "bfi", BFI1, _ord, _ord),
    _c("bfi_wlsmv_two", "bfi", BFI2, _ord, _ord),
    _c(
        "bfi_wlsmv_group",
        "bfi",
        BFI1,
        {"ordered": True, "group": "gender"},
        {"ordered": True, "group": "gender"},
        note="configural multigroup WLSMV; robust indices by Savalei's catML, summed over groups",
    ),
    _c(
        "bfi_wlsmv_group_equal",
        "bfi",
        BFI1,
        {"ordered": True, "group": "gender", "group.equal": ["thresholds", "loadings"]},
        {"ordered": True, "group": "gender", "group_equal": ["thresholds", "loadings"]},
        note="threshold and loading invariance (delta parameterization: scale factors and "
        "latent means free in group 2); lavaan reports no robust indices (NA)",
    ),
    _c(
        "bfi_wlsmv_thresholds",
        "bfi",
        BFI1,
        {"ordered": True, "group": "gender", "group.equal": ["thresholds"]},
        {"ordered": True, "group": "gender", "group_equal": ["thresholds"]},
        note="threshold invariance",
    ),
    _c(
        "bfi_wlsmv_scalar",
        "bfi",
        BFI1,
        {
            "ordered": True,
            "group": "gender",
            "group.equal": ["thresholds", "loadings", "intercepts"],
        },
        {
            "ordered": True,
            "group": "gender",
            "group_equal": ["thresholds", "loadings", "intercepts"],
        },
        note="intercepts of ordinal items are fixed at 0: the same model as thresholds+loadings",
    ),
    _c(
        "bfi_wlsmv_two_thresholds_loadings",
        "bfi",
        BFI2,
        {"ordered": True, "group": "gender", "group.equal": ["thresholds", "loadings"]},
        {"ordered": True, "group": "gender", "group_equal": ["thresholds", "loadings"]},
        note="two factors, threshold and loading invariance",
    ),
]


def hs_missing_mask(n: int) -> dict[str, list[int]]:
    """0-based rows set to missing in ``hs_missing`` (same rule in R, 1-based there)."""
    return {
        "x1": [i for i in range(n) if i % 10 == 0],
        "x5": [i for i in range(n) if i % 13 == 1],
        "x9": [i for i in range(n) if i % 17 == 2],
    }


def load_data(name: str, root="."):
    """The data frame of a case (``root`` = repository root)."""
    from pathlib import Path

    import pandas as pd

    import servqual

    if name == "bfi":
        return pd.read_csv(Path(root) / "tests" / "data" / "bfi_items.csv")
    if name == "hs_missing":
        df = servqual.load_dataset("holzinger_swineford").copy()
        for col, rows in hs_missing_mask(len(df)).items():
            df.loc[df.index[rows], col] = float("nan")
        return df
    return servqual.load_dataset(name)
