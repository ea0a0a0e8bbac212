"""Map a path into parsed YAML (`questions`, 2, `options`) to the line and column it came from."""

from collections.abc import Sequence

from ruamel.yaml.comments import CommentedMap, CommentedSeq

Position = tuple[int, int]  # 1-based line and column


def _start(node: object) -> Position | None:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return None
    return lc.line + 1, lc.col + 1


def locate(root: object, path: Sequence[int | str], *, at_key: bool = False) -> Position:
    """Where the value at `path` stands; with `at_key`, where its key stands.

    Path parts that do not name a child (pydantic's union tags) are skipped, and a path
    that leaves the document stops at the deepest node found, so a position always comes back.
    """
    node = root
    position = _start(root) or (1, 1)
    parts = list(path)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if isinstance(node, CommentedMap) and part in node:
            line, col = node.lc.key(part) if (last and at_key) else node.lc.value(part)
            position = (line + 1, col + 1)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line, col = node.lc.item(part)
            position = (line + 1, col + 1)
            node = node[part]
        else:
            continue
        if not (last and at_key):
            # A nested mapping or list starts at its first entry, not at its parent's colon.
            position = _start(node) or position
    return position
