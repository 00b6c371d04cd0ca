"""Re-packing EPUB archives: fixed order, stored mimetype, fixed dates and modes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from bookmaker.builders.epub.ocf import repack, zip_timestamp


def _archive(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, f"content of {name}")
    return out.getvalue()


def test_mimetype_container_and_package_come_first_the_rest_keeps_its_order():
    data = _archive(["EPUB/text/b.xhtml", "EPUB/content.opf", "mimetype", "EPUB/text/a.xhtml",
                     "META-INF/container.xml"])
    packed = zipfile.ZipFile(io.BytesIO(repack(data, dt.datetime(2020, 1, 2, tzinfo=dt.UTC))))
    assert packed.namelist() == ["mimetype", "META-INF/container.xml", "EPUB/content.opf",
                                 "EPUB/text/b.xhtml", "EPUB/text/a.xhtml"]
    assert packed.infolist()[0].compress_type == zipfile.ZIP_STORED
    assert {i.compress_type for i in packed.infolist()[1:]} == {zipfile.ZIP_DEFLATED}
    assert packed.read("EPUB/text/a.xhtml") == b"content of EPUB/text/a.xhtml"


def test_the_same_archive_at_other_times_packs_to_the_same_bytes():
    when = dt.datetime(2006, 12, 16, 10, 30, 5, tzinfo=dt.UTC)
    first = repack(_archive(["mimetype", "a.xhtml"]), when)
    second = repack(_archive(["mimetype", "a.xhtml"]), when)
    assert first == second
    assert repack(_archive(["mimetype", "a.xhtml"]), when + dt.timedelta(days=1)) != first


def test_timestamps_are_clamped_to_what_zip_can_hold():
    assert zip_timestamp(dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) == (1980, 1, 1, 0, 0, 0)
    assert zip_timestamp(dt.datetime(2006, 12, 16, 10, 30, 5, tzinfo=dt.UTC)) == (
        2006, 12, 16, 10, 30, 4
    )
    # A naive date is taken as UTC; an aware one is converted to UTC.
    assert zip_timestamp(dt.datetime(2006, 12, 16, 10, 30)) == (2006, 12, 16, 10, 30, 0)
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert zip_timestamp(dt.datetime(2006, 12, 16, 12, 0, tzinfo=plus_two))[3] == 10
