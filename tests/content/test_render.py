"""Markdown rendering: raw HTML off, code highlighted, top-level python blocks made live."""

from markupsafe import Markup

from app.content.render import highlight_code, render_markdown, split_markdown


def test_raw_html_is_shown_as_text() -> None:
    html = render_markdown("<script>alert(1)</script>\n\n**ok** <b onclick=x>hi</b>")
    assert "<script>" not in html and "<b " not in html
    assert "&lt;script&gt;" in html
    assert "<strong>ok</strong>" in html


def test_code_is_highlighted_and_escaped() -> None:
    html = highlight_code("print('<b>')")
    assert html.startswith('<pre class="highlight"><code>')
    assert "&lt;b&gt;" in html
    assert '<span class="nb">print</span>' in html


def test_top_level_python_blocks_are_split_out_as_code() -> None:
    source = (
        "Intro\n\n```python\nprint(1)\n```\n\nMiddle\n\n"
        "- a list\n\n  ```python\n  nested()\n  ```\n\n```text\nplain\n```\n"
    )
    parts = split_markdown(source)
    assert [type(p) for p in parts] == [Markup, tuple, Markup]
    assert parts[1] == ("print(1)\n", 3)  # the code's first line: the fence is on line 2
    # A nested block and a non-python block stay in the HTML, highlighted, not live.
    assert "nested" in parts[2] and "plain" in parts[2]


def test_lesson_without_code_is_one_part() -> None:
    assert split_markdown("just *text*") == [Markup("<p>just <em>text</em></p>\n")]
