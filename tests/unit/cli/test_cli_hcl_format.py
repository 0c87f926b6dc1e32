"""`policy fmt`'s HCL layout, against known answers from the vault CLI.

Provenance: every `hcl_format_vectors/NAME.golden.hcl` is what `bao policy fmt` (OpenBao CLI
2.7.2, HashiCorp HCL 1 printer `v1.0.1-vault-7`) wrote for `NAME.input.hcl`, with one change
made on purpose: `comments_and_alignment` ends with one newline, not a blank line (see
`hcl_format`'s docstring). The other places where the printer loses text are checked below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from strongroom.cli.hcl_format import HCLSyntaxError, format_hcl

VECTORS = Path(__file__).parent / "hcl_format_vectors"
NAMES = sorted(path.name.removesuffix(".input.hcl") for path in VECTORS.glob("*.input.hcl"))


@pytest.mark.parametrize("name", NAMES)
def test_layout_matches_the_vault_cli(name: str) -> None:
    source = (VECTORS / f"{name}.input.hcl").read_text()
    expected = (VECTORS / f"{name}.golden.hcl").read_text()
    assert format_hcl(source) == expected
    assert format_hcl(expected) == expected  # formatting is idempotent


def test_comment_groups_keep_their_lines() -> None:
    # The vault CLI prints "  # one  # two" and "/* c */# d" here, gluing comments together.
    source = (
        'path "a" {\n  # one\n  # two\n\n  capabilities = ["read"] /* c */ # d\n}\n# t1\n\n# t2\n'
    )
    assert format_hcl(source) == (
        'path "a" {\n  # one\n  # two\n\n  capabilities = ["read"] /* c */ # d\n}\n\n# t1\n\n# t2\n'
    )


def test_groups_after_a_standalone_comment_stay_apart() -> None:
    # After a free-standing comment the vault CLI drops the blank lines between later groups.
    source = 'path "a" {\n  a = 1\n\n  # note\n\n  b = 2\n\n  c = 3\n}\n'
    assert format_hcl(source) == 'path "a" {\n  a = 1\n\n  # note\n\n  b = 2\n\n  c = 3\n}\n'


def test_a_comment_between_key_and_value_is_kept() -> None:
    source = 'path "a" {\n  capabilities = # why\n    ["read"]\n}\n'
    assert format_hcl(source) == 'path "a" {\n  capabilities = ["read"] # why\n}\n'


def test_a_dangling_comment_in_a_list_moves_after_it() -> None:
    source = 'path "a" {\n  capabilities = [\n    "read",\n    # later\n  ]\n}\n'
    assert format_hcl(source) == (
        'path "a" {\n  capabilities = [\n    "read",\n  ]\n\n  # later\n}\n'
    )


def test_nested_lists_and_objects_in_lists() -> None:
    source = 'a = [[1, 2], {b = 1}]\nc = ["x",\n  [3]]\n'
    assert (
        format_hcl(source)
        == 'a = [\n  [1, 2],\n  {\n    b = 1\n  },\n]\n\nc = [\n  "x",\n  [3],\n]\n'
    )


def test_an_empty_file_stays_empty_but_for_the_newline() -> None:
    assert format_hcl("") == "\n"
    assert format_hcl("# only a comment\n") == "# only a comment\n"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ('path "a" {', "At 1:11: object expected closing '}'"),
        ('path "a" { capabilities = }', "where a value belongs"),
        ('path "a" { capabilities = ["read" "list"] }', "expected ',' or ']'"),
        ('path "a" { x = [} }', "in a list"),
        ("a b = 1", "expected a key"),
        ('path "a" { x = 1 ]', "At 1:18: expected a key, '=' or '{', got ']'"),
        ("}", "expected a key"),
        ('a = "unterminated\n', "At 1:5: literal not terminated"),
        ("a = /* open", "comment not terminated"),
        ("a = <<EOT\nno end\n", "heredoc not terminated"),
        ("a = <<\n", "invalid heredoc anchor"),
        ("a = $", "illegal character"),
        ("a = read", "where a value belongs"),  # HCL 1 has no variables
    ],
)
def test_syntax_errors_give_the_position(source: str, problem: str) -> None:
    with pytest.raises(HCLSyntaxError) as raised:
        format_hcl(source)
    assert problem in str(raised.value)


def test_strings_with_interpolations_and_escapes() -> None:
    source = 'a = "${lookup("k", "d")}"\nb = "tab\\t \\"q\\""\n'
    assert format_hcl(source) == 'a = "${lookup("k", "d")}"\n\nb = "tab\\t \\"q\\""\n'


def test_indented_heredoc() -> None:
    source = 'path "a" {\n  x = <<-EOT\n    text\n    EOT\n}\n'
    assert format_hcl(source) == 'path "a" {\n  x = <<-EOT\n    text\n    EOT\n}\n'


def test_windows_line_endings_become_newlines() -> None:
    source = '# note\r\npath "a" {\r\n  capabilities = ["read"] # why\r\n}\r\n'
    assert format_hcl(source) == '# note\npath "a" {\n  capabilities = ["read"] # why\n}\n'
