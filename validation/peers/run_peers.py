"""The lavaan peer battery: run every case in R and in servqual, compare, report.

Usage (from the repository root)::

    python validation/peers/run_peers.py            # regenerate references + report
    python validation/peers/run_peers.py --no-r     # compare with the stored references

Steps: install R, lavaan, semTools and psych from Debian's packages when
``Rscript`` or a package is missing (``apt-get install r-base-core r-cran-lavaan
r-cran-semtools r-cran-psych r-cran-jsonlite``, needs root); write the case
specification (``cases.py``) to JSON; run ``lavaan_cases.R`` through Rscript
into ``tests/data/lavaan_peers.json`` (read by ``tests/test_sem_peers.py``, so
CI never needs R); fit every case with ``servqual.sem.fit``; compare every
estimate, SE, standardized value and fit measure; write
``paper/generated/peers.md``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from cases import CASES, hs_missing_mask  # noqa: E402

REFERENCE = ROOT / "tests" / "data" / "lavaan_peers.json"
REPORT = ROOT / "paper" / "generated" / "peers.md"
R_PACKAGES = {
    "lavaan": "r-cran-lavaan",
    "semTools": "r-cran-semtools",
    "psych": "r-cran-psych",
    "jsonlite": "r-cran-jsonlite",
}

# lavaan fitMeasures name -> servqual fit_indices key
FIT_MAP = {
    "npar": "npar",
    "chisq": "chi2",
    "df": "df",
    "pvalue": "pvalue",
    "baseline.chisq": "baseline_chi2",
    "baseline.df": "baseline_df",
    "cfi": "cfi",
    "tli": "tli",
    "rmsea": "rmsea",
    "rmsea.ci.lower": "rmsea_ci_lower",
    "rmsea.ci.upper": "rmsea_ci_upper",
    "rmsea.pvalue": "rmsea_pvalue",
    "srmr": "srmr",
    "logl": "loglik",
    "unrestricted.logl": "loglik_h1",
    "aic": "aic",
    "bic": "bic",
    "bic2": "sabic",
    "chisq.scaled": "chi2_scaled",
    "chisq.scaling.factor": "scaling_factor",
    "pvalue.scaled": "pvalue_scaled",
    "baseline.chisq.scaled": "baseline_chi2_scaled",
    "cfi.scaled": "cfi_scaled",
    "tli.scaled": "tli_scaled",
    "rmsea.scaled": "rmsea_scaled",
    "cfi.robust": "cfi_robust",
    "tli.robust": "tli_robust",
    "rmsea.robust": "rmsea_robust",
}
EST_TOL, SE_TOL, FIT_TOL = 1e-4, 1e-3, 1e-3


def ensure_r() -> str:
    """Path of Rscript, installing R and the packages from Debian when missing."""
    missing = []
    rscript = shutil.which("Rscript")
    if rscript:
        for pkg, deb in R_PACKAGES.items():
            ok = subprocess.run(
                [rscript, "-e", f"quit(status = !requireNamespace('{pkg}', quietly = TRUE))"],
                capture_output=True,
            )
            if ok.returncode:
                missing.append(deb)
    else:
        missing = ["r-base-core", *R_PACKAGES.values()]
    if missing:
        print("installing from Debian:", " ".join(missing))
        subprocess.run(["apt-get", "update"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", *missing], check=True
        )
        rscript = shutil.which("Rscript")
    if not rscript:
        raise SystemExit("Rscript is not available and could not be installed.")
    return rscript


def _csv(name: str) -> str:
    if name == "bfi":
        return str(ROOT / "tests" / "data" / "bfi_items.csv")
    base = "holzinger_swineford" if name == "hs_missing" else name
    return str(ROOT / "src" / "servqual" / "datasets" / "data" / f"{base}.csv")


def run_r(rscript: str) -> dict:
    cases = []
    for c in CASES:
        spec = {
            "name": c["name"],
            "csv": _csv(c["data"]),
            "model": c["lavaan_model"] or c["model"],
            "lavaan": c["lavaan"],
        }
        if c["products"]:  # product indicators: scale(a) * scale(b), computed in R
            spec["products"] = c["products"]
        if c["data"] == "hs_missing":
            spec["na"] = hs_missing_mask(301)
        cases.append(spec)
    with tempfile.TemporaryDirectory() as tmp:
        sp = Path(tmp) / "spec.json"
        out = Path(tmp) / "out.json"
        sp.write_text(json.dumps({"cases": cases}))
        subprocess.run([rscript, str(HERE / "lavaan_cases.R"), str(sp), str(out)], check=True)
        ref = json.loads(out.read_text())
    return attach_spec(ref)


def attach_spec(ref: dict) -> dict:
    """Store each case's specification (cases.py) beside its reference numbers."""
    for c in CASES:
        ref["cases"][c["name"]].update({k: v for k, v in c.items() if k not in ("lavaan", "name")})
    return ref


def compare_case(case: dict, res) -> dict:
    """Largest absolute differences (estimates, SEs, std, fit) of one case."""
    p = res.params
    ref = case["params"]
    multi = "group" in p.columns
    labels = list(res.group_labels)
    worst = {"est": 0.0, "se": 0.0, "std_all": 0.0, "fit": 0.0, "missing": []}
    for i in range(len(ref["lhs"])):
        lhs, op, rhs = ref["lhs"][i], ref["op"][i], ref["rhs"][i]
        if op == "~*~" or (op == "~1" and ref["est"][i] == 0 and ref["se"][i] == 0):
            continue  # delta scale factors and the fixed zero means of ordinal models
        if op == "~~" and (lhs, op, rhs) not in {tuple(r) for r in p[["lhs", "op", "rhs"]].values}:
            lhs, rhs = rhs, lhs
        m = (p["lhs"] == lhs) & (p["op"] == op) & (p["rhs"] == rhs)
        if multi and op != ":=":
            m &= p["group"] == labels[int(ref["group"][i]) - 1]
        if m.sum() != 1:
            worst["missing"].append(f"{lhs} {op} {rhs}")
            continue
        row = p[m].iloc[0]
        for key, col in (("est", "est"), ("se", "se"), ("std_all", "std_all")):
            r = ref[col][i]
            if r is None or (col == "se" and (r == 0 or not np.isfinite(row[col]))):
                continue
            worst[key] = max(worst[key], abs(float(row[col]) - r))
    fi = res.fit_indices
    worst["fit_detail"] = {}
    for lname, key in FIT_MAP.items():
        r = case["fit"].get(lname)
        if r is None or key not in fi or lname in case.get("skip", ()):
            continue
        d = abs(float(fi[key]) - r)
        if not np.isfinite(d):
            d = 0.0 if (np.isnan(fi[key]) and r is None) else np.inf
        worst["fit_detail"][lname] = d
        worst["fit"] = max(worst["fit"], d / max(1.0, abs(r)))
    return worst


def case_ok(case: dict, w: dict) -> bool:
    """Whether the differences ``w`` of :func:`compare_case` are within tolerance."""
    et = case.get("est_tol") or EST_TOL
    return bool(
        w["est"] <= et
        and w["se"] <= SE_TOL
        and w["std_all"] <= et
        and w["fit"] <= FIT_TOL
        and not w["missing"]
    )


def fit_case(case: dict):
    from cases import load_data

    from servqual import sem

    data = load_data(case["data"], ROOT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sem.fit(case["model"], data, progress=False, **case["servqual"])


def write_report(ref: dict, rows: list[dict]) -> str:
    meta = ref["meta"]
    lines = [
        "<!-- generated by validation/peers/run_peers.py; do not edit -->",
        f"servqual against lavaan {meta['lavaan']} (R {meta['R']}): {len(rows)} cases, "
        f"largest absolute differences (fit measures relative to max(1, |value|)). "
        f"Tolerances: estimates {EST_TOL:g}, SEs {SE_TOL:g}, fit {FIT_TOL:g}.",
        "",
        "| case | lavaan call | est | SE | std.all | fit | agrees | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        note = r.get("note", "")
        if r.get("skip"):
            note += f" (not compared: {', '.join(r['skip'])})"
        if r.get("error"):
            note += f" {r['error']}"
        lines.append(
            f"| {r['name']} | `{r['call']}` | {r['est']:.1e} | {r['se']:.1e} | "
            f"{r['std_all']:.1e} | {r['fit']:.1e} | {'yes' if r['ok'] else '**no**'} | "
            f"{note.strip()} |"
        )
    n_ok = sum(r["ok"] for r in rows)
    lines += ["", f"{n_ok} of {len(rows)} cases agree within tolerance."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-r", action="store_true", help="use the stored reference numbers")
    args = ap.parse_args(argv)
    if args.no_r:
        ref = attach_spec(json.loads(REFERENCE.read_text()))
    else:
        ref = run_r(ensure_r())
        REFERENCE.write_text(json.dumps(ref, indent=None, sort_keys=True) + "\n")
    rows = []
    for name, case in ref["cases"].items():
        try:
            w = compare_case(case, fit_case(case))
            ok = case_ok(case, w)
        except Exception as exc:  # report, do not hide
            w = {
                "est": np.inf,
                "se": np.inf,
                "std_all": np.inf,
                "fit": np.inf,
                "error": f"{type(exc).__name__}: {exc}",
            }
            ok = False
        if case.get("unsupported"):
            w["error"] = "refused: " + w.get("error", "")
        rows.append(
            {
                "name": name,
                "call": case["call"],
                "ok": ok,
                "note": case.get("note", ""),
                "skip": case.get("skip", []),
                **w,
            }
        )
        print(
            name,
            "ok" if ok else "DIFFERS",
            {k: w[k] for k in ("est", "se", "std_all", "fit")},
            w.get("error", ""),
            w.get("missing", "") or "",
        )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    from servqual._io import write_text

    write_text(REPORT, write_report(ref, rows), force=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
