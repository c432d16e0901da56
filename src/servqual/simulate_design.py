"""Segments, waves and an informative sampling design for :func:`simulate_survey`.

A :class:`SurveyDesign` says how the population splits into segments
(``population``), how the sample over- or under-represents them
(``sample``), how satisfaction differs by segment (``segment_shift``: a shift
of the mean of all five perception factors, in latent SD units) and how it
moves across waves (``wave_shift``: wave -> {dimension: shift}, applying from
that wave on).  Every respondent carries the known population weight
``population[s] / sample[s]`` of their segment.

Because a shift of the perception factors moves satisfaction by
``w · delta`` and the latent likelihood-to-recommend by
``lambda_LTR · beta · w · delta`` (both with unit variance), the true NPS and
top-box shares of every segment and wave are exact normal probabilities:
:meth:`SurveyDesign.truth_table`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import Interval, check_params
from .errors import ParameterError

__all__ = ["SurveyDesign"]


def _mp(d) -> MappingProxyType:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class SurveyDesign:
    """Segments, waves and sampling design of a simulated tracking survey.

    Parameters
    ----------
    population : mapping segment -> population share (sums to 1)
    sample : mapping segment -> sample share, optional
        Default: proportional (weights all 1).  Shares differing from
        ``population`` make the design informative when ``segment_shift``
        differs by segment.
    segment_shift : mapping segment -> shift of the perception factors
    waves : int
        Number of waves; ``n`` respondents are drawn in each.
    wave_shift : mapping wave (1-based) -> {dimension: shift}
        Level shifts of perception factors, from that wave on (cumulative).

    Examples
    --------
    >>> d = SurveyDesign({"A": 0.8, "B": 0.2}, sample={"A": 0.5, "B": 0.5},
    ...                  segment_shift={"B": -1.0}, waves=2, wave_shift={2: {"reliability": 0.5}})
    >>> d.weight("B")
    0.4
    """

    population: Mapping[str, float]
    sample: Mapping[str, float] | None = None
    segment_shift: Mapping[str, float] = field(default_factory=dict)
    waves: int = 1
    wave_shift: Mapping[int, Mapping[str, float]] = field(default_factory=dict)

    def __post_init__(self):
        pop = {str(k): float(v) for k, v in self.population.items()}
        if not pop or any(v <= 0 for v in pop.values()) or abs(sum(pop.values()) - 1) > 1e-9:
            raise ParameterError(
                f"population={pop} is invalid: expected positive shares summing to 1."
            )
        samp = pop if self.sample is None else {str(k): float(v) for k, v in self.sample.items()}
        if set(samp) != set(pop) or any(v <= 0 for v in samp.values()) \
                or abs(sum(samp.values()) - 1) > 1e-9:  # fmt: skip
            raise ParameterError(
                f"sample={samp} is invalid: expected positive shares summing to 1 for the "
                f"segments {sorted(pop)}."
            )
        unknown = set(map(str, self.segment_shift)) - set(pop)
        if unknown:
            raise ParameterError(f"segment_shift names unknown segment(s) {sorted(unknown)}.")
        check_params({"waves": self.waves}, {"waves": Interval(1, None, integer=True)})
        bad = [k for k in self.wave_shift if not (1 <= int(k) <= self.waves)]
        if bad:
            raise ParameterError(f"wave_shift names wave(s) {bad} outside 1..{self.waves}.")
        object.__setattr__(self, "population", _mp(pop))
        object.__setattr__(self, "sample", _mp(samp))
        shifts = {str(k): float(v) for k, v in self.segment_shift.items()}
        object.__setattr__(self, "segment_shift", _mp(shifts))
        waves = {int(k): _mp(v) for k, v in self.wave_shift.items()}
        object.__setattr__(self, "wave_shift", _mp(waves))

    @property
    def segments(self) -> list[str]:
        return list(self.population)

    def weight(self, segment: str) -> float:
        """Population weight ``population / sample`` of a respondent in ``segment``."""
        return self.population[segment] / self.sample[segment]

    def shift(self, segment: str, wave: int, dimensions) -> np.ndarray:
        """Shift of the five perception factor means for ``segment`` in ``wave``."""
        out = np.full(len(dimensions), self.segment_shift.get(segment, 0.0))
        for w, sh in self.wave_shift.items():
            if w <= wave:
                for d, v in sh.items():
                    if d not in dimensions:
                        raise ParameterError(
                            f"wave_shift names {d!r}: expected one of {list(dimensions)}."
                        )
                    out[list(dimensions).index(d)] += v
        return out

    # --------------------------------------------------------------- truth
    def _latent_means(self, truth, segment, wave):
        delta = self.shift(segment, wave, truth.dimensions)
        ds = float(truth._sat_coefs()[:5] @ delta)
        ltr = truth.ltr_mean + truth.loyalty_loadings[2] * truth.loyalty_on_satisfaction * ds
        return ds, ltr

    def ltr_probabilities(self, truth, segment: str, wave: int = 1) -> np.ndarray:
        """Exact probabilities of the 0-10 answers of ``segment`` in ``wave``."""
        _, m = self._latent_means(truth, segment, wave)
        cdf = stats.norm.cdf(np.asarray(truth.ltr_thresholds) - m)
        return np.diff(np.concatenate([[0.0], cdf, [1.0]]))

    def true_nps(self, truth, segment: str | None = None, wave: int = 1) -> float:
        """True NPS of ``segment`` (``None``: the population) in ``wave``."""
        segs = self.segments if segment is None else [segment]
        share = [self.population[s] for s in segs] if segment is None else [1.0]
        out = 0.0
        for s, a in zip(segs, share, strict=True):
            p = self.ltr_probabilities(truth, s, wave)
            out += a * 100 * (p[9:].sum() - p[:7].sum())
        return float(out)

    def true_topbox(self, truth, segment: str | None = None, wave: int = 1, *,
                    item: int = 1, top_box: int = 6) -> float:  # fmt: skip
        """True share of ``SAT<item> >= top_box`` of ``segment`` (``None``: population)."""
        segs = self.segments if segment is None else [segment]
        share = [self.population[s] for s in segs] if segment is None else [1.0]
        cuts = np.asarray(truth.thresholds)
        lam = truth.satisfaction_loadings[item - 1]
        out = 0.0
        for s, a in zip(segs, share, strict=True):
            ds, _ = self._latent_means(truth, s, wave)
            m = truth.satisfaction_mean + lam * ds
            out += a * float(stats.norm.sf(cuts[top_box - 2] - m))
        return out

    def truth_table(self, truth) -> pd.DataFrame:
        """True NPS and SAT1 top-2-box (>= 6 on 7 points) by wave and segment (and population)."""
        rows = []
        for w in range(1, self.waves + 1):
            for s in [*self.segments, None]:
                rows.append({"wave": w, "segment": "population" if s is None else s,
                             "nps": self.true_nps(truth, s, w),
                             "sat1_top2": self.true_topbox(truth, s, w)})  # fmt: skip
        return pd.DataFrame(rows)


def simulate_design(truth, design: SurveyDesign, n: int, rng, block_size: int, block) -> dict:
    """Columns of ``n`` respondents per wave under ``design`` (``block`` draws one block)."""
    segs = design.segments
    probs = np.array([design.sample[s] for s in segs])
    parts = []
    for wave in range(1, design.waves + 1):
        for start in range(0, n, block_size):
            m = min(block_size, n - start)
            seg = rng.choice(len(segs), size=m, p=probs)
            offset = np.zeros((m, 10))
            for k, s in enumerate(segs):
                offset[seg == k, :5] = design.shift(s, wave, truth.dimensions)
            out = block(truth, m, rng, offset)
            out["segment"] = np.asarray(segs, dtype=object)[seg]
            out["wave"] = np.full(m, wave, dtype=np.int64)
            out["weight"] = np.array([design.weight(s) for s in segs])[seg]
            parts.append(out)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
