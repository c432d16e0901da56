"""Weighted PLS (WPLS, Becker & Ismail 2016): respondent weights in PLS path models."""

from __future__ import annotations

import numpy as np
import pytest

import servqual as sq
from servqual import pls
from servqual.errors import OutOfRangeError

MODEL = """Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Sat =~ CUSA1 + CUSA2 + CUSA3
Loy =~ CUSL1 + CUSL2 + CUSL3
Sat ~ Image
Loy ~ Sat + Image"""


@pytest.fixture(scope="module")
def mobi():
    return sq.load_dataset("mobi")


def test_integer_weights_equal_replicated_rows(mobi):
    # WPLS runs the algorithm on weighted moments: with integer weights it must give
    # exactly the PLS estimates of the data with each respondent repeated w times
    k = 1 + (np.arange(len(mobi)) * 7) % 3
    rep = mobi.loc[mobi.index.repeat(k)].reset_index(drop=True)
    a, b = pls.fit(MODEL, mobi, weights=k), pls.fit(MODEL, rep)
    assert np.allclose(a.paths["estimate"], b.paths["estimate"], atol=1e-9)
    assert np.allclose(a.outer["weight"], b.outer["weight"], atol=1e-9)
    assert np.allclose(a.outer["loading"], b.outer["loading"], atol=1e-9)
    assert np.allclose(a.r2, b.r2, atol=1e-9)
    rel = ["alpha", "rho_c", "rho_a", "ave"]
    assert np.allclose(a.reliability[rel], b.reliability[rel], atol=1e-9)
    assert np.allclose(a.htmt.fillna(0), b.htmt.fillna(0), atol=1e-9)
    # construct scores: weighted mean 0, proportional to the replicated data's scores
    # (SDs differ only by the divisor: sum w (n - 1) / n here, N - 1 there)
    sa, sb = a.scores.to_numpy(), b.scores.to_numpy()[np.r_[0, np.cumsum(k)[:-1]]]
    assert np.allclose(k @ sa, 0, atol=1e-9)
    ratio = sa / sb
    assert np.allclose(ratio, ratio[0, 0], atol=1e-9)
    plain = pls.fit(MODEL, mobi)
    assert not np.allclose(a.paths["estimate"], plain.paths["estimate"], atol=1e-4)


def test_equal_weights_are_plain_pls(mobi):
    a = pls.fit(MODEL, mobi, weights=np.full(len(mobi), 0.3))
    b = pls.fit(MODEL, mobi)
    assert np.allclose(a.paths["estimate"], b.paths["estimate"], atol=1e-10)


def test_bootstrap_resamples_carry_the_weights(mobi):
    w = 1 + ((37 * np.arange(1, len(mobi) + 1)) % 11) / 5
    w[0] = 0.0
    moved = mobi.copy()
    moved.loc[0, ["CUSA1", "CUSL1"]] = [1, 10]  # a zero-weight respondent must not matter
    kw = dict(weights=w, n_boot=40, seed=3, progress=False)
    a, b = pls.fit(MODEL, mobi, **kw), pls.fit(MODEL, moved, **kw)
    ta, tb = a.bootstrap.table, b.bootstrap.table
    assert np.allclose(ta["se"], tb["se"], atol=1e-10)
    assert np.allclose(ta["estimate"], tb["estimate"], atol=1e-10)


def test_wpls_bad_weights(mobi):
    with pytest.raises(OutOfRangeError, match="negative weight at row 5"):
        pls.fit(MODEL, mobi, weights=np.where(mobi.index == 5, -1.0, 1.0))
