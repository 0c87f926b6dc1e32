"""HCL laid out the way `vault policy fmt` lays it out (HashiCorp's HCL 1 printer).

The layout: two-space indentation; one item per line; in a block, a run of one-line
attributes written on adjacent lines gets its `=` (and its trailing comments) aligned, and
groups are separated by one blank line; top-level blocks are separated by a blank line
(adjacent empty ones, `path "x" {}`, stay together); a list stays on one line when it was
written on one line, otherwise it gets one element per line with trailing commas. Keys,
strings and numbers are written exactly as in the source. Comments stay where they were:
leading ones above their item, trailing ones after it, free-standing ones between items.

Comments are attached to items the way the HCL 1 parser attaches them, so the result matches
`vault policy fmt` except where that printer loses text: it glues the comments of one group
onto one line (`# a  # b`) and leaves a blank line at the end of a file that ends with a
comment. Here each comment keeps its own line and the file ends with exactly one newline.

Only the syntax is checked here; whether the text is a valid policy is `parse_policy`'s call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum, auto

INDENT = "  "
_UNINDENT = "\ue123"  # marks heredoc lines that indentation must not touch (as HCL 1 does)
_INFINITY = 1 << 30


class HCLSyntaxError(ValueError):
    """The text is not HCL the formatter can lay out; the message gives the position."""

    def __init__(self, line: int, column: int, problem: str) -> None:
        super().__init__(f"At {line}:{column}: {problem}")


class Kind(Enum):
    IDENT = auto()
    STRING = auto()
    NUMBER = auto()
    BOOL = auto()
    HEREDOC = auto()
    COMMENT = auto()
    LBRACE = auto()
    RBRACE = auto()
    LBRACK = auto()
    RBRACK = auto()
    ASSIGN = auto()
    COMMA = auto()
    EOF = auto()


LITERALS = frozenset({Kind.STRING, Kind.NUMBER, Kind.BOOL, Kind.HEREDOC})
_PUNCTUATION = {
    "{": Kind.LBRACE,
    "}": Kind.RBRACE,
    "[": Kind.LBRACK,
    "]": Kind.RBRACK,
    "=": Kind.ASSIGN,
    ",": Kind.COMMA,
}
_NUMBER = re.compile(r"-?(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_HEREDOC_START = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_\-]*)\r?\n")


@dataclass(frozen=True, order=True)
class Pos:
    offset: int
    line: int
    column: int = field(default=0, compare=False)

    def before(self, other: Pos) -> bool:
        return other.offset > self.offset or other.line > self.line

    def after(self, other: Pos) -> bool:
        return other.offset < self.offset or other.line < self.line


NOWHERE = Pos(0, 0)


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    pos: Pos

    @property
    def end_line(self) -> int:
        return self.pos.line + self.text.count("\n")


# -- scanning -----------------------------------------------------------------------------------


def scan(text: str) -> Iterator[Token]:
    """The tokens of `text`, comments included, then EOF tokens without end."""
    index, line, line_start = 0, 1, 0
    while True:
        while index < len(text) and text[index] in " \t\r\n":
            if text[index] == "\n":
                line, line_start = line + 1, index + 1
            index += 1
        pos = Pos(index, line, index - line_start + 1)
        if index == len(text):
            while True:  # past the end, every read is the end
                yield Token(Kind.EOF, "", pos)
        length = _token_length(text, index, line, index - line_start + 1)
        token = Token(_kind(text, index), text[index : index + length], pos)
        yield token
        newlines = token.text.count("\n")
        if newlines:
            line, line_start = line + newlines, index + token.text.rindex("\n") + 1
        index += length


def _kind(text: str, index: int) -> Kind:
    char = text[index]
    if char in _PUNCTUATION:
        return _PUNCTUATION[char]
    if char in "#/":
        return Kind.COMMENT
    if char == '"':
        return Kind.STRING
    if char == "<":
        return Kind.HEREDOC
    identifier = _IDENT.match(text, index)
    if identifier:
        return Kind.BOOL if identifier.group() in ("true", "false") else Kind.IDENT
    return Kind.NUMBER


def _token_length(text: str, index: int, line: int, column: int) -> int:
    char = text[index]
    if char in _PUNCTUATION:
        return 1
    if char == "#" or text.startswith("//", index):
        end = text.find("\n", index)
        return len(text[index : None if end < 0 else end].rstrip("\r"))
    if text.startswith("/*", index):
        end = text.find("*/", index + 2)
        if end < 0:
            raise HCLSyntaxError(line, column, "comment not terminated")
        return end + 2 - index
    if char == '"':
        return _string_length(text, index, line, column)
    if text.startswith("<<", index):
        return _heredoc_length(text, index, line, column)
    match = _IDENT.match(text, index) or _NUMBER.match(text, index)
    if not match:
        raise HCLSyntaxError(line, column, f"illegal character {char!r}")
    return match.end() - index


def _string_length(text: str, index: int, line: int, column: int) -> int:
    """A quoted string, with escapes and `${...}` interpolations (which may hold quotes)."""
    position, braces = index + 1, 0
    while position < len(text):
        char = text[position]
        if char == "\n" and braces == 0:
            break
        if char == "\\":
            position += 2
            continue
        if text.startswith("${", position):
            braces, position = braces + 1, position + 2
            continue
        if char == "}" and braces:
            braces -= 1
        elif char == '"' and braces == 0:
            return position + 1 - index
        position += 1
    raise HCLSyntaxError(line, column, "literal not terminated")


def _heredoc_length(text: str, index: int, line: int, column: int) -> int:
    start = _HEREDOC_START.match(text, index)
    if not start:
        raise HCLSyntaxError(line, column, "invalid heredoc anchor")
    indented, anchor = start.group(1) == "-", start.group(2)
    position = start.end()
    while position < len(text):
        end = text.find("\n", position)
        stop = len(text) if end < 0 else end + 1
        body = text[position:stop].rstrip("\r\n")
        if (body.strip() if indented else body) == anchor:
            return stop - index
        position = stop
    raise HCLSyntaxError(line, column, "heredoc not terminated")


# -- the syntax tree ------------------------------------------------------------------------------

Comments = list[Token]


@dataclass
class Literal:
    token: Token
    lead: Comments | None = None
    line_comment: Comments | None = None

    @property
    def pos(self) -> Pos:
        return self.token.pos


@dataclass
class ListNode:
    lbrack: Pos
    items: list[Node] = field(default_factory=list)
    rbrack: Pos = NOWHERE

    @property
    def pos(self) -> Pos:
        return self.lbrack


@dataclass
class ObjectNode:
    lbrace: Pos
    items: list[Item] = field(default_factory=list)
    rbrace: Pos = NOWHERE

    @property
    def pos(self) -> Pos:
        return self.lbrace


@dataclass
class Item:
    keys: list[Token]
    value: Node
    assign: bool = False
    lead: Comments | None = None
    line_comment: Comments | None = None

    @property
    def pos(self) -> Pos:
        return self.keys[0].pos


Node = Literal | ListNode | ObjectNode


# -- parsing (HCL 1's parser, with its way of attaching comments) --------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self._tokens = scan(text)
        self.token = Token(Kind.EOF, "", NOWHERE)
        self._buffered = False
        self.comments: list[Comments] = []
        self._lead: Comments | None = None
        self._line: Comments | None = None

    def parse(self) -> list[Item]:
        items = self._object_list(in_object=False)
        if self.token.kind is not Kind.EOF:
            raise self._fail(f"unexpected {self.token.text!r}")
        return items

    def _scan(self) -> Token:
        """The next token; comments are collected on the way, as lead or line comments."""
        if self._buffered:
            self._buffered = False
            return self.token
        previous, self.token = self.token, next(self._tokens)
        if self.token.kind is Kind.COMMENT:
            if self.token.pos.line == previous.pos.line:
                group, end_line = self._comment_group(0)
                if self.token.pos.line != end_line:
                    self._line = group
            end_line = -1
            while self.token.kind is Kind.COMMENT:
                group, end_line = self._comment_group(1)
            if end_line + 1 == self.token.pos.line and self.token.kind not in (
                Kind.RBRACE,
                Kind.RBRACK,
            ):
                self._lead = group
        return self.token

    def _unscan(self) -> None:
        self._buffered = True

    def _comment_group(self, gap: int) -> tuple[Comments, int]:
        """Adjacent comments (at most `gap` lines apart) and the line the last one ends on."""
        group: Comments = []
        end_line = self.token.pos.line
        while self.token.kind is Kind.COMMENT and self.token.pos.line <= end_line + gap:
            group.append(self.token)
            end_line = self.token.end_line
            self.token = next(self._tokens)
        self.comments.append(group)
        return group, end_line

    def _fail(self, problem: str) -> HCLSyntaxError:
        return HCLSyntaxError(self.token.pos.line, self.token.pos.column, problem)

    def _object_list(self, *, in_object: bool) -> list[Item]:
        items: list[Item] = []
        while True:
            if in_object:
                self._scan()
                self._unscan()
                if self.token.kind is Kind.RBRACE:
                    return items
            item = self._object_item()
            if item is None:
                return items
            items.append(item)
            if self._scan().kind is not Kind.COMMA:
                self._unscan()

    def _object_item(self) -> Item | None:
        keys = self._keys()
        if not keys:
            return None
        lead, self._lead = self._lead, None
        assign = self.token.kind is Kind.ASSIGN
        value = self._value() if assign else self._object()
        item = Item(keys, value, assign, lead)
        if self._line is not None:  # `key = # comment` followed by the value
            item.line_comment, self._line = self._line, None
        self._scan()
        if value.pos.line == keys[0].pos.line and self._line is not None:
            item.line_comment, self._line = self._line, None
        self._unscan()
        return item

    def _keys(self) -> list[Token]:
        keys: list[Token] = []
        while True:
            token = self._scan()
            if token.kind is Kind.EOF and not keys:
                return keys
            if token.kind in (Kind.IDENT, Kind.STRING):
                keys.append(token)
            elif (token.kind is Kind.ASSIGN and len(keys) == 1) or (
                token.kind is Kind.LBRACE and keys
            ):
                return keys
            else:
                raise self._fail(
                    f"expected a key, '=' or '{{', got {token.text or 'end of file'!r}"
                )

    def _value(self) -> Node:
        token = self._scan()
        if token.kind in LITERALS:
            return Literal(token)
        if token.kind is Kind.LBRACE:
            return self._object()
        if token.kind is Kind.LBRACK:
            return self._list()
        raise self._fail(f"unexpected {token.text or 'end of file'!r} where a value belongs")

    def _object(self) -> ObjectNode:
        node = ObjectNode(self.token.pos)
        node.items = self._object_list(in_object=True)
        if self._scan().kind is not Kind.RBRACE:
            raise self._fail("object expected closing '}'")
        node.rbrace = self.token.pos
        return node

    def _list(self) -> ListNode:
        node = ListNode(self.token.pos)
        need_comma = False
        while True:
            token = self._scan()
            if need_comma and token.kind not in (Kind.COMMA, Kind.RBRACK):
                raise self._fail("expected ',' or ']' in a list")
            if token.kind is Kind.RBRACK:
                node.rbrack = token.pos
                return node
            if token.kind is Kind.COMMA:
                self._attach_line_comment(node)
                need_comma = False
                continue
            node.items.append(self._element(token))
            need_comma = True

    def _element(self, token: Token) -> Node:
        if token.kind in LITERALS:
            literal = Literal(token, lead=self._lead)
            self._lead = None
            return literal
        if token.kind is Kind.LBRACE:
            return self._object()
        if token.kind is Kind.LBRACK:
            return self._list()
        raise self._fail(f"unexpected {token.text or 'end of file'!r} in a list")

    def _attach_line_comment(self, node: ListNode) -> None:
        self._scan()
        last = node.items[-1] if node.items else None
        if self._line is not None and isinstance(last, Literal):
            last.line_comment, self._line = self._line, None
        self._unscan()


# -- printing (HCL 1's printer) -------------------------------------------------------------------


class _Printer:
    def __init__(self, standalone: list[Comments]) -> None:
        self.standalone = sorted(standalone, key=lambda group: group[0].pos)
        self.prev = NOWHERE

    def file(self, items: list[Item]) -> str:
        out: list[str] = []
        for index in range(len(items) + 1):
            ahead = items[index].pos if index < len(items) else Pos(_INFINITY, _INFINITY)
            for group in self._comments_before(ahead):
                if index == len(items) and self.prev.line > 0:
                    out.append("\n" if out[-1].endswith("\n") else "\n\n")
                out.append("\n".join(comment.text for comment in group) + "\n")
                if index < len(items):
                    out.append("\n")
            if index == len(items):
                break
            out.append(self.item(items[index]))
            if index < len(items) - 1:
                out.append("\n" if _hug(items[index], items[index + 1]) else "\n\n")
        return _unindent("".join(out)).rstrip("\n") + "\n"

    def _comments_before(self, ahead: Pos) -> Iterator[Comments]:
        for group in self.standalone:
            shown = [c for c in group if c.pos.after(self.prev) and c.pos.before(ahead)]
            if shown:
                yield shown

    def item(self, item: Item, key_width: int = 0, value_width: int = -1) -> str:
        """One item; with widths, padded to align with the others of its group."""
        self.prev = item.pos
        out = [comment.text + "\n" for comment in item.lead or []]
        for key in item.keys:
            out.append(key.text + " " * (max(key_width - len(key.text), 0) + 1))
        if item.assign and len(item.keys) == 1:
            out.append("= ")
        value = self.value(item.value)
        out.append(value)
        if item.line_comment:
            padding = max(value_width - len(value), 0) + 1
            out.append(" " * padding + _joined(item.line_comment))
        return "".join(out)

    def value(self, node: Node) -> str:
        if isinstance(node, Literal):
            return _literal(node.token)
        if isinstance(node, ListNode):
            return self.list(node)
        return self.object(node)

    def object(self, node: ObjectNode) -> str:
        out, index, opened = ["{"], 0, False
        items = node.items
        while True:
            commented = False
            ahead = items[index].pos if index < len(items) else node.rbrace
            for group in self._comments_before(ahead):
                if not opened:
                    out.append("\n")
                    opened = True
                if index > 0:
                    commented = True
                    out.append("\n")
                out.append(_indent("\n".join(comment.text for comment in group)) + "\n")
                if index < len(items) and ahead.line != group[-1].end_line + 1:
                    out.append("\n")
            if index == len(items):
                self.prev = node.rbrace
                return "".join(out) + "}"
            if not opened:
                out.append("\n")
                opened = True
            aligned = self._aligned_run(items, index)
            index += len(aligned)
            if not commented and index != len(aligned):
                out.append("\n")
            if aligned:
                out.append(_indent(self._aligned(aligned)))
            else:
                out.append(_indent(self.item(items[index])))
                index += 1
            out.append("\n")

    def _aligned_run(self, items: list[Item], start: int) -> list[Item]:
        """One-line items from `start` written on adjacent lines: they get aligned."""
        run: list[Item] = []
        if len(items) == 1:
            return run
        saved = self.prev
        for index in range(start, len(items)):
            if self.item(items[index]).count("\n") > 1:
                break
            line = items[index].pos.line
            following = items[index + 1].pos.line if index < len(items) - 1 else 0
            preceding = items[index - 1].pos.line if index > 0 else 0
            if line + 1 == following:
                run.append(items[index])
                continue
            if line - 1 == preceding:
                run.append(items[index])
            break
        self.prev = saved
        return run

    def _aligned(self, items: list[Item]) -> str:
        key_width = max(len(item.keys[0].text) for item in items)
        value_width = max(len(self.value(item.value)) for item in items)
        return "\n".join(self.item(item, key_width, value_width) for item in items)

    def list(self, node: ListNode) -> str:
        if _single_line(node):
            return "[" + ", ".join(self._element(item) for item in node.items) + "]"
        commented = [item for item in node.items if isinstance(item, Literal) and item.line_comment]
        width = max((len(item.token.text) for item in commented), default=0)
        out, spaced = ["[\n"], False
        for index, item in enumerate(node.items):
            lead = item.lead if isinstance(item, Literal) else None
            if lead:  # a commented element gets a blank line before and after it
                if not spaced and index:
                    out.append("\n")
                out.extend(_indent(comment.text) + "\n" for comment in lead)
            text = self.value(item)
            out.append(_indent(text))
            if isinstance(item, Literal) and item.token.kind is Kind.HEREDOC:
                out.append("\n")
            out.append(",")
            if isinstance(item, Literal) and item.line_comment:
                out.append(" " * (width - len(text) + 1) + _joined(item.line_comment))
            out.append("\n")
            spaced = bool(lead) and index != len(node.items) - 1
            if spaced:
                out.append("\n")
        return "".join(out) + "]"

    def _element(self, node: Node) -> str:
        text = self.value(node)
        if isinstance(node, Literal) and node.token.kind is Kind.HEREDOC:
            text += "\n"
        return text


def _single_line(node: ListNode) -> bool:
    """Written on one line, of literals only, no comments, a heredoc only as the one element."""
    for item in node.items:
        if item.pos.line != node.lbrack.line or not isinstance(item, Literal):
            return False
        if item.token.kind is Kind.HEREDOC and len(node.items) != 1:
            return False
        if item.line_comment:
            return False
    return True


def _hug(current: Item, following: Item) -> bool:
    """Two adjacent empty blocks (`path "x" {}`) at the top level stay on adjacent lines."""
    return following.pos.line == current.pos.line + 1 and all(
        not item.lead
        and not item.assign
        and isinstance(item.value, ObjectNode)
        and not item.value.items
        for item in (current, following)
    )


def _literal(token: Token) -> str:
    if token.kind is not Kind.HEREDOC:
        return token.text
    text = token.text[:-1] if token.text.endswith("\n") else token.text
    first, *rest = text.split("\n")
    return "\n".join([first, *(_UNINDENT + line if line else line for line in rest)])


def _joined(comments: Comments) -> str:
    return " ".join(comment.text for comment in comments)


def _indent(text: str) -> str:
    return "\n".join(INDENT + line if line else line for line in text.split("\n"))


def _unindent(text: str) -> str:
    """Drop the indentation added in front of marked heredoc lines, and the marks."""
    return re.sub(rf"[ \t]*{_UNINDENT}", "", text)


def format_hcl(text: str) -> str:
    """`text` laid out as `vault policy fmt` lays it out. Raises `HCLSyntaxError`."""
    parser = _Parser(text)
    items = parser.parse()
    attached = {id(group) for group in _attached(items)}
    standalone = [group for group in parser.comments if id(group) not in attached]
    return _Printer(standalone).file(items)


def _attached(items: list[Item]) -> Iterator[Comments]:
    for item in items:
        yield from (group for group in (item.lead, item.line_comment) if group)
        yield from _attached_in(item.value)


def _attached_in(node: Node) -> Iterator[Comments]:
    if isinstance(node, Literal):
        yield from (group for group in (node.lead, node.line_comment) if group)
    elif isinstance(node, ListNode):
        for element in node.items:
            yield from _attached_in(element)
    else:
        yield from _attached(node.items)
