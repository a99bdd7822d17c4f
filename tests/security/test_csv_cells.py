"""CSV in and out: formula-looking cells are neutralised by the one CSV writer every export uses;
a UTF-16 upload gets a message that says what to do."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

import igny8_core
from igny8_core.csv_export import csv_response, safe_cell, write_csv
from igny8_core.planner.models import Keywords

pytestmark = pytest.mark.django_db
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1"]


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def upload(api, site, data: bytes):
    return api.post(
        f"/api/v1/planner/keywords/import/?site_id={site.pk}",
        {"file": SimpleUploadedFile("keywords.csv", data, content_type="text/csv")},
        format="multipart",
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])  # with BOM, and without either way
def test_utf16_upload_says_to_save_as_csv_utf8(api, alice_site, encoding):
    response = upload(api, alice_site, "keyword,volume\ncold brew,10\n".encode(encoding))
    assert response.status_code == 400
    assert "UTF-16" in response.json()["file"][0] and "CSV UTF-8" in response.json()["file"][0]
    assert not Keywords.objects.exists()


def test_formula_keywords_are_stored_as_typed_and_exported_as_text(api, alice_site):
    data = "keyword\n" + "".join(f'"{value.replace(chr(34), chr(34) * 2)}"\n' for value in FORMULAS[:4])
    assert upload(api, alice_site, data.encode()).status_code in (200, 201)
    stored = sorted(Keywords.objects.filter(site=alice_site).values_list("keyword", flat=True))
    exported = write_csv(["keyword", "volume"], [(keyword, -5) for keyword in stored])
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0] == ["keyword", "volume"]
    for (cell, volume), keyword in zip(rows[1:], stored, strict=True):
        assert cell == "'" + keyword and volume == "-5"  # text kept readable; numbers untouched


@pytest.mark.parametrize("value", FORMULAS)
def test_every_formula_start_is_neutralised(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("cold brew = good") == "cold brew = good" and safe_cell(3.5) == 3.5


def test_csv_response_is_a_utf8_download():
    response = csv_response("keywords.csv", ["keyword"], [["=1+1"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="keywords.csv"'
    assert response.content.decode("utf-8") == "\ufeffkeyword\r\n'=1+1\r\n"


def test_no_code_writes_csv_around_the_shared_writer():
    """Any export, present or future, goes through igny8_core.csv_export."""
    root = Path(igny8_core.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "csv_export.py" and re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert offenders == []
