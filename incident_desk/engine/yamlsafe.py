"""Safe YAML loading for rule files: plain data only, size- and expansion-capped, with line numbers.

The document is composed into nodes by ruamel.yaml and turned into dicts, lists and scalars here, so
no tag can construct an object (python tags and custom tags are refused), an alias bomb is stopped by
a cap on the number of values built, and every value's line is remembered for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem

MAX_BYTES = 1024 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 64

_STANDARD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STANDARD}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP_TAG, _SEQ_TAG, _MERGE_TAG = f"{_STANDARD}map", f"{_STANDARD}seq", f"{_STANDARD}merge"

Path_ = tuple[str | int, ...]


def dotted(path: Path_) -> str:
    """`rules[2].when.all[0].field` from ('rules', 2, 'when', 'all', 0, 'field')."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


@dataclass
class Document:
    """A loaded rule file: its data, the line of every path in it, and the problems found."""

    file: str
    data: Any = None
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False  # syntax error, refused tag, too big: the data cannot be validated further

    def line_of(self, path: Path_) -> int:
        """Line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Path_, message: str) -> Problem:
        found = Problem(self.file, self.line_of(path), dotted(path), message)
        self.problems.append(found)
        return found


class _TooBig(Exception):
    pass


class _Builder:
    def __init__(self, doc: Document, yaml: YAML) -> None:
        self.doc = doc
        self.constructor = yaml.constructor
        self.built = 0
        self.active: set[int] = set()

    def build(self, node: Node, path: Path_, depth: int = 0) -> Any:
        self.built += 1
        if self.built > MAX_VALUES:
            raise _TooBig(f"document expands to more than {MAX_VALUES:,} values (alias bomb?); refused")
        if depth > MAX_DEPTH:
            raise _TooBig(f"nesting deeper than {MAX_DEPTH} levels; refused")
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        tag = str(node.tag)
        if id(node) in self.active:
            self.doc.problem(path, "recursive alias refers to itself; refused")
            self.doc.unreadable = True
            return None
        if isinstance(node, ScalarNode):
            if tag not in _SCALAR_TAGS:
                self.doc.problem(path, f"tag '{_short(tag)}' is not allowed; rule files hold plain data only")
                self.doc.unreadable = True
                return None
            value = self.constructor.construct_object(node)
            return value
        if tag not in (_MAP_TAG, _SEQ_TAG):
            self.doc.problem(path, f"tag '{_short(tag)}' is not allowed; rule files hold plain data only")
            self.doc.unreadable = True
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
            assert isinstance(node, MappingNode)
            return self._mapping(node, path, depth)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if str(key_node.tag) == _MERGE_TAG:
                merged_value = self.build(value_node, path, depth + 1)
                sources = merged_value if isinstance(merged_value, list) else [merged_value]
                for source in sources:
                    if isinstance(source, dict):
                        for key, value in source.items():
                            merged.setdefault(key, value)
                    else:
                        self.doc.problem(path, "'<<' merges only mappings")
                continue
            if not isinstance(key_node, ScalarNode) or str(key_node.tag) not in _SCALAR_TAGS:
                self.doc.lines.setdefault(path, key_node.start_mark.line + 1)
                self.doc.problem(path, f"line {key_node.start_mark.line + 1}: keys must be plain words")
                continue
            key = self.constructor.construct_object(key_node)
            key = "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
            child = path + (key,)
            if key in result:
                self.doc.lines[child + ("__dup__",)] = key_node.start_mark.line + 1
                self.doc.problems.append(Problem(self.doc.file, key_node.start_mark.line + 1,
                                                 dotted(child), f"duplicate key '{key}'"))
                continue
            self.doc.lines[child] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, child, depth + 1)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result


def _short(tag: str) -> str:
    return "!!" + tag[len(_STANDARD):] if tag.startswith(_STANDARD) else tag


def load_text(text: str | bytes, file: str) -> Document:
    """Parse `text` as a rule document; problems are collected on the returned Document."""
    doc = Document(file)
    doc.unreadable = True  # until parsed
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_BYTES:
        doc.problems.append(Problem(file, 0, "", f"file is {size:,} bytes; rule files are limited to "
                                                  f"{MAX_BYTES:,} bytes (1 MB)"))
        return doc
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            doc.problems.append(Problem(file, 1, "", f"not UTF-8 text (byte {error.start})"))
            return doc
    yaml = YAML(typ="safe", pure=True)
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(part for part in (error.context, error.problem) if part)
        doc.problems.append(Problem(file, line, "", f"YAML syntax error: {message}"))
        return doc
    except YAMLError as error:
        doc.problems.append(Problem(file, 1, "", f"YAML error: {error}"))
        return doc
    except RecursionError:
        doc.problems.append(Problem(file, 1, "", "YAML nesting too deep; refused"))
        return doc
    doc.unreadable = False
    if node is None:
        doc.data = None
        return doc
    builder = _Builder(doc, yaml)
    try:
        doc.data = builder.build(node, ())
    except _TooBig as error:
        doc.data = None
        doc.unreadable = True
        doc.problems.append(Problem(file, node.start_mark.line + 1, "", str(error)))
    except RecursionError:
        doc.data = None
        doc.unreadable = True
        doc.problems.append(Problem(file, 1, "", "YAML nesting too deep; refused"))
    return doc


def load_file(path: Path, display: str | None = None) -> Document:
    """Read and parse one rule file, refusing oversized files before reading them."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Document(name, problems=[Problem(name, 0, "", f"file is {size:,} bytes; rule files are "
                                                                 f"limited to {MAX_BYTES:,} bytes (1 MB)")],
                            unreadable=True)
        raw = path.read_bytes()
    except OSError as error:
        return Document(name, problems=[Problem(name, 0, "", f"cannot read: {error.strerror or error}")],
                        unreadable=True)
    return load_text(raw, name)
