import pytest
from django.core.management import CommandError

from agentmatch.imports.models import ImportRun
from agentmatch.imports.tests.helpers import fixture, run, snapshot
from agentmatch.licensing.models import License

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("command", "name", "message"),
    [
        ("import_rcl", "bad_empty.csv", "the file is empty"),
        ("import_rcl", "bad_missing_columns.csv", "line 1: missing required column(s)"),
        ("import_rcl", "bad_undecodable.csv", "line 4: not UTF-8 text (byte 0xe9"),
        ("import_rcl", "nipr.xml", "line 1: missing required column(s) 'NPN'"),
        ("import_rtl", "rcl.csv", "line 1: missing required column(s) 'Status'"),
        ("import_roster", "does_not_exist.csv", "cannot read the file"),
        ("import_nipr", "bad_broken.xml", "line 66: not well-formed XML"),
        ("import_nipr", "bad_csv_not_xml.xml", "line 1: not well-formed XML"),
        ("import_nipr", "roster.csv", "line 1: not well-formed XML"),
    ],
)
def test_an_unreadable_file_changes_nothing_and_says_where(
    plan_year, tmp_path, command, name, message
):
    run("import_roster", fixture("roster.csv"))
    before = snapshot()
    rejects = tmp_path / "rejects.csv"
    with pytest.raises(CommandError) as caught:
        run(command, fixture(name), "--rejects", str(rejects))
    assert list(tmp_path.iterdir()) == []  # no rejects file, not even a temporary one
    assert message in str(caught.value)
    assert "Nothing was imported" in str(caught.value)
    assert snapshot() == before
    failed = ImportRun.objects.get(status="failed")
    assert message in failed.failure_reason
    assert failed.kind == command.removeprefix("import_")


def test_broken_xml_after_good_producers_rolls_back_what_they_wrote(plan_year):
    run("import_roster", fixture("roster.csv"))
    # The first producer in the broken file is complete and would create two licenses.
    with pytest.raises(CommandError):
        run("import_nipr", fixture("bad_broken.xml"))
    assert License.objects.count() == 0


def test_undecodable_bytes_after_good_rows_roll_back_the_good_rows(plan_year):
    from agentmatch.eligibility.models import RegistrationCompletion

    with pytest.raises(CommandError):
        run("import_rcl", fixture("bad_undecodable.csv"))
    assert RegistrationCompletion.objects.count() == 0


def test_an_unwritable_rejects_file_stops_before_importing(plan_year, tmp_path):
    with pytest.raises(CommandError, match="cannot write the rejects file"):
        run("import_rcl", fixture("rcl.csv"), "--rejects", str(tmp_path / "no" / "such" / "x.csv"))
    assert ImportRun.objects.get().status == "failed"


def test_an_xml_file_naming_an_outside_entity_is_refused_without_reading_it(plan_year, tmp_path):
    # XXE: a file that asks the parser to pull in another file (or a URL) must not get it.
    secret = tmp_path / "secret.txt"
    secret.write_text("0099887766")
    hostile = tmp_path / "nipr.xml"
    hostile.write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE PDB [<!ENTITY leak SYSTEM "file://{secret}">]>\n'
        "<PDB><PRODUCER><NPN>&leak;</NPN></PRODUCER></PDB>\n"
    )
    with pytest.raises(CommandError) as caught:
        run("import_nipr", str(hostile))
    assert "line 3: not well-formed XML" in str(caught.value)
    assert "0099887766" not in str(caught.value)
    assert License.objects.count() == 0
