"""Markdown to HTML (raw HTML off) with Pygments highlighting, done once at load."""

from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)


def highlight_code(code: str, language: str = "python") -> Markup:
    """Highlighted HTML for a code block, wrapped in `<pre class="highlight">`."""
    try:
        lexer = PythonLexer() if language == "python" else get_lexer_by_name(language)
    except ClassNotFound:
        return Markup('<pre class="highlight"><code>{}</code></pre>').format(code)
    body = highlight(code, lexer, _FORMATTER)
    return Markup(f'<pre class="highlight"><code>{body}</code></pre>')  # noqa: S704 - Pygments escapes


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.add_render_rule("fence", _render_fence)
    return md


def _render_fence(
    self: object, tokens: Sequence[Token], idx: int, options: object, env: object
) -> str:
    token = tokens[idx]
    language = token.info.strip().split(" ")[0] if token.info else ""
    return str(highlight_code(token.content, language or "text")) + "\n"


def render_markdown(source: str) -> Markup:
    """Render an author's Markdown block; raw HTML in the source is shown as text."""
    return Markup(_markdown().render(source))


def render_inline(source: str) -> Markup:
    """Render a one-line Markdown fragment (an option, a quick check) without a `<p>` wrapper."""
    if "\n" in source.strip() or source.lstrip().startswith("```"):
        return render_markdown(source)
    return Markup(_markdown().renderInline(source))


def _is_live_python(token: Token) -> bool:
    # Only top-level blocks run live; one nested in a list or quote is just highlighted.
    language = token.info.strip().split(" ")[0] if token.info else ""
    return token.type == "fence" and token.level == 0 and language in {"python", "py"}


def split_markdown(source: str) -> list[Markup | tuple[str, int]]:
    """Render Markdown as HTML pieces, with each top-level ```python block left as its code.

    A code piece is `(code, line)`, `line` counting from 0 at the source's first line (the
    code's own first line, after the fence). The caller turns code pieces into live snippets.
    """
    md = _markdown()
    tokens = md.parse(source)
    parts: list[Markup | tuple[str, int]] = []
    start = 0
    for index, token in enumerate(tokens):
        if _is_live_python(token):
            if index > start:
                parts.append(Markup(md.renderer.render(tokens[start:index], md.options, {})))
            parts.append((token.content, (token.map or [0])[0] + 1))
            start = index + 1
    if start < len(tokens):
        parts.append(Markup(md.renderer.render(tokens[start:], md.options, {})))
    return parts
