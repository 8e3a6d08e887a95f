"""The charts of the HTML report: matplotlib figures (no pyplot: no GUI backend, no global
state) written as inline SVG with fixed ids and no date, so the same comparison gives the same
bytes. matplotlib is optional: :func:`require_matplotlib` says so before anything is solved."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from .compare import Comparison
from .errors import QuotaoptError
from .i18n import _
from .messages import render
from .report_cells import CHANGE_MEASURES, cell_text, isna, label


class MissingDependencyError(QuotaoptError):
    """An optional library that the requested output needs is not installed (exit code 2)."""

    exit_code = 2


def require_matplotlib() -> None:
    """Raise :class:`MissingDependencyError` (before any solving) if matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependencyError(render("matplotlib_missing", {})) from None


#: The baseline is grey in every chart and table swatch; the variants take the palette in turn.
_BASE_COLOR = "#8c8c8c"
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#bcbd22", "#17becf")


def variant_colors(comp: Comparison) -> dict[str, str]:
    """Each variant's colour (the same in every chart and in the HTML tables' swatches)."""
    out, k = {}, 0
    for n in comp.variants:
        if n == comp.baseline:
            out[n] = _BASE_COLOR
        else:
            out[n] = _PALETTE[k % len(_PALETTE)]
            k += 1
    return out


def _rc(salt: str) -> AbstractContextManager[Any]:
    import matplotlib

    return matplotlib.rc_context({
        "svg.hashsalt": f"quotaopt-{salt}",  # fixed, distinct ids per chart
        "svg.fonttype": "none",  # text stays text: the browser renders CJK names
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Noto Sans CJK SC", "Microsoft YaHei",
                            "sans-serif"],
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
    })


def _chart(salt: str, draw: Callable[[Any], None], size: tuple[float, float]) -> str:
    """Draw on a fresh Figure (no pyplot) and return its ``<svg>`` element."""
    from matplotlib.figure import Figure

    with _rc(salt):
        fig = Figure(figsize=size, layout="constrained")
        draw(fig)
        buf = io.StringIO()
        # no date, creator or licence metadata: same input, same bytes. The text stays text
        # (svg.fonttype none): the browser draws Chinese with its own fonts, so matplotlib's
        # warnings about glyphs missing from its fonts do not concern the reader
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            fig.savefig(buf, format="svg",
                        metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    svg = text[text.index("<svg"):]
    # ids unique within the page (several charts share matplotlib's "figure_1", …)
    svg = re.sub(r'(\bid="|url\(#|href="#)', rf"\g<1>{salt}-", svg)
    # scale with the page; the viewBox keeps the proportions
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)


def _height(value: Any) -> float:
    return 0.0 if isna(value) else float(value)


def _hbars(ax: Any, comp: Comparison, metric: str, colors: dict[str, str], title: str,
           money: bool = False) -> None:
    from matplotlib.ticker import MaxNLocator

    names = list(comp.variants)
    values = [comp.kpi.loc[n, metric] for n in names]
    deltas = [comp.kpi.loc[n, f"{metric}_delta"] for n in names]
    ys = list(range(len(names)))[::-1]
    heights = [_height(v) for v in values]
    ax.barh(ys, heights, color=[colors[n] for n in names], height=0.7)
    top = max(heights + [1.0])
    for y, v, d, h in zip(ys, values, deltas, heights, strict=True):
        label = _("no plan") if isna(v) else cell_text(v, d, money)
        ax.text(h + top * 0.02, y, label, va="center", fontsize=8)
    ax.set_yticks(ys, names)
    ax.set_xlim(0, top * 1.45)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, loc="left")
    ax.tick_params(axis="x", labelsize=7)


def chart_caps(comp: Comparison) -> str:
    """Caps in force per variant: what the rule changes do to the ceilings."""
    colors = variant_colors(comp)

    def draw(fig: Any) -> None:
        ax1, ax2 = fig.subplots(1, 2)
        _hbars(ax1, comp, "cap_senior", colors, _("senior cap (posts)"))
        _hbars(ax2, comp, "cap_senior_intermediate", colors,
               _("senior+intermediate cap (posts)"))

    return _chart("caps", draw, (11, 0.3 * len(comp.variants) + 0.9))


def chart_kpi(comp: Comparison) -> str:
    """Key figures per variant, one panel per figure, baseline in grey."""
    colors = variant_colors(comp)
    panels = ("posts_senior", "posts_intermediate", "appointed_senior",
              "appointed_intermediate", "waiting_left_senior", "waiting_left_intermediate")

    def draw(fig: Any) -> None:
        axes = fig.subplots(3, 2)
        for ax, m in zip(axes.flat, panels, strict=True):
            _hbars(ax, comp, m, colors, label(m))

    return _chart("kpi", draw, (11, 3 * (0.3 * len(comp.variants) + 0.8)))


def chart_by_type(comp: Comparison) -> str:
    """Grouped bars: per unit type, one bar per variant."""
    colors = variant_colors(comp)
    panels = ("posts_senior", "posts_intermediate", "appointed_senior", "appointed_intermediate")
    from matplotlib.ticker import MaxNLocator

    types = list(dict.fromkeys(t for t, _ in comp.by_type.index))
    names = list(comp.variants)
    width = 0.8 / max(1, len(names))

    def draw(fig: Any) -> None:
        axes = fig.subplots(2, 2)
        for ax, m in zip(axes.flat, panels, strict=True):
            for k, n in enumerate(names):
                xs = [i + (k - (len(names) - 1) / 2) * width for i in range(len(types))]
                hs = [comp.by_type.loc[(t, n), m] if (t, n) in comp.by_type.index else None
                      for t in types]
                ax.bar(xs, [_height(h) for h in hs], width=width * 0.95,
                       color=colors[n], label=n)
            ax.set_xticks(range(len(types)), types)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(_("{figure} by type").format(figure=label(m)), loc="left")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncols=min(8, len(names)),
                   frameon=False, fontsize=8)

    return _chart("types", draw, (11, 6.0))


def chart_unit_changes(comp: Comparison) -> str:
    """Per variant, how many units change by how much (unchanged units noted, not drawn)."""
    from matplotlib.ticker import MaxNLocator

    colors = variant_colors(comp)
    shown = [n for n in comp.others if (comp.unit_diff["variant"] == n).any()]

    def draw(fig: Any) -> None:
        if not shown:
            ax = fig.subplots()
            ax.axis("off")
            ax.text(0.5, 0.5, _("no variant with a plan to compare with the baseline"),
                    ha="center", va="center")
            return
        axes = fig.subplots(len(shown), len(CHANGE_MEASURES), squeeze=False)
        for r, n in enumerate(shown):
            d = comp.unit_diff[(comp.unit_diff["variant"] == n)
                               & (comp.unit_diff["presence"] == "both")]
            for c, (measure, title) in enumerate(CHANGE_MEASURES):
                ax = axes[r][c]
                counts = d[f"{measure}_delta"].astype("int64").value_counts().sort_index()
                unchanged = int(counts.get(0, 0))
                moved = counts[counts.index != 0]
                xs = [int(x) for x in moved.index]
                ax.bar(xs, moved.to_numpy(), color=colors[n], width=0.8)
                ax.axvline(0, color="#444444", linewidth=0.8)
                ax.set_xlim(min([-1, *xs]) - 0.8, max([1, *xs]) + 0.8)
                ax.set_ylim(0, max([1, *moved.tolist()]) * 1.1)
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
                ax.set_title(_("{variant} · {title}\n{count} units unchanged").format(
                    variant=n, title=_(title), count=unchanged), loc="left",
                             fontsize=9)
                if not xs:
                    ax.text(0.5, 0.5, _("no unit changes"), transform=ax.transAxes,
                            ha="center", va="center", fontsize=8, color="#444444")
                ax.tick_params(labelsize=7)
                if c == 0:
                    ax.set_ylabel(_("units"), fontsize=8)
        for ax in axes[-1]:
            ax.set_xlabel(_("change per unit vs baseline"), fontsize=8)

    return _chart("units", draw, (11, max(2.0, 2.0 * len(shown))))
