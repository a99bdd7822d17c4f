"""Keyword CSV import: one request, exact counts, bad rows reported without losing good ones.

File rules: UTF-8 (a BOM is fine; Windows-1252 is accepted as a fallback) text with a header
row; columns `keyword` (required), `volume`, `difficulty` (0-100), `intent` (optional); comma,
semicolon or tab separated; at most MAX_FILE_BYTES and MAX_ROWS data rows. Row numbers in
errors are the file's line numbers (the header is line 1), as a spreadsheet shows them.

Duplicates (case-insensitive, after trimming and collapsing spaces) are counted, not errors,
whether they repeat a row of the same file or a keyword the site already has.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Lower

from igny8_core.accounts.models import Site
from igny8_core.ai.similarity import normalise

from .models import Keywords
from .services import lock_site_keywords

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
CHUNK = 1000
_MAX_VOLUME = 2_147_483_647  # PositiveIntegerField
_KEYWORD_MAX = Keywords._meta.get_field("keyword").max_length
_INTENTS = {value for value, _ in Keywords.Intent.choices}
_CSV_CONTENT_TYPES = {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel", "text/x-csv"}


class CSVFileError(ValueError):
    """The file as a whole cannot be imported (not CSV, too large, no keyword column)."""


@dataclass
class ImportResult:
    created: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)
    # Imported keywords that differ from another keyword of the site only by plural, word order,
    # stop words or a year: imported (the exact-duplicate rule is unchanged) but shown to the user.
    near_duplicates: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "near_duplicates": self.near_duplicates,
        }


class RowError(ValueError):
    pass


def normalise_keyword(value: str) -> str:
    return " ".join((value or "").split())


def _whole_number(name: str, raw: str | None, low: int, high: int) -> int:
    text = (raw or "").strip().replace(",", "").replace("_", "").replace(" ", "")
    if not text:
        return 0
    try:
        number = float(text)
    except ValueError:
        raise RowError(f"{name} must be a whole number, got '{raw.strip()}'.") from None
    if not number.is_integer() or not low <= number <= high:
        raise RowError(f"{name} must be a whole number from {low} to {high}, got '{raw.strip()}'.")
    return int(number)


def parse_row(row: dict) -> dict:
    """A clean Keywords field dict for one CSV row, or RowError with a message for the user."""
    keyword = normalise_keyword(row.get("keyword"))
    if not keyword:
        raise RowError("keyword is empty.")
    if len(keyword) > _KEYWORD_MAX:
        raise RowError(f"keyword is longer than {_KEYWORD_MAX} characters.")
    intent = (row.get("intent") or "").strip().lower() or Keywords.Intent.INFORMATIONAL
    if intent not in _INTENTS:
        raise RowError(f"intent must be one of {', '.join(sorted(_INTENTS))}, got '{intent}'.")
    return {
        "keyword": keyword,
        "volume": _whole_number("volume", row.get("volume"), 0, _MAX_VOLUME),
        "difficulty": _whole_number("difficulty", row.get("difficulty"), 0, 100),
        "intent": intent,
    }


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _mostly_ascii_utf16(data: bytes) -> bool:
    """UTF-16 without a byte order mark: ASCII text with a NUL after (or before) every character."""
    sample = data[:4096]
    return sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4


def _decode(upload) -> str:
    name = (getattr(upload, "name", "") or "").lower()
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if not (name.endswith(".csv") or name.endswith(".txt") or content_type in _CSV_CONTENT_TYPES):
        raise CSVFileError("The file must be a CSV file (.csv).")
    if upload.size > MAX_FILE_BYTES:
        raise CSVFileError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    data = upload.read()
    if data.startswith(_UTF16_BOMS) or _mostly_ascii_utf16(data):
        raise CSVFileError(
            "The file is UTF-16 text (Excel's 'Unicode Text' format). Save it as 'CSV UTF-8 (Comma delimited)' "
            "and upload it again."
        )
    if b"\x00" in data:
        raise CSVFileError("The file contains binary data (NUL bytes): it is not a text CSV file.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CSVFileError("The file is not UTF-8 text.")


def _reader(text: str) -> csv.DictReader:
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        columns = reader.fieldnames or []
    except csv.Error as exc:
        raise CSVFileError(f"The file is not valid CSV: {exc}.") from None
    reader.fieldnames = [(c or "").strip().lower().replace(" ", "_") for c in columns]
    if "keyword" not in reader.fieldnames:
        raise CSVFileError("The file has no 'keyword' column (the first line must be the header).")
    return reader


def read_rows(upload, result: ImportResult) -> list[dict]:
    """Valid rows, de-duplicated within the file; bad rows go to result.errors, repeats to duplicates."""
    reader = _reader(_decode(upload))
    rows, seen = [], set()
    try:
        for row in reader:
            if not any((value or "").strip() for key, value in row.items() if key is not None):
                continue  # blank line
            if len(rows) + len(result.errors) + result.duplicates >= MAX_ROWS:
                raise CSVFileError(f"The file has more than {MAX_ROWS} rows; split it.")
            try:
                clean = parse_row(row)
            except RowError as exc:
                result.errors.append({"row": reader.line_num, "message": str(exc)})
                continue
            key = clean["keyword"].lower()
            if key in seen:
                result.duplicates += 1
                continue
            seen.add(key)
            rows.append(clean)
    except csv.Error as exc:
        raise CSVFileError(f"The file is not valid CSV (line {reader.line_num}): {exc}.") from None
    return rows


def _existing_keys(site: Site, keys: list[str]) -> set[str]:
    existing = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        existing.update(
            Keywords.objects.filter(site=site)
            .annotate(key=Lower("keyword"))
            .filter(key__in=chunk)
            .values_list("key", flat=True)
        )
    return existing


def import_keywords(site: Site, upload) -> ImportResult:
    """Import the CSV `upload` into `site`. Raises CSVFileError for a file that cannot be read at all."""
    result = ImportResult()
    rows = read_rows(upload, result)
    with transaction.atomic():
        lock_site_keywords(site)  # counts below stay exact even when two imports race
        existing = _existing_keys(site, [row["keyword"].lower() for row in rows])
        new_rows = [row for row in rows if row["keyword"].lower() not in existing]
        result.duplicates += len(rows) - len(new_rows)
        before = Keywords.objects.filter(site=site).count()
        Keywords.objects.bulk_create(
            [Keywords(account_id=site.account_id, site=site, **row) for row in new_rows],
            batch_size=CHUNK,
            # A case-folding the database sees differently from Python lands here, not in a 500.
            ignore_conflicts=True,
        )
        result.created = Keywords.objects.filter(site=site).count() - before
        result.duplicates += len(new_rows) - result.created
        result.near_duplicates = near_duplicates(site, [row["keyword"] for row in new_rows])
    return result


MAX_NEAR_DUPLICATES = 100


def near_duplicates(site: Site, imported: list[str]) -> list[dict]:
    """[{"keyword", "existing"}]: each imported keyword whose normalised form equals that of a
    keyword the site had before or of one imported before it in the same file."""
    imported_keys = {k.lower() for k in imported}
    seen: dict[str, str] = {}
    for keyword in Keywords.objects.filter(site=site).order_by("id").values_list("keyword", flat=True):
        if keyword.lower() not in imported_keys:
            seen.setdefault(normalise(keyword), keyword)
    found = []
    for keyword in imported:
        key = normalise(keyword)
        if key and key in seen and len(found) < MAX_NEAR_DUPLICATES:
            found.append({"keyword": keyword, "existing": seen[key]})
        seen.setdefault(key, keyword)
    return found
