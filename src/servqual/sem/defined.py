"""Defined parameters (``:=``): evaluation and delta-method standard errors."""

from __future__ import annotations

import ast
import re

import numpy as np

from ..errors import SpecificationError

__all__ = ["DefinedParameters", "label_values"]

_FUNCS = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs}


def label_values(pt, theta: np.ndarray) -> dict[str, float]:
    """Value of every parameter label of the table ``pt`` at ``theta`` (free or fixed)."""
    out = {}
    for row in pt.itertuples():
        if isinstance(row.label, str) and row.label not in out:
            out[row.label] = theta[row.par] if row.par >= 0 else row.fixed
    return out


class DefinedParameters:
    """Compiled ``name := expression`` statements over parameter labels."""

    def __init__(self, statements, labels: set[str]):
        self.names: list[str] = []
        self.exprs: list[str] = []
        self._code = []
        known = set(labels)
        for s in statements:
            expr = s.rhs.replace("^", "**")
            try:
                tree = ast.parse(expr, mode="eval")
            except SyntaxError:
                raise SpecificationError(
                    f"line {s.line}: cannot parse the expression {s.rhs!r} of defined "
                    f"parameter {s.lhs!r}."
                ) from None
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and node.id not in known and node.id not in _FUNCS:
                    raise SpecificationError(
                        f"line {s.line}: defined parameter {s.lhs!r} uses unknown label "
                        f"{node.id!r}; labels are set with e.g. 'y ~ a*x'."
                    )
                if isinstance(node, (ast.Attribute, ast.Subscript, ast.Lambda)):
                    raise SpecificationError(
                        f"line {s.line}: unsupported expression {s.rhs!r} in {s.lhs!r}."
                    )
            if s.lhs in known:
                raise SpecificationError(f"line {s.line}: {s.lhs!r} is already a label.")
            known.add(s.lhs)
            self.names.append(s.lhs)
            self.exprs.append(re.sub(r"\s+", "", s.rhs))
            self._code.append(compile(tree, f"<{s.lhs}>", "eval"))

    def __len__(self) -> int:
        return len(self.names)

    def evaluate(self, values: dict[str, float]) -> np.ndarray:
        env = dict(values)
        out = []
        for name, code in zip(self.names, self._code):
            val = float(eval(code, {"__builtins__": {}, **_FUNCS}, env))  # noqa: S307
            env[name] = val
            out.append(val)
        return np.array(out)

    def delta(self, fn, theta: np.ndarray, vcov: np.ndarray):
        """Values and delta-method covariance of ``fn(theta)``."""
        est = fn(theta)
        J = np.zeros((len(est), theta.size))
        for k in range(theta.size):
            h = 1e-6 * max(1.0, abs(theta[k]))
            e = np.zeros_like(theta)
            e[k] = h
            J[:, k] = (fn(theta + e) - fn(theta - e)) / (2 * h)
        return est, J @ vcov @ J.T
