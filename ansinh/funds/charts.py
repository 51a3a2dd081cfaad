"""Charts drawn on the server as inline SVG: no script, no CDN, readable when printed and by a
screen reader (each chart has a title and every bar its own <title> with the exact amount).

Campaign progress is three bars per campaign on one scale: received (net of reversals),
pledged, and the target. A pledge is a promise, so it is drawn apart from what was received,
never stacked on it.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from ansinh.web.templatetags.ansinh import num

WIDTH = 720
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 16
LEGEND_HEIGHT = 26
VALUE_SPACE = 150  # room right of the longest bar for its amount

SERIES = (
    ("received", _("Đã nhận"), "#1e7b34"),
    ("pledged", _("Đã cam kết"), "#c98a00"),
    ("target", _("Mục tiêu"), "#8a96a3"),
)


def _exact(amount: int) -> str:
    """12.500.000 đ in Vietnamese, 12,500,000 đ in English."""
    return f"{num(amount)} đ"


def _short(amount: int) -> str:
    """Amount as officers say it on a chart: 5,2 tỷ, 350 triệu, 12.500.000 đ (in English
    5.2 billion, 350 million, 12,500,000 đ)."""
    for size, words in ((1_000_000_000, gettext("%(n)s tỷ")),
                        (1_000_000, gettext("%(n)s triệu"))):
        if amount >= size:
            figure = f"{amount / size:.1f}".rstrip("0").rstrip(".")
            if not (get_language() or "vi").startswith("en"):
                figure = figure.replace(".", ",")
            return words % {"n": figure}
    return _exact(amount)


def campaign_progress_svg(rows: list[dict], *, title: str = "",
                          chart_id: str = "campaign-progress") -> SafeString:
    """rows: dicts with name, received, pledged and target (None when the campaign has none).
    Returns an empty string when there is nothing to draw."""
    if not rows:
        return mark_safe("")
    title = title or gettext("Tiến độ vận động")
    top = max(max(r["received"] or 0, r["pledged"] or 0, r["target"] or 0) for r in rows) or 1
    scale = (WIDTH - VALUE_SPACE) / top
    group = LABEL_HEIGHT + 3 * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    height = LEGEND_HEIGHT + group * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'id="{chart_id}" aria-labelledby="{chart_id}-title" font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    not_set = gettext("%(label)s: không đặt")
    of_target = gettext("%(share)s%% mục tiêu")
    x = 0
    for _key, label, colour in SERIES:
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="14">{label}</text>')
        x += 110
    y = LEGEND_HEIGHT
    for row in rows:
        parts.append(f'<text x="0" y="{y + 13}" font-weight="600">{escape(row["name"])}</text>')
        bar_y = y + LABEL_HEIGHT
        for key, label, colour in SERIES:
            amount = row.get(key)
            if amount is None:
                parts.append(f'<text x="0" y="{bar_y + 11}" fill="#5b6775">'
                             f'{escape(not_set % {"label": label})}</text>')
            else:
                width = max(round(amount * scale), 1 if amount else 0)
                exact = escape(f"{label}: {_exact(amount)}")
                parts.append(
                    f'<rect class="bar-{key}" x="0" y="{bar_y}" width="{width}" '
                    f'height="{BAR_HEIGHT}" fill="{colour}"><title>{exact}</title></rect>'
                    f'<text x="{width + 6}" y="{bar_y + 11}">{escape(_short(amount))}</text>')
            bar_y += BAR_HEIGHT + BAR_GAP
        if row.get("target"):
            share = round(100 * (row["received"] or 0) / row["target"])
            parts.append(f'<text x="{WIDTH}" y="{y + 13}" text-anchor="end" fill="#5b6775">'
                         f'{escape(of_target % {"share": share})}</text>')
        y += group
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text from data went through escape()
