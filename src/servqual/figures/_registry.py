"""The figure registry: every report figure, rebuildable byte for byte.

A figure is registered as a :class:`FigureSpec`: a pure drawing function
``draw(target, data) -> target`` (``target`` is an Axes or a Figure) and a
``data`` callable that loads shipped datasets or runs seeded simulations.
Only :func:`build` / :func:`build_all` write files; drawing functions never
call ``show()`` or ``savefig()``.

Files are deterministic: the package style fixes fonts and ``svg.hashsalt``,
and PNG/SVG/PDF metadata (software, dates) are stripped.  Figure modules in
this package register themselves at import; :func:`registry` imports them all.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import matplotlib as mpl
import matplotlib.style
from matplotlib.figure import Figure

from ..errors import ParameterError

__all__ = [
    "FigureSpec",
    "toolchain",
    "write_manifest",
    "register",
    "registry",
    "build",
    "build_all",
    "style_context",
    "save_figure",
    "sha256_file",
]

_REGISTRY: dict[str, FigureSpec] = {}
FORMATS = ("png", "svg")
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}


@dataclass(frozen=True)
class FigureSpec:
    """One registered figure.

    Attributes
    ----------
    name : str
        File stem, e.g. ``"rater_gap_profile_sim"``.
    draw : callable
        ``draw(ax, data) -> ax`` (``kind="ax"``) or ``draw(fig, data) -> fig``.
    data : callable
        ``data() -> object`` passed to ``draw``; deterministic (fixed seeds).
    kind : {"ax", "fig"}
    figsize : (width, height) in inches
    description : str
    """

    name: str
    draw: Callable
    data: Callable[[], object]
    kind: str = "ax"
    figsize: tuple[float, float] = (6.4, 4.0)
    description: str = ""
    tags: tuple[str, ...] = field(default=())

    def render(self) -> Figure:
        """Draw the figure (under the package style) and return it."""
        with style_context():
            fig = Figure(figsize=self.figsize)
            target = fig.add_subplot() if self.kind == "ax" else fig
            self.draw(target, self.data())
        return fig


def register(spec: FigureSpec) -> FigureSpec:
    """Add ``spec`` to the registry (names must be unique).

    Examples
    --------
    >>> spec = register(FigureSpec("demo_line", lambda ax, d: ax.plot(d), lambda: [1, 2, 3]))
    >>> registry()["demo_line"] is spec
    True
    >>> _ = _REGISTRY.pop("demo_line")  # keep the real registry clean
    """
    if spec.kind not in ("ax", "fig"):
        raise ParameterError(f"kind={spec.kind!r} is invalid: expected 'ax' or 'fig'.")
    old = _REGISTRY.get(spec.name)
    if old is not None and old.draw is not spec.draw:
        raise ParameterError(f"a figure named {spec.name!r} is already registered.")
    _REGISTRY[spec.name] = spec
    return spec


def registry() -> dict[str, FigureSpec]:
    """All registered figures by name (imports every figure module first).

    Examples
    --------
    >>> "rater_gap_profile_sim" in registry()
    True
    """
    pkg = importlib.import_module("servqual.figures")
    for mod in pkgutil.iter_modules(pkg.__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"servqual.figures.{mod.name}")
    return dict(sorted(_REGISTRY.items()))


@contextlib.contextmanager
def style_context():
    """Apply the package style for the duration of the block; nothing leaks.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["svg.hashsalt"]
    >>> with style_context():
    ...     mpl.rcParams["svg.hashsalt"]
    'servqual'
    >>> mpl.rcParams["svg.hashsalt"] == before
    True
    """
    style = resources.files("servqual.figures") / "servqual.mplstyle"
    with resources.as_file(style) as path, mpl.rc_context():
        mpl.style.use(str(path))
        fallback = cjk_font()
        if fallback is not None:  # Chinese/Japanese/Korean labels: glyphs DejaVu lacks
            mpl.rcParams["font.family"] = [*mpl.rcParams["font.family"], fallback]
        yield


#: CJK font families tried as fallback, in order (Debian: ``apt-get install fonts-noto-cjk``)
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
)
_CJK_FILES = ("notosanscjk", "sourcehansans", "wqy-", "droidsansfallback", "msyh", "simhei")


@functools.cache
def cjk_font() -> str | None:
    """The installed CJK font family used as fallback by the package style, or None.

    Latin text keeps DejaVu Sans (so existing figures are byte-identical); only
    glyphs DejaVu lacks come from this font.  Fonts installed after
    matplotlib built its font cache are found on disk and registered.

    Examples
    --------
    >>> cjk_font() is None or "CJK" in cjk_font() or isinstance(cjk_font(), str)
    True
    """
    from matplotlib import font_manager as fm

    def first():
        names = {f.name for f in fm.fontManager.ttflist}
        return next((f for f in CJK_FAMILIES if f in names), None)

    found = first()
    if found is None:  # installed after matplotlib's font cache was built: register one file
        files = [
            p
            for p in fm.findSystemFonts()
            if Path(p).name.lower().startswith(_CJK_FILES)
            and not any(w in Path(p).name.lower() for w in ("serif", "mono", "bold", "light"))
        ]
        for path in sorted(files, key=lambda p: ("regular" not in p.lower(), p)):
            with contextlib.suppress(Exception):
                fm.fontManager.addfont(path)
            found = first()
            if found is not None:
                break
    return found


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save ``fig`` to ``path`` (format from the suffix) without volatile metadata.

    Create ``fig`` inside :func:`style_context` (as :meth:`FigureSpec.render`
    does): a figure made outside it gets the style's layout engine only at its
    first save, so two saves could differ.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with style_context():  # create figures under the package style, as the registry does
    ...     fig = Figure(); _ = fig.add_subplot().plot([0, 1])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     a = sha256_file(save_figure(fig, pathlib.Path(tmp) / "a.svg"))
    ...     b = sha256_file(save_figure(fig, pathlib.Path(tmp) / "b.svg"))
    >>> a == b
    True
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in _METADATA:
        raise ParameterError(f"format {fmt!r} is not supported: expected png, svg or pdf.")
    from .._io import atomic_write

    with style_context(), atomic_write(path, "wb", force=True) as fh:
        fig.savefig(fh, format=fmt, metadata=_METADATA[fmt])
    return path


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = pathlib.Path(tmp) / "x.txt"
    ...     _ = p.write_bytes(b"abc")
    ...     sha256_file(p)[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def build(spec: FigureSpec, outdir: str | Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Render one figure and write it in each format; return the paths.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.suffix for p in build(registry()["rater_gap_profile_sim"], tmp)]
    ['.png', '.svg']
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    fig = spec.render()
    return [save_figure(fig, outdir / f"{spec.name}.{fmt}") for fmt in formats]


def build_all(
    outdir: str | Path,
    *,
    only: Iterable[str] | None = None,
    formats: Iterable[str] = FORMATS,
    progress="auto",
) -> list[tuple[str, Path, str]]:
    """Build every registered figure (or those named in ``only``).

    Returns a list of ``(name, path, sha256)``, one per file written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = build_all(tmp, only=["item_distribution_mobi"], progress=False)
    >>> [path.name for _, path, _ in out]
    ['item_distribution_mobi.png', 'item_distribution_mobi.svg']
    """
    from .._progress import progress_bar

    specs = registry()
    names = list(specs) if only is None else list(only)
    unknown = [n for n in names if n not in specs]
    if unknown:
        raise ParameterError(f"unknown figure(s) {unknown}; registered: {', '.join(specs)}.")
    out = []
    with progress_bar(total=len(names), enabled=progress, desc="figures") as bar:
        for name in names:
            for p in build(specs[name], outdir, formats):
                out.append((name, p, sha256_file(p)))
            bar.update(1)
    return out


def toolchain() -> dict[str, str]:
    """Versions that determine the bytes of a figure file (recorded in the manifest)."""
    import matplotlib
    import numpy
    import pandas
    import scipy
    import statsmodels
    from matplotlib import ft2font

    # the plotted values come from numpy/scipy/pandas/statsmodels computations:
    # a last-digit change there changes an SVG coordinate
    return {
        "matplotlib": matplotlib.__version__,
        "numpy": numpy.__version__,
        "freetype": ft2font.__freetype_version__,
        "pandas": pandas.__version__,
        "scipy": scipy.__version__,
        "statsmodels": statsmodels.__version__,
    }


def write_manifest(outdir: str | Path, built: list[tuple[str, Path, str]]) -> Path:
    """Write ``MANIFEST.json``: file -> sha256 of a full build, plus :func:`toolchain`."""
    import json

    outdir = Path(outdir)
    payload = {
        "toolchain": toolchain(),
        "files": {p.name: digest for _, p, digest in sorted(built, key=lambda t: t[1].name)},
    }
    from .._io import write_text

    # the caller (``servqual figures``) has refused a user's manifest unless --force
    return write_text(
        outdir / "MANIFEST.json", json.dumps(payload, indent=1, sort_keys=True) + "\n", force=True
    )
