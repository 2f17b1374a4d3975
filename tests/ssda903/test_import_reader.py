"""Reading uploaded 903 files: each table recognised by its columns, one clear problem per thing wrong.

No database and no DfE validator here: these are the import's own checks on the files.
"""

from __future__ import annotations

from datetime import date

from children.ssda903 import reader

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
AD1 = "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"
PLACED = "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\n"


def _files(**tables: str) -> list[tuple[str, bytes]]:
    return [(f"{name.lower()}.csv", text.encode()) for name, text in tables.items()]


def _one(problems, rule):
    found = [p for p in problems if p.rule == rule]
    assert len(found) == 1, [p.as_dict() for p in problems]
    return found[0]


def test_tables_are_recognised_by_their_columns_not_their_names():
    tables = reader.read_upload(
        [
            ("a.csv", (HEADER + "1001,F,01/05/2021,WBRI,UN1,,\n").encode()),
            # Columns in another order, names in lower case, a byte-order mark, Windows line ends.
            (
                "b.csv",
                "\ufeffchild,dob,date_placed,reason_placed_ceased,date_placed_ceased\r\n"
                "1001,01/05/2021,01/06/2022,,\r\n".encode(),
            ),
        ]
    )
    assert not tables.problems
    assert tables.sources == {"Header": "a.csv", "PlacedAdoption": "b.csv"}
    (decision,) = tables.rows["PlacedAdoption"]
    assert decision.row == 2
    assert decision.child == "1001"
    assert decision.dates["DATE_PLACED"] == date(2022, 6, 1)
    # The table as the DfE validator wants it: its own column order.
    assert (
        tables.csv_text("PlacedAdoption").splitlines()[0]
        == "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED"
    )


def test_a_missing_column_names_the_file_the_table_and_the_column():
    no_dec = EPISODES.replace("DEC,", "")
    tables = reader.read_upload(_files(Header=HEADER + "1001,F,01/05/2021,WBRI,UN1,,\n", Episodes=no_dec))
    problem = _one(tables.problems, reader.COLUMN_MISSING)
    assert (problem.file, problem.table, problem.row) == ("episodes.csv", "Episodes", 1)
    assert "no DEC column" in problem.message
    assert problem.blocking
    assert "Episodes" not in tables.sources  # a table with a missing column is not read at all


def test_bad_dates_and_unknown_codes_name_the_row_the_child_and_the_dfe_rule():
    tables = reader.read_upload(
        _files(
            Header=HEADER + "1001,F,31/02/2021,WBRI,UN1,,\n1002,X,2021-05-01,ZZZZ,UN1,,\n",
            Episodes=EPISODES + "1001,01/01/2022,S,C9,N1,U6,PR1,,,,,,\n",
        )
    )
    by_rule = {(p.rule, p.child): p for p in tables.problems}
    assert by_rule[("102", "1001")].message == "DOB '31/02/2021' is not a real date in the form dd/mm/yyyy"
    assert by_rule[("102", "1001")].row == 2
    assert by_rule[("102", "1002")].row == 3
    assert by_rule[("101", "1002")].message == "SEX 'X' is not a sex code (M, F or U)"
    assert by_rule[("103", "1002")].message == "ETHNIC 'ZZZZ' is not a 903 ethnicity code"
    ls = by_rule[("144", "1001")]
    assert (ls.file, ls.table, ls.row, ls.message) == (
        "episodes.csv",
        "Episodes",
        2,
        "LS 'C9' is not a legal status code",
    )
    assert all(p.blocking and p.source == "import" for p in tables.problems)


def test_a_child_in_ad1_placed_adoption_or_episodes_must_be_in_header():
    tables = reader.read_upload(
        _files(
            Header=HEADER + "1001,F,01/05/2021,WBRI,UN1,,\n",
            AD1=AD1 + "9999,01/05/2021,01/06/2022,10/01/2023,0,2,MF,L3\n",
            PlacedAdoption=PLACED + "9999,01/05/2021,01/06/2022,,\n",
        )
    )
    problems = [p for p in tables.problems if p.rule == reader.NOT_IN_HEADER]
    assert {(p.file, p.table, p.row, p.child) for p in problems} == {
        ("ad1.csv", "AD1", 2, "9999"),
        ("placedadoption.csv", "PlacedAdoption", 2, "9999"),
    }
    assert problems[0].message.startswith("Child 9999 is in ")


def test_unreadable_and_unknown_files():
    tables = reader.read_upload(
        [
            ("header.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1001,F,01/05/2021,WBRI,UN1,,\n".encode("utf-16")),
            ("notes.csv", b"Name,Comment\nAmelia,fine\n"),
            ("reviews.csv", b"CHILD,DOB,REVIEW,REVIEW_CODE\n1001,01/05/2021,01/01/2023,PN1\n"),
            ("sheet.csv", b"PK\x03\x04\x00\x00binary"),
        ]
    )
    assert {(p.file, p.rule, p.blocking) for p in tables.problems} == {
        ("header.csv", reader.FILE_ENCODING, True),
        ("notes.csv", reader.FILE_UNKNOWN, True),
        ("reviews.csv", reader.FILE_IGNORED, False),
        ("sheet.csv", reader.FILE_ENCODING, True),
        ("", reader.TABLE_MISSING, True),
    }
    assert "CSV UTF-8" in next(p.message for p in tables.problems if p.file == "header.csv")


def test_duplicates_and_two_files_for_one_table():
    tables = reader.read_upload(
        [
            ("h1.csv", (HEADER + "1001,F,01/05/2021,WBRI,UN1,,\n1001,F,01/05/2021,WBRI,UN1,,\n").encode()),
            ("h2.csv", (HEADER + "1002,F,01/05/2021,WBRI,UN1,,\n").encode()),
        ]
    )
    assert _one(tables.problems, reader.DUPLICATE_ROW).message == "Child 1001 is in Header twice (also row 2)"
    assert _one(tables.problems, reader.FILE_DUPLICATE).file == "h2.csv"


def test_limits_on_files_and_rows(monkeypatch, settings):
    too_many = [(f"f{i}.csv", HEADER.encode()) for i in range(reader.MAX_FILES + 1)]
    assert _one(reader.read_upload(too_many).problems, reader.FILE_SIZE).message.startswith("Upload at most")
    monkeypatch.setattr(reader, "MAX_ROWS", 2)
    rows = "".join(f"10{i},F,01/05/2021,WBRI,UN1,,\n" for i in range(3))
    problem = _one(reader.read_upload(_files(Header=HEADER + rows)).problems, reader.FILE_SIZE)
    assert problem.message == "The file has 3 rows; the import takes at most 2"
    settings.UPLOAD_MAX_BYTES = 10
    assert _one(reader.read_upload(_files(Header=HEADER)).problems, reader.FILE_SIZE).file == "header.csv"


XML = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header><Version>1</Version></Header>
  <Children>
    <CHILD>
      <HEADER>
        <CHILDID>1001</CHILDID><SEX>F</SEX><DOB>01/05/2021</DOB><ETHNIC>WBRI</ETHNIC><UPN>UN1</UPN><UASC>0</UASC>
        <ADOPTION><DATE_INT>01/06/2022</DATE_INT><DATE_MATCH>10/01/2023</DATE_MATCH><FOSTER_CARE>0</FOSTER_CARE>
          <NB_ADOPTR>2</NB_ADOPTR><SEX_ADOPTR>MF</SEX_ADOPTR><LS_ADOPTR>L3</LS_ADOPTR></ADOPTION>
        <AD_PLACED><DATE_PLACED>01/06/2022</DATE_PLACED></AD_PLACED>
      </HEADER>
      <EPISODE><DECOM>01/01/2022</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U6</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER>
        <DEC>01/02/2023</DEC><REC>X1</REC><REASON_PLACE_CHANGE>CARPL</REASON_PLACE_CHANGE></EPISODE>
      <EPISODE><DECOM>01/02/2023</DECOM><RNE>P</RNE><LS>E1</LS><CIN>N1</CIN><PL>A6</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE>
    </CHILD>
  </Children>
</Message>
"""


def test_the_xml_form_gives_the_same_tables():
    tables = reader.read_upload([("return.xml", XML.encode())])
    assert not tables.problems, [p.as_dict() for p in tables.problems]
    assert tables.format == "xml"
    assert [r.values["UASC"] for r in tables.rows["Header"]] == ["0"]
    first, second = tables.rows["Episodes"]
    assert (first.values["PLACE"], first.dates["DEC"], first.values["REC"]) == ("U6", date(2023, 2, 1), "X1")
    # An open episode stays open (the validator's own reader would give it the first episode's DEC).
    assert (second.row, second.dates["DEC"], second.values["REC"]) == (2, None, "")
    (ad1,) = tables.rows["AD1"]
    assert ad1.dates["DATE_MATCH"] == date(2023, 1, 10)
    assert [r.dates["DATE_PLACED"] for r in tables.rows["PlacedAdoption"]] == [date(2022, 6, 1)]


def test_xml_that_cannot_be_trusted_or_read_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    assert _one(reader.read_upload([("r.xml", bomb)]).problems, reader.FILE_UNREADABLE).message.startswith(
        "XML with a document type"
    )
    broken = reader.read_upload([("r.xml", b"<Message><CHILD>")]).problems
    assert _one(broken, reader.FILE_UNREADABLE).message.startswith("The XML cannot be read")
    mixed = reader.read_upload([("r.xml", XML.encode()), ("header.csv", HEADER.encode())]).problems
    assert _one(mixed, reader.FILE_UNREADABLE).message.startswith("Upload either the CSV files or one XML file")
