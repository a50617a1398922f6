"""Putting right what WeasyPrint's tagged PDF gets wrong for PDF/UA, as it writes the file.

WeasyPrint (70) tags the document (a structure tree, marked content), and
:func:`structure_finisher` is given to ``write_pdf(finisher=...)`` to correct three things in
its output before the file is written (docs/decisions.md, "The PDF's structure"):

- **Running header and footer.** WeasyPrint marks the text of the page-margin boxes as
  tagged content that no element of the structure tree holds (an artifact in the tree is
  PDF 2.0 only). PDF/UA-1 wants page furniture marked as pagination artifacts, so each such
  sequence becomes ``/Artifact <</Type /Pagination>> BDC`` and leaves the parent tree.
- **Figure bounding boxes.** A Figure's ``/BBox`` is written in CSS pixels from the page's
  top-left corner; PDF wants points from its bottom-left corner.
- **Tables across pages.** A table that runs over a page break comes out as one Table
  element per page, only the first with its caption. The later parts' rows join the first
  part's body, so the table stays one table with its caption; the header row the page repeats
  becomes a pagination artifact, as page furniture.
- **Link descriptions.** A link annotation's ``/Contents`` is its target ("foreword", a
  URL); it becomes the link's own words ("Foreword"), which a screen reader announces.

Plain functions over pydyf objects: nothing here reads the database.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html import unescape
from html.parser import HTMLParser

import pydyf

# CSS pixels to PDF points: WeasyPrint lays out at 96 px per inch, PDF counts 72 per inch.
PX_TO_PT = 0.75


class _LinkWords(HTMLParser):
    """Each link target in a page of HTML ("foreword", "https://...") -> the link's words."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words: dict[str, str] = {}
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href") or None
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            words = " ".join("".join(self._text).split())
            target = self._href[1:] if self._href.startswith("#") else self._href
            if words:
                self.words.setdefault(unescape(target), words)
            self._href = None


def link_words(html: str) -> dict[str, str]:
    parser = _LinkWords()
    parser.feed(html)
    return parser.words


def structure_finisher(html: str):
    """A ``write_pdf`` finisher for the document drawn from ``html``."""
    words = link_words(html)

    def finish(document, pdf) -> None:
        objects = {
            obj.reference: obj
            for obj in pdf.objects
            if isinstance(obj, pydyf.Object) and getattr(obj, "number", None) is not None
        }
        page_refs = list(pdf.page_references)
        _figure_boxes_in_points(pdf, document, page_refs)
        _link_descriptions(pdf, words)
        _join_split_tables(pdf, objects)
        _margin_boxes_as_artifacts(pdf, objects, page_refs)

    return finish


def _struct_elements(pdf):
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem":
            yield obj


def _figure_boxes_in_points(pdf, document, page_refs) -> None:
    for element in _struct_elements(pdf):
        attributes = element.get("A")
        if element.get("S") != "/Figure" or not isinstance(attributes, pydyf.Dictionary):
            continue
        box = attributes.get("BBox")
        if box is None or element.get("Pg") not in page_refs:
            continue
        height = document.pages[page_refs.index(element["Pg"])].height
        x1, y1, x2, y2 = (float(v) for v in box)
        attributes["BBox"] = pydyf.Array(
            [
                round(x1 * PX_TO_PT, 2),
                round((height - y2) * PX_TO_PT, 2),
                round(x2 * PX_TO_PT, 2),
                round((height - y1) * PX_TO_PT, 2),
            ]
        )


def _link_descriptions(pdf, words: dict[str, str]) -> None:
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("Subtype") != "/Link":
            continue
        contents = obj.get("Contents")
        target = contents.string if isinstance(contents, pydyf.String) else None
        if target is None:
            continue
        readable = words.get(target) or _words_of(target)
        obj["Contents"] = pydyf.String(readable)


def _words_of(target: str) -> str:
    """A last resort: "annex-methodology" -> "annex methodology"."""
    return re.sub(r"[-_#/]+", " ", target).strip() or target


def _kids(element) -> list:
    kids = element.get("K")
    if isinstance(kids, list):
        return kids
    return [] if kids is None else [kids]


def _kind(objects, ref) -> str | None:
    obj = objects.get(ref) if isinstance(ref, bytes) else None
    return obj.get("S") if isinstance(obj, pydyf.Dictionary) else None


def _join_split_tables(pdf, objects) -> None:
    """Fold each captionless Table (a table's part on a later page) into the table before it.

    Every table of the report has a caption, so a Table element without one is the
    continuation of the last table met before it in document order, on an earlier page.
    """
    root = objects.get(pdf.catalog.get("StructTreeRoot"))
    if root is None:
        return
    order: list[bytes] = []
    stack = list(reversed(_kids(root)))
    while stack:  # preorder: the document's reading order
        ref = stack.pop()
        if not isinstance(ref, bytes) or ref not in objects:
            continue
        order.append(ref)
        stack.extend(reversed([k for k in _kids(objects[ref]) if isinstance(k, bytes)]))
    last_table = None
    for ref in order:
        if _kind(objects, ref) != "/Table":
            continue
        table = objects[ref]
        parts = {_kind(objects, k): k for k in _kids(table)}
        if "/Caption" in parts or last_table is None or table.get("Pg") == last_table.get("Pg"):
            last_table = table
            continue
        body = next((objects[k] for k in _kids(last_table) if _kind(objects, k) == "/TBody"), None)
        if body is None:
            last_table = table
            continue
        for kid in _kids(table):
            kind = _kind(objects, kid)
            if kind == "/TBody":
                for row in _kids(objects[kid]):
                    if isinstance(row, bytes) and row in objects:
                        objects[row]["P"] = body.reference
                    body["K"].append(row)
            elif kind != "/THead":  # the repeated header row is left out: an artifact
                last_table["K"].append(kid)
                if isinstance(kid, bytes):
                    objects[kid]["P"] = last_table.reference
        parent = objects.get(table.get("P"))
        if parent is not None and isinstance(parent.get("K"), list):
            parent["K"][:] = [k for k in parent["K"] if k != ref]


def _reachable(root_refs, objects) -> set[bytes]:
    seen: set[bytes] = set()
    stack = list(root_refs)
    while stack:
        ref = stack.pop()
        if ref in seen or ref not in objects:
            continue
        seen.add(ref)
        kids = objects[ref].get("K") if isinstance(objects[ref], pydyf.Dictionary) else None
        if isinstance(kids, list):
            stack.extend(k for k in kids if isinstance(k, bytes))
        elif isinstance(kids, bytes):
            stack.append(kids)
    return seen


def _margin_boxes_as_artifacts(pdf, objects, page_refs) -> None:
    root = objects.get(pdf.catalog.get("StructTreeRoot"))
    if root is None:
        return
    reachable = _reachable(list(root["K"]), objects)
    orphans: dict[bytes, set[int]] = defaultdict(set)  # page reference -> MCIDs
    for element in _struct_elements(pdf):
        if element.reference in reachable:
            continue
        for kid in element.get("K", []):
            if isinstance(kid, int) and not isinstance(kid, bool):
                orphans[element.get("Pg")].add(kid)
    if not orphans:
        return
    parent_tree = objects.get(root.get("ParentTree"))
    nums = parent_tree.get("Nums", []) if parent_tree is not None else []
    for page_index, page_ref in enumerate(page_refs):
        mcids = orphans.get(page_ref)
        if not mcids:
            continue
        page = objects[page_ref]
        stream = objects.get(page.get("Contents"))
        if stream is None:
            continue
        items = stream.stream
        for i, item in enumerate(items):
            if (
                isinstance(item, pydyf.Dictionary)
                and item.get("MCID") in mcids
                and i > 0
                and i + 1 < len(items)
                and items[i + 1] == b"BDC"
            ):
                items[i - 1] = "/Artifact"
                items[i] = pydyf.Dictionary({"Type": "/Pagination"})
        # The parent tree maps this page's MCIDs to elements: the artifacts leave it.
        for n in range(0, len(nums) - 1, 2):
            if nums[n] == page_index and isinstance(nums[n + 1], list):
                for mcid in mcids:
                    if mcid < len(nums[n + 1]):
                        nums[n + 1][mcid] = "null"
