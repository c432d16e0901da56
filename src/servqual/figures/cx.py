"""Registry figures for "where to act": IPA grid, Kano Better-Worse plot, journey chart."""

from __future__ import annotations

from ._registry import FigureSpec, register

__all__ = ["ipa_mobi_data", "kano_sim_data", "journey_sim_data", "KANO_SIM_FEATURES"]

# Simulated Kano study: true categories per feature (70% of respondents hold it)
KANO_SIM_FEATURES = {
    "online booking": "O",
    "clean rooms": "M",
    "free upgrade": "A",
    "loyalty app": "I",
    "fast check-in": "O",
    "safe parking": "M",
}


def ipa_mobi_data():
    """IPA of the seven ECSI perceived-quality items of ``mobi`` (importance =
    correlation with the mean of CUSA1-3; crosshairs at the means).

    Examples
    --------
    >>> res = ipa_mobi_data()
    >>> len(res.table), res.crosshair
    (7, 'mean')
    """
    from ..datasets import load_dataset
    from ..ipa import ipa

    df = load_dataset("mobi")
    df["CUSA"] = df[["CUSA1", "CUSA2", "CUSA3"]].mean(axis=1)
    items = [f"PERQ{i}" for i in range(1, 8)]
    return ipa(df, items, outcome="CUSA", crosshair="mean", scale=(1, 10))


def kano_sim_data():
    """Kano analysis of 400 simulated respondents (seed 2024, noise 0.3).

    Examples
    --------
    >>> res = kano_sim_data()
    >>> res.table["category"].tolist() == list(KANO_SIM_FEATURES.values())
    True
    """
    from ..kano import kano, simulate_kano

    df, _ = simulate_kano(400, KANO_SIM_FEATURES, noise=0.3, seed=2024)
    return kano(df, {k: (f"{k}_f", f"{k}_d") for k in KANO_SIM_FEATURES})


def journey_sim_data():
    """Moments of truth on 2,000 simulated journeys (seed 2024, default effects).

    Examples
    --------
    >>> res = journey_sim_data()
    >>> res.table.loc[res.table["moment_of_truth"], "touchpoint"].tolist()
    ['first contact', 'problem solving']
    """
    from ..prca import moments_of_truth, simulate_journey

    df, truth = simulate_journey(2000, seed=2024)
    return moments_of_truth(
        df, dict(zip(truth["touchpoint"], truth["column"])), "SAT", scale=(1, 7)
    )


def _ipa(ax, data):
    from ..ipa import ipa_plot

    return ipa_plot(data, ax=ax)


def _kano(ax, data):
    from ..kano import better_worse_plot

    return better_worse_plot(data, ax=ax)


def _journey(ax, data):
    from ..prca import journey_plot

    return journey_plot(data, ax=ax)


register(
    FigureSpec(
        name="ipa_grid_mobi",
        draw=_ipa,
        data=ipa_mobi_data,
        figsize=(6.4, 4.6),
        description="Importance-performance grid of the mobi perceived-quality items "
        "(importance: correlation with satisfaction).",
        tags=("cx", "ipa"),
    )
)
register(
    FigureSpec(
        name="kano_better_worse_sim",
        draw=_kano,
        data=kano_sim_data,
        figsize=(6.0, 5.0),
        description="Kano Better-Worse plot of six simulated hotel features with known categories.",
        tags=("cx", "kano"),
    )
)
register(
    FigureSpec(
        name="moments_of_truth_journey_sim",
        draw=_journey,
        data=journey_sim_data,
        figsize=(6.8, 4.4),
        description="Penalty and reward per journey touchpoint (simulated, known truth); "
        "stars mark moments of truth.",
        tags=("cx", "journey"),
    )
)
