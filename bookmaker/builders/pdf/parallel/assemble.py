"""Assemble the sectioned book (:mod:`.sections`) into one PDF with pikepdf.

One recipe, a step per line in :class:`Assembly`: body groups with blank versos
where the single render has them, folios, then the front matter before them,
named destinations (note and contents links), outline, page labels, metadata.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Callable
from pathlib import Path

from bookmaker.builders.pdf.context import BookContext
from bookmaker.builders.pdf.folios import read_calibration, stamp

LINK_SCHEME = "bookmaker:"
"""Contents links in the front render point here; they become links into the body."""


class Assembly:
    """The book's PDF put together as its parts come: the body group by group, in book
    order, while later groups still render (and while an edited group renders, all the
    others), then the front matter before it (:meth:`finish`)."""

    def __init__(self, calibration: Callable[[], bytes]) -> None:
        import pikepdf

        self.out = pikepdf.new()
        self.sources = []  # kept open until saved: pages are copied lazily
        self.names: list = []
        self.starts: dict[str, int] = {}
        """Anchor → page index in the body."""
        self.calibration = calibration
        """The folio calibration PDF, asked for with the first group (a worker may
        render it meanwhile)."""
        self.stamps = None
        self.copied: dict = {}

    def add_group(self, group, folio: int, blank_after: bool) -> None:
        """Append a rendered group whose first page is body page ``folio``, its folios
        stamped, and a blank verso after it when the next group must open on a recto."""
        import pikepdf

        pdf = pikepdf.open(io.BytesIO(group.pdf))
        self.sources.append(pdf)
        out = self.out
        first = len(out.pages)
        for anchor, page in group.anchors.items():
            self.starts[anchor] = first + page
        copy_pages(out, pdf, self.names)
        if self.stamps is None:
            self.stamps = read_calibration(self.calibration())
        for offset, kind in enumerate(group.kinds):
            if kind != "none":
                stamp(out, out.pages[first + offset], self.stamps, kind, folio + offset,
                      self.copied)
        if blank_after:
            add_blank(out, len(out.pages))

    def finish(self, context: BookContext, front, target: Path) -> int:
        """Put the front matter (``front()``, the rendered group) before the body, link and
        label the whole, write it to ``target``; returns its page count."""
        import pikepdf

        out = self.out
        front_pdf = pikepdf.open(io.BytesIO(front.pdf))
        self.sources.append(front_pdf)
        copy_pages(out, front_pdf, self.names, at=0)
        front_count = len(front_pdf.pages)
        if front_count % 2:  # the body opens on a recto
            add_blank(out, front_count)
            front_count += 1
        starts = {anchor: front_count + page for anchor, page in self.starts.items()}

        merge_destinations(out, self.names)
        link_contents(out, front_count)
        add_outline(out, context, front.anchors, starts)
        add_page_labels(out, front_count)
        copy_metadata(out, front_pdf, context.created)
        out.save(target, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        pages = len(out.pages)
        self.close()
        return pages

    def close(self) -> None:
        """Let go of the sources (also when the build failed before :meth:`finish`)."""
        for pdf in self.sources:
            pdf.close()
        self.sources.clear()
        if self.stamps is not None:
            self.stamps.pdf.close()
            self.stamps = None


def copy_pages(out, pdf, names: list, at: int | None = None) -> None:
    """Copy all pages of ``pdf`` to the end of ``out`` (or before page ``at``);
    remember its named destinations for the merge."""
    import pikepdf

    if at is None:
        with warnings.catch_warnings():
            # pikepdf warns that extend() drops named destinations: merge_destinations() keeps them.
            warnings.simplefilter("ignore")
            out.pages.extend(pdf.pages)
    else:
        for offset, page in enumerate(pdf.pages):
            out.pages.insert(at + offset, page)
    root_names = pdf.Root.get("/Names")
    if root_names is not None and "/Dests" in root_names:
        tree = pikepdf.NameTree(root_names.Dests)
        names.extend((key, _copy(out, value)) for key, value in tree.items())
    elif "/Dests" in pdf.Root:
        names.extend((str(key)[1:], _copy(out, value)) for key, value in pdf.Root.Dests.items())


def _copy(out, value):
    """Copy a destination into ``out``; page references map to the pages already copied."""
    import pikepdf

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(out, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copy(out, item) for key, item in value.items()})
    return value


def add_blank(out, at: int) -> None:
    """A blank verso before page ``at``, the size of the page before it."""
    box = out.pages[at - 1].MediaBox
    out.add_blank_page(page_size=(float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))
    if at < len(out.pages) - 1:  # added last: move it into place
        blank = out.pages[-1]
        del out.pages[-1]
        out.pages.insert(at, blank)


def merge_destinations(out, names: list) -> None:
    """One name tree of every anchor, so that links by name resolve in the whole book."""
    import pikepdf

    if not names:
        return
    tree = pikepdf.NameTree.new(out)
    for key, value in sorted(names, key=lambda item: item[0]):
        tree[key] = value
    if "/Names" not in out.Root:
        out.Root.Names = pikepdf.Dictionary()
    out.Root.Names.Dests = tree.obj


def link_contents(out, front_count: int) -> None:
    """Contents entries rendered as ``bookmaker:<id>`` links become links to the anchors."""
    import pikepdf

    for page in list(out.pages)[:front_count]:
        for annot in page.get("/Annots", []):
            action = annot.get("/A")
            if action is None or action.get("/S") != "/URI":
                continue
            uri = str(action.get("/URI", ""))
            if uri.startswith(LINK_SCHEME):
                annot.A = pikepdf.Dictionary(S=pikepdf.Name.GoTo,
                                             D=pikepdf.String(uri[len(LINK_SCHEME):]))


def add_outline(out, context: BookContext, front_anchors: dict, starts: dict) -> None:
    """Bookmarks as the single render makes them: contents, front matter, parts, documents."""
    import pikepdf

    with out.open_outline() as outline:
        if "contents" in front_anchors:
            outline.root.append(pikepdf.OutlineItem(context.labels["contents"],
                                                    front_anchors["contents"]))
        for piece in context.front_documents:
            if piece.id in front_anchors:
                outline.root.append(pikepdf.OutlineItem(piece.running_title,
                                                        front_anchors[piece.id]))
        for part in context.parts:
            parent = outline.root
            if part.title and part.id in starts:
                item = pikepdf.OutlineItem(part.title, starts[part.id])
                outline.root.append(item)
                parent = item.children
            for piece in part.documents:
                if piece.id in starts:
                    parent.append(pikepdf.OutlineItem(piece.running_title, starts[piece.id]))


def add_page_labels(out, front_count: int) -> None:
    """Roman numbers for the front matter, arabic from 1 where the body begins."""
    import pikepdf

    nums = []
    if front_count:
        nums += [0, pikepdf.Dictionary(S=pikepdf.Name("/r"))]
    nums += [front_count, pikepdf.Dictionary(S=pikepdf.Name("/D"))]
    out.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(nums))


def copy_metadata(out, front_pdf, created: str | None) -> None:
    """Title, authors, subject, keywords, creator and language, as WeasyPrint wrote them;
    the dates from ``created`` (ISO 8601), which the front render is not given."""
    for key, value in front_pdf.docinfo.items():
        out.docinfo[key] = value
    if created:
        out.docinfo["/CreationDate"] = out.docinfo["/ModDate"] = pdf_date(created)
    if "/Lang" in front_pdf.Root:
        out.Root.Lang = front_pdf.Root.Lang


def pdf_date(iso: str) -> str:
    """An ISO 8601 date-time as a PDF date string, written as WeasyPrint writes it."""
    moment = dt.datetime.fromisoformat(iso)
    offset = moment.utcoffset()
    if offset is None:
        return f"D:{moment:%Y%m%d%H%M%S}Z"
    minutes = int(offset.total_seconds()) // 60
    hours, minutes = divmod(abs(minutes), 60)
    sign = "-" if offset.total_seconds() < 0 else "+"
    return f"D:{moment:%Y%m%d%H%M%S}{sign}{hours:02d}'{minutes:02d}"
