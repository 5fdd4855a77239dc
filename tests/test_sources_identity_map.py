"""The identity map: links from tools' own ids to roster emails, passed on as they are for ingest."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import identity_map

LINKS = """kind,identifier,email
github_login,cy-codes,cy.ng@acme.test
cursor_user_id,user_7Qx2,ann.lee@acme.test
Employee_ID,E1,ann.lee@acme.test
github_login,CY-codes,cy.ng@acme.test
"""


def _write(folder: Path, text: str) -> Path:
    path = folder / "map.csv"
    path.write_text(text)
    return path


def test_when_reading_links_then_each_line_is_one_row_in_the_clear(tmp_path):
    extract = sources.read(_write(tmp_path, LINKS))
    links = extract.tables["identity_map"]
    # 4 lines; the last repeats the first in another case (ingest ignores case): harmless, kept in place
    assert extract.source == "identity_map"
    assert extract.identity is None and extract.rows_read == 4
    assert list(links.columns) == ["kind", "identifier", "email"]
    assert links.values.tolist() == [
        ["github_login", "cy-codes", "cy.ng@acme.test"],
        ["cursor_user_id", "user_7Qx2", "ann.lee@acme.test"],
        ["employee_id", "E1", "ann.lee@acme.test"],
        ["github_login", "CY-codes", "cy.ng@acme.test"],
    ]


# fmt: off
BAD = [
    # (content, row, column, words of the message)
    ("kind,identifier\ngithub_login,cy-codes\n", None, "email", "missing column"),  # no email column
    ("kind,identifier,email\ngithub_login,a,a@acme.test\nemail,b@x.test,b@acme.test\n", 3, "kind",
     "unknown kind"),                                               # an email needs no map
    ("kind,identifier,email\nhashed_upn,DC8C64D6EC3A3AA17481D7E5EB5B68A6,a@acme.test\n", 2, "kind",
     "unknown kind"),                                               # concealed names stay concealed
    ("kind,identifier,email\ngithub_login,,a@acme.test\n", 2, "identifier", "empty cell"),  # no id
    ("kind,identifier,email\ngithub_login,cy,cy@acme.test\ngithub_login,Cy,ann@acme.test\n", 3,
     "identifier", "linked to two emails"),                         # one login, two people
]
# fmt: on


@pytest.mark.parametrize(("text", "row", "column", "says"), BAD, ids=[b[3] for b in BAD])
def test_when_the_file_is_bad_then_the_error_names_file_row_and_column(tmp_path, text, row, column, says):
    path = _write(tmp_path, text)
    assert sources.detect(path) is identity_map
    with pytest.raises(InputFileError) as caught:
        identity_map.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)
    assert says in str(caught.value)


def test_when_detecting_then_only_the_identity_map_module_claims_a_map(tmp_path):
    head = _write(tmp_path, LINKS).read_text()[: sources.SNIFF_CHARACTERS]
    assert [module.NAME for module in sources.SOURCES.values() if module.sniff(head)] == ["identity_map"]
