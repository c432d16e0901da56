"""Latent interactions by product indicators (as seminr's CB-SEM ``product_indicator``).

A regression term ``A:B`` between two latent variables (``loyalty ~ sat +
handling + sat:handling``) becomes a latent ``A_x_B`` measured by the products
of every indicator of ``A`` with every indicator of ``B``; the indicators are
standardized first (mean 0, SD 1 with divisor ``n - 1``, as R's ``scale()``
that seminr uses), which keeps the products' scale comparable and removes
most of their nonessential collinearity with the first-order terms.  The
product columns are added to a copy of the data as ``a_x_b``.  The
interaction latent is then an ordinary (exogenous) latent: it covaries with
the other exogenous latents and its first product indicator is the marker.

This is the product-indicator approach of Kenny & Judd (1984) in its
unconstrained form (Marsh, Wen & Hau 2004): no nonlinear constraints; the
interaction effect is the regression on ``A_x_B``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import SpecificationError

__all__ = ["expand_interactions"]

_TERM = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)\s*:\s*([A-Za-z_][\w.]*)(?![\w.])")


def _indicators(model: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for stmt in re.split(r"[\n;]", model):
        stmt = stmt.split("#", 1)[0]
        if "=~" not in stmt:
            continue
        lhs, rhs = stmt.split("=~", 1)
        items = [t.strip().split("*")[-1].strip() for t in rhs.split("+")]
        out.setdefault(lhs.strip(), []).extend(t for t in items if t)
    return out


def expand_interactions(model: str, data):
    """Rewrite ``A:B`` latent interaction terms; returns ``(model, data, terms)``.

    ``terms`` maps each interaction latent's name to its product indicators;
    without interaction terms the inputs are returned unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"a1": [1., 2, 3, 4], "a2": [2., 1, 4, 3], "b1": [1., 1, 2, 3],
    ...                   "b2": [3., 1, 2, 2], "y": [1., 2, 2, 4]})
    >>> m, d2, terms = expand_interactions("A =~ a1 + a2\\nB =~ b1 + b2\\ny ~ A + B + A:B", d)
    >>> terms["A_x_B"]
    ['a1_x_b1', 'a1_x_b2', 'a2_x_b1', 'a2_x_b2']
    >>> "A_x_B =~ a1_x_b1 + a1_x_b2 + a2_x_b1 + a2_x_b2" in m
    True
    """
    if ":" not in model.replace(":=", ""):
        return model, data, {}
    ind = _indicators(model)
    terms: dict[str, list[str]] = {}
    lines = []
    for line in model.split("\n"):
        code, sep, comment = line.partition("#")
        parts = []
        for stmt in code.split(";"):
            if "~" in stmt and "=~" not in stmt and "~~" not in stmt and ":=" not in stmt:
                lhs, rhs = stmt.split("~", 1)
                rhs = _TERM.sub(lambda m: _name(m, ind, terms), rhs)
                stmt = lhs + "~" + rhs
            elif _TERM.search(stmt) and ":=" not in stmt:
                raise SpecificationError(
                    "an interaction term ('A:B') is only allowed on the right of '~': "
                    f"{stmt.strip()!r}."
                )
            parts.append(stmt)
        lines.append(";".join(parts) + sep + comment)
    if not terms:
        return model, data, {}
    if not isinstance(data, pd.DataFrame):
        return model, data, terms  # the input gate reports the bad data later
    data = data.copy()
    for name, prods in terms.items():
        a, b = name.split("_x_", 1)
        for pa in ind[a]:
            for pb in ind[b]:
                for col in (pa, pb):
                    if col not in data.columns:
                        raise SpecificationError(
                            f"indicator {col!r} of the interaction {a}:{b} is not a column "
                            "of the data."
                        )
                za = _scale(data[pa])
                zb = _scale(data[pb])
                data[f"{pa}_x_{pb}"] = za * zb
        lines.append(f"{name} =~ " + " + ".join(prods))
    return "\n".join(lines), data, terms


def _scale(x: pd.Series) -> pd.Series:
    x = pd.to_numeric(x, errors="coerce").astype(float)
    sd = x.std(ddof=1)
    if not np.isfinite(sd) or sd == 0:
        raise SpecificationError(f"indicator {x.name!r} is constant: it cannot form a product.")
    return (x - x.mean()) / sd


def _name(m, ind, terms) -> str:
    a, b = m.group(1), m.group(2)
    for v in (a, b):
        if v not in ind:
            raise SpecificationError(
                f"interaction term {a}:{b}: {v!r} is not a latent variable (define it with "
                "'=~'); for observed moderators add the product column to the data."
            )
    name = f"{a}_x_{b}"
    terms[name] = [f"{pa}_x_{pb}" for pa in ind[a] for pb in ind[b]]
    return name
