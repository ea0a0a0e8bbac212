"""The progress page's pictures, drawn on the server as accessible SVG (no script).

Each chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`; every mark
has a `<title>` with its number; the page shows the same numbers as a table beside it.
Every text that comes from quiz files is escaped.
"""

from datetime import date

from markupsafe import Markup, escape

from app.web.schemas import DayCount, TopicMastery

GOOD = "#1f7a4d"
TRACK = "#ecece6"
ACCENT = "#ee4c2c"
INK = "#1d2433"
MUTED = "#5b6578"
# Activity shades: none, then four steps of green by answers that day.
SHADES = ("#ecece6", "#b7dfc7", "#73bf94", "#2f9461", "#1f5f3f")
SHADE_FLOORS = (1, 3, 6, 10)  # answers from which each darker shade starts
LABEL_CHARS = 34


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" font-family="system-ui, sans-serif" font-size="12">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def mastery_chart(mastery: list[TopicMastery]) -> Markup:
    """One bar per topic: the share of its questions mastered."""
    label_w, bar_w, row_h, top = 250, 300, 26, 6
    width, height = label_w + bar_w + 70, top + row_h * max(len(mastery), 1)
    body: list[str] = []
    for row, topic in enumerate(mastery):
        y = top + row * row_h
        filled = round(bar_w * topic.share, 1)
        words = f"{topic.title}: {topic.mastered} of {topic.total} questions mastered"
        body.append(
            f'<g class="mastery-row"><title>{escape(words)}</title>'
            f'<text x="0" y="{y + 14}" fill="{INK}">{escape(_short(topic.title))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="14" rx="7" fill="{TRACK}"/>'
            f'<rect x="{label_w}" y="{y + 3}" width="{filled}" height="14" rx="7" fill="{GOOD}"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y + 14}" fill="{MUTED}">'
            f"{topic.mastered}/{topic.total}</text></g>"
        )
    mastered = sum(t.mastered for t in mastery)
    total = sum(t.total for t in mastery)
    desc = f"{mastered} of {total} questions mastered across {len(mastery)} topics."
    return _svg("chart-mastery", width, height, "Mastery per topic", desc, body)


def shade(count: int) -> str:
    """The colour of a day with `count` answers."""
    return SHADES[sum(count >= floor for floor in SHADE_FLOORS)]


def activity_chart(activity: list[DayCount]) -> Markup:
    """A calendar of answers per day: a column per week (Monday on top), a square per day."""
    cell, gap, left, top = 16, 4, 30, 18
    first_weekday = activity[0].day.weekday() if activity else 0
    weeks = (first_weekday + len(activity) + 6) // 7
    width, height = left + weeks * (cell + gap), top + 7 * (cell + gap) + 22
    body = [
        _label(0, top + row * (cell + gap) + 11, name)
        for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun"))
    ]
    for offset, day in enumerate(activity):
        column, row = divmod(first_weekday + offset, 7)
        x, y = left + column * (cell + gap), top + row * (cell + gap)
        if (row == 0 and day.day.day <= 7) or (offset == 0 and day.day.day <= 21):
            body.append(f'<text x="{x}" y="11" fill="{MUTED}" font-size="10">{day.day:%b}</text>')
        words = f"{day.day.isoformat()}: {_answers(day.count)}"
        body.append(
            f'<rect class="day" x="{x}" y="{y}" width="{cell}" height="{cell}" rx="3" '
            f'fill="{shade(day.count)}" data-count="{day.count}"><title>{words}</title></rect>'
        )
    body.extend(_shade_legend(left, height - 12, cell))
    total = sum(d.count for d in activity)
    active = sum(1 for d in activity if d.count)
    span = f"{_day(activity[0].day)} to {_day(activity[-1].day)}" if activity else "no days"
    desc = f"{_answers(total)} on {active} of {len(activity)} days, {span}."
    return _svg("chart-activity", width, height, "Answers per day, last 12 weeks", desc, body)


def _shade_legend(x: int, y: int, cell: int) -> list[str]:
    # Which shade means how many answers: "0, 1-2, 3-5, 6-9, 10+".
    floors = (0, *SHADE_FLOORS)
    marks = [_label(x, y + 10, "answers:")]
    x += 46
    for index, colour in enumerate(SHADES):
        upper = floors[index + 1] - 1 if index + 1 < len(floors) else None
        words = (
            f"{floors[index]}"
            if upper == floors[index]
            else (f"{floors[index]}+" if upper is None else f"{floors[index]}-{upper}")
        )
        marks.append(
            f'<rect class="legend" x="{x}" y="{y}" width="{cell - 4}" height="{cell - 4}" '
            f'rx="2" fill="{colour}"/>'
        )
        marks.append(_label(x + cell - 1, y + 10, words))
        x += cell + 6 + 7 * len(words)
    return marks


def forecast_chart(forecast: list[DayCount]) -> Markup:
    """A bar per day: how many reviews fall due, from today on."""
    bar, gap, left, top, plot_h = 14, 4, 28, 10, 110
    width, height = left + len(forecast) * (bar + gap), top + plot_h + 22
    peak = max((d.count for d in forecast), default=0)
    scale = max(peak, 1)
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}" '
        f'stroke="{TRACK}"/>',
        _label(0, top + 10, str(peak)),
        _label(0, top + plot_h, "0"),
    ]
    for offset, day in enumerate(forecast):
        x = left + offset * (bar + gap)
        h = round(plot_h * day.count / scale, 1)
        when = "today" if offset == 0 else f"in {offset} day{'s' if offset > 1 else ''}"
        words = f"{day.day.isoformat()} ({when}): {day.count} due"
        # A tick under every day, so that an empty day still shows where it is.
        body.append(
            f'<rect x="{x}" y="{top + plot_h + 1}" width="{bar}" height="3" fill="{TRACK}"/>'
            f'<rect class="due" x="{x}" y="{top + plot_h - h}" width="{bar}" height="{h}" '
            f'fill="{ACCENT}" data-count="{day.count}"><title>{words}</title></rect>'
        )
        if offset % 7 == 0:
            label = "today" if offset == 0 else f"+{offset}d"
            body.append(_label(x, top + plot_h + 16, label))
    total = sum(d.count for d in forecast)
    desc = (
        f"{total} reviews due in the next {len(forecast)} days; "
        f"{forecast[0].count if forecast else 0} today, at most {peak} on one day."
    )
    return _svg("chart-forecast", width, height, "Reviews due, next 30 days", desc, body)


def _label(x: float, y: float, text: str) -> str:
    return f'<text x="{x}" y="{y}" fill="{MUTED}" font-size="10">{escape(text)}</text>'


def _answers(count: int) -> str:
    return f"{count} answer{'' if count == 1 else 's'}"


def _day(day: date) -> str:
    return f"{day:%d %b %Y}"
