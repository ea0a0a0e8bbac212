"""The progress charts as markup: well-formed SVG, labelled for assistive technology, and
marks whose sizes and colours follow the numbers."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from markupsafe import Markup

from app.web.charts import (
    SHADES,
    activity_chart,
    forecast_chart,
    mastery_chart,
    shade,
)
from app.web.schemas import DayCount, TopicMastery

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: Markup) -> ET.Element:
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    chart_id = root.attrib["id"]
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-labelledby"] == f"{chart_id}-title {chart_id}-desc"
    title, desc = root[0], root[1]
    assert (title.tag, title.attrib["id"]) == (f"{SVG}title", f"{chart_id}-title")
    assert (desc.tag, desc.attrib["id"]) == (f"{SVG}desc", f"{chart_id}-desc")
    return root


def days(first: date, counts: list[int]) -> list[DayCount]:
    return [DayCount(day=first + timedelta(days=i), count=c) for i, c in enumerate(counts)]


def test_mastery_bars_are_the_share_of_the_bar_width() -> None:
    rows = [
        TopicMastery(topic_id="a", title="Tensors", mastered=3, total=4, share=0.75),
        TopicMastery(topic_id="b", title="Autograd", mastered=0, total=5, share=0.0),
    ]
    root = parse(mastery_chart(rows))
    assert root[0].text == "Mastery per topic"
    assert root[1].text == "3 of 9 questions mastered across 2 topics."
    groups = root.findall(f"{SVG}g")
    assert [g[0].text for g in groups] == [
        "Tensors: 3 of 4 questions mastered",
        "Autograd: 0 of 5 questions mastered",
    ]
    # Track, then fill: 300 wide, so 3/4 fills 225.
    assert [g.findall(f"{SVG}rect")[1].attrib["width"] for g in groups] == ["225.0", "0.0"]
    assert [g.findall(f"{SVG}text")[1].text for g in groups] == ["3/4", "0/5"]


def test_titles_from_quiz_files_are_escaped_and_long_ones_shortened() -> None:
    title = "<script>alert(1)</script> & a very long title that goes on and on"
    markup = mastery_chart(
        [TopicMastery(topic_id="x", title=title, mastered=1, total=1, share=1.0)]
    )
    assert "<script>" not in markup
    group = parse(markup).find(f"{SVG}g")
    assert group is not None
    assert group[0].text == f"{title}: 1 of 1 questions mastered"  # the full title on hover
    label = group.findall(f"{SVG}text")[0].text or ""
    assert label.endswith("…") and len(label) <= 34


@pytest.mark.parametrize(
    ("count", "index"), [(0, 0), (1, 1), (2, 1), (3, 2), (5, 2), (6, 3), (9, 3), (10, 4), (99, 4)]
)
def test_activity_shades_step_up_with_answers(count: int, index: int) -> None:
    assert shade(count) == SHADES[index]


def test_activity_calendar_has_a_square_per_day_in_weekday_rows() -> None:
    first = date(2026, 9, 9)  # a Wednesday
    counts = [0] * 84
    counts[0], counts[5], counts[83] = 1, 12, 4
    root = parse(activity_chart(days(first, counts)))
    squares = root.findall(f"{SVG}rect[@class='day']")
    assert len(squares) == 84
    assert [int(s.attrib["data-count"]) for s in squares] == counts
    # Monday on top: Wednesday is the third row, and 84 days from a Wednesday span 13 weeks.
    ys = sorted({int(s.attrib["y"]) for s in squares})
    assert len(ys) == 7 and int(squares[0].attrib["y"]) == ys[2]
    assert len({s.attrib["x"] for s in squares}) == 13
    assert squares[5].attrib["fill"] == SHADES[4]
    assert squares[0][0].text == "2026-09-09: 1 answer"
    assert squares[83][0].text == "2026-12-01: 4 answers"
    assert root[1].text == "17 answers on 3 of 84 days, 09 Sep 2026 to 01 Dec 2026."
    legend = [t.text for t in root.findall(f"{SVG}text")][-6:]
    assert legend == ["answers:", "0", "1-2", "3-5", "6-9", "10+"]


def test_forecast_bars_are_scaled_to_the_busiest_day() -> None:
    today = date(2026, 3, 2)
    counts = [2, 0, 4, 1] + [0] * 26
    root = parse(forecast_chart(days(today, counts)))
    bars = root.findall(f"{SVG}rect[@class='due']")
    assert len(bars) == 30
    assert len(root.findall(f"{SVG}rect")) == 60  # and a tick under each day
    # 110 px of plot: the busiest day (4) is full height, 2 is half, 1 a quarter.
    assert [float(b.attrib["height"]) for b in bars[:4]] == [55.0, 0.0, 110.0, 27.5]
    assert bars[0][0].text == "2026-03-02 (today): 2 due"
    assert bars[2][0].text == "2026-03-04 (in 2 days): 4 due"
    assert root[1].text == "7 reviews due in the next 30 days; 2 today, at most 4 on one day."


def test_charts_of_nothing_still_say_so() -> None:
    assert parse(forecast_chart(days(date(2026, 3, 2), [0] * 30)))[1].text == (
        "0 reviews due in the next 30 days; 0 today, at most 0 on one day."
    )
    assert parse(mastery_chart([]))[1].text == "0 of 0 questions mastered across 0 topics."
