"""Label placement on crowded scatter figures, and the plots' move to servqual.figures."""

import ast
import itertools
import pathlib
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import ScalarFormatter

import servqual
from servqual.figures import registry, style_context
from servqual.figures._labels import place_labels, text_width_em, wrap_label
from servqual.figures._registry import cjk_font
from servqual.figures.cx import plot_better_worse, plot_ipa, plot_journey
from servqual.ipa import ipa

SRC = pathlib.Path(servqual.__file__).parent


def _crowded_ipa(labels):
    """32 attributes whose (performance, importance) points crowd one region."""
    rng = np.random.default_rng(7)
    n, k = 400, len(labels)
    common = rng.normal(size=(n, 1))
    x = 4 + 0.6 * common + rng.normal(size=(n, k)) * 0.8
    df = pd.DataFrame(np.clip(np.rint(x), 1, 7), columns=labels)
    df["sat"] = x.mean(axis=1) + rng.normal(size=n) * 0.5
    return ipa(df, labels, outcome="sat", scale=(1, 7))


def _label_extents(ax):
    fig = ax.figure
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)  # layout and text positions as saved
    anns = [t for t in ax.texts if hasattr(t, "xy")]
    # the text's own box (an Annotation's extent would include its leader line)
    return anns, [Text.get_window_extent(a, renderer) for a in anns], fig.bbox


@pytest.mark.parametrize(
    "labels",
    [
        [f"Q{i}" for i in range(1, 33)],
        # long questionnaire wording and Chinese item labels (issue 15: stay readable)
        [f"Staff explain item {i} clearly and politely to every customer" for i in range(16)]
        + [f"服务人员总是愿意帮助顾客{i}" for i in range(16)],
    ],
)
def test_ipa_labels_of_32_items_do_not_overlap(labels):
    res = _crowded_ipa(labels)
    cjk = any(ord(c) > 0x3000 for c in "".join(labels))
    if cjk and cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    with style_context(), warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn: every character renders
        ax = plot_ipa(res, ax=Figure(figsize=(8, 6)).add_subplot())
        anns, boxes, figbox = _label_extents(ax)
    assert len(anns) == 32
    # every label names its own attribute, wrapped at most onto two lines
    assert [a.get_text() for a in anns] == [wrap_label(s) for s in res.table["attribute"]]
    assert all(a.get_text().count("\n") <= 1 for a in anns)
    overlaps = [
        (a.get_text(), b.get_text())
        for (a, ba), (b, bb) in itertools.combinations(zip(anns, boxes), 2)
        if ba.overlaps(bb)
    ]
    assert overlaps == []
    for b in boxes:  # nothing cut off at the figure edge
        assert b.x0 >= figbox.x0 and b.x1 <= figbox.x1 and b.y0 >= figbox.y0 and b.y1 <= figbox.y1
    # the points themselves are the table's values
    pts = np.vstack([c.get_offsets() for c in ax.collections])
    want = res.table[["performance", "importance"]].to_numpy()
    np.testing.assert_allclose(np.sort(pts, axis=0), np.sort(want, axis=0))
    assert ax.get_title() == f"Importance–performance analysis (n = {res.n:,})"


def test_place_labels_is_deterministic_and_estimates_wide_characters():
    assert text_width_em("AB") == 1.24 and text_width_em("服务") == 2.0
    runs = []
    for _ in range(2):
        ax = Figure(figsize=(4, 3)).add_subplot()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        x = np.full(6, 0.5)
        anns = place_labels(ax, x, x, [f"label {i}" for i in range(6)])
        runs.append([a.get_position() for a in anns])
    assert runs[0] == runs[1]
    assert len(set(runs[0])) == 6  # six labels on one point: six different places


def test_moved_plot_names_warn_and_resolve():
    cases = [
        ("servqual.ipa", "ipa_plot", plot_ipa),
        ("servqual.ipa", "journey_plot", plot_journey),
        ("servqual.prca", "journey_plot", plot_journey),
        ("servqual.kano", "better_worse_plot", plot_better_worse),
    ]
    import importlib

    for mod, old, new in cases:
        with pytest.warns(FutureWarning, match=f"{mod}.{old} moved to servqual.figures"):
            assert getattr(importlib.import_module(mod), old) is new
    from servqual.sem.ordinal_bias import ordinal_loading_bias

    with pytest.warns(FutureWarning, match="moved to servqual.sem.ordinal_bias"):
        from servqual.figures.ordinal import ordinal_loading_bias as old

    assert old is ordinal_loading_bias
    res = servqual.pls.fit(servqual.pls.ecsi_model(), servqual.load_dataset("mobi"), progress=False)
    with pytest.warns(FutureWarning, match="plot_ipma"):
        table, ax = res.ipma("Loyalty", ax=Figure().add_subplot())
    pd.testing.assert_frame_equal(table, res.ipma_table("Loyalty"))
    assert ax.get_title() == "Importance-performance map: Loyalty"


MODEL_MODULES = [
    p
    for p in SRC.rglob("*.py")
    if "figures" not in p.parts
    and "report" not in p.parts  # the report package assembles analyses and their figures
    and p.name not in ("cli.py", "paper.py")
]


def test_no_model_module_imports_matplotlib_or_figures():
    """Issue 15 §4: plots live in servqual.figures; analyses never import them."""
    offenders = []
    for path in MODEL_MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        pkg = path.relative_to(SRC.parent).with_suffix("").parts[:-1]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # resolve relative imports against the module's package
                    parent = pkg[: len(pkg) - node.level + 1]
                    base = ".".join(parent + ((base,) if base else ()))
                names = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            bad = [n for n in names if n.startswith(("matplotlib", "servqual.figures"))]
            if bad:
                offenders.append((str(path.relative_to(SRC)), bad[0]))
    assert offenders == []
    assert len(MODEL_MODULES) > 40  # the walk really saw the package


def test_every_registered_figure_states_n_and_units():
    """Issue 15 §2: each figure says how many respondents (or that it is a model
    calculation) and every drawn axis names its unit in parentheses."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        specs = registry()
    missing_n, missing_units = [], []
    for name, spec in specs.items():
        if name in _HEAVY:
            continue
        fig = spec.render()
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        texts += [ax.get_title() for ax in fig.axes]
        texts += [fig._suptitle.get_text()] if fig._suptitle is not None else []
        if not any(("n = " in t or "(model" in t) for t in texts):
            missing_n.append(name)
        for ax in fig.axes:
            if not ax.axison:
                continue
            for axis in (ax.xaxis, ax.yaxis):
                categorical = not isinstance(axis.get_major_formatter(), ScalarFormatter)
                label = axis.get_label().get_text()
                if label and not categorical and "(" not in label:
                    missing_units.append((name, label))
    assert (missing_n, missing_units) == ([], [])


# figures whose data take several seconds (they draw n too; only key_drivers_mobi's is asserted,
# in test_figures_drivers.py)
_HEAVY = {"ordinal_loading_bias", "what_if_money", "key_drivers_mobi", "gap5_caterpillar_sim"}


def _text_overlaps(fig, ax):
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    texts = [t for t in ax.texts if t.get_text()]
    boxes = [Text.get_window_extent(t, renderer) for t in texts]
    return texts, [
        (a.get_text(), b.get_text())
        for (a, ba), (b, bb) in itertools.combinations(zip(texts, boxes), 2)
        if ba.overlaps(bb)
    ]


def test_sem_path_diagram_loading_labels_do_not_overlap():
    """Issue 15: the satisfaction and loyalty loading labels overlapped."""
    spec = registry()["sem_path_diagram_sim"]
    res = spec.data()
    fig = spec.render()
    texts, overlaps = _text_overlaps(fig, fig.axes[0])
    assert overlaps == []
    p = res.params
    load = p[(p["op"] == "=~") & p["lhs"].isin(["satisfaction", "loyalty"])]
    shown = {t.get_text() for t in texts}
    assert len(load) == 6
    for r in load.itertuples():  # the labels are the completely standardized loadings
        assert any(s.startswith(f"{r.std_all:.2f}") for s in shown)
    assert fig.axes[0].get_title().startswith(f"Path diagram (n = {res.n:,};")
