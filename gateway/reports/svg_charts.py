"""Bar charts as inline SVG, drawn on the server (pure): no script, prints and archives as it is.

For a right-to-left language the chart is mirrored (the first category on the right, the axis on the
right) and its text runs right to left; axis figures are written as the language writes numbers."""

from collections.abc import Mapping, Sequence
from html import escape

from services.shared.i18n import formats

PALETTE = ("#1f5f99", "#e08a1e", "#3a9a5b", "#b03a48", "#6d5ba8", "#7f7f7f")
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 28, 40


def _nice_top(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _label(value: float, language: str = "en") -> str:
    return formats.number(language, value, 0 if value >= 10 or value == int(value) else 2)


def grouped_bars(
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    target: float | None = None,
    rtl: bool = False,
    language: str = "en",
) -> str:
    """One group of bars per category, one bar per series (None draws nothing); an optional target line."""
    values = [v for vs in series.values() for v in vs if v is not None]
    top = _nice_top(max([*values, target or 0, 0]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(1, len(categories))
    bar_w = group_w * 0.8 / max(1, len(series))

    def y(value: float) -> float:
        return TOP + plot_h - value / top * plot_h

    def x(at: float, width: float = 0.0) -> float:
        """A left-to-right x; mirrored for right to left (with `direction`, text anchors follow)."""
        return WIDTH - at - width if rtl else at

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart" direction="{"rtl" if rtl else "ltr"}">',
        f'<text x="{x(LEFT)}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in range(5):
        value = top * tick / 4
        parts.append(
            f'<line x1="{x(LEFT)}" x2="{x(WIDTH - RIGHT)}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{x(LEFT - 6)}" y="{y(value) + 4:.1f}" font-size="10" text-anchor="end">'
            f"{_label(value, language)}</text>"
        )
    for i, category in enumerate(categories):
        x0 = LEFT + i * group_w + group_w * 0.1
        for j, (name, vs) in enumerate(series.items()):
            bar = vs[i] if i < len(vs) else None
            if bar is None:
                continue
            left, top_y = x(x0 + j * bar_w, bar_w * 0.92), y(bar)
            parts.append(
                f'<rect x="{left:.1f}" y="{top_y:.1f}" width="{bar_w * 0.92:.1f}" '
                f'height="{TOP + plot_h - top_y:.1f}" fill="{PALETTE[j % len(PALETTE)]}">'
                f"<title>{escape(name)}, {escape(category)}: {_label(bar, language)}</title></rect>"
            )
        parts.append(
            f'<text x="{x(LEFT + (i + 0.5) * group_w):.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    if target is not None:
        parts.append(
            f'<line x1="{x(LEFT)}" x2="{x(WIDTH - RIGHT)}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
            f'stroke="#b03a48" stroke-dasharray="5 3"/>'
        )
    for j, name in enumerate(series):
        at = LEFT + j * 130
        parts.append(
            f'<rect x="{x(at, 10)}" y="{HEIGHT - 14}" width="10" height="10" '
            f'fill="{PALETTE[j % len(PALETTE)]}"/>'
            f'<text x="{x(at + 14)}" y="{HEIGHT - 5}" font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars(
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    label_every: int = 1,
    rtl: bool = False,
    language: str = "en",
) -> str:
    """One bar per category, one segment per series stacked in order: many categories (a year's
    weeks) stay readable where grouped bars would not; every `label_every`-th category is labelled."""
    totals = [sum(vs[i] for vs in series.values() if i < len(vs)) for i in range(len(categories))]
    top = _nice_top(max([*totals, 0]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar_w = plot_w / max(1, len(categories))

    def x(at: float, width: float = 0.0) -> float:
        return WIDTH - at - width if rtl else at

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart stacked" direction="{"rtl" if rtl else "ltr"}">',
        f'<text x="{x(LEFT)}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in range(5):
        value = top * tick / 4
        at_y = TOP + plot_h - value / top * plot_h
        parts.append(
            f'<line x1="{x(LEFT)}" x2="{x(WIDTH - RIGHT)}" y1="{at_y:.1f}" y2="{at_y:.1f}" stroke="#ddd"/>'
            f'<text x="{x(LEFT - 6)}" y="{at_y + 4:.1f}" font-size="10" text-anchor="end">'
            f"{_label(value, language)}</text>"
        )
    for i, category in enumerate(categories):
        base: float = TOP + plot_h
        for j, (name, vs) in enumerate(series.items()):
            value = vs[i] if i < len(vs) else 0
            if not value:
                continue
            height = value / top * plot_h
            base -= height
            parts.append(
                f'<rect x="{x(LEFT + i * bar_w, bar_w * 0.85):.1f}" y="{base:.1f}" '
                f'width="{bar_w * 0.85:.1f}" height="{height:.1f}" fill="{PALETTE[j % len(PALETTE)]}">'
                f"<title>{escape(name)}, {escape(category)}: {_label(value, language)}</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x(LEFT + (i + 0.5) * bar_w):.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
                f'text-anchor="middle">{escape(category)}</text>'
            )
    for j, name in enumerate(series):
        at = LEFT + j * 110
        parts.append(
            f'<rect x="{x(at, 10)}" y="{HEIGHT - 14}" width="10" height="10" '
            f'fill="{PALETTE[j % len(PALETTE)]}"/>'
            f'<text x="{x(at + 14)}" y="{HEIGHT - 5}" font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
