"""No page is wider than the window: every page of the access matrix, at 390 and 1280 pixels.

Each page the access matrix knows (tests/test_access_matrix.py) is opened as someone who may
read it (its happy path), at a phone's width and a desktop's, checked with axe-core, and
fails if the document scrolls sideways. A wide table may scroll inside its own region
(.app-table-scroll), never the page. Downloads (CSV, JSON, PDF, workbooks) are not pages.
"""

import pytest
from django.urls import reverse

from tests.test_access_matrix import MATRIX, ROLES, _build_world

from .conftest import _close_page, _open_page, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)
# Who opens each page: the first of these who gets it (the lead sees the most).
PREFERENCE = ("lead", "inspector", "qa", "manager", "admin", "anonymous")
NOT_PAGES = ("admin:",)  # Django's own admin site is not built with the design system


def happy_paths(world) -> dict[str, list[str]]:
    """For each person, the addresses of the pages they open here."""
    by_role: dict[str, list[str]] = {}
    for name, page in MATRIX.items():
        if name.startswith(NOT_PAGES):
            continue
        statuses = dict(zip(ROLES, page.get, strict=True))
        role = next((r for r in PREFERENCE if statuses[r] == 200), None)
        if role is None:
            continue
        url = reverse(name, kwargs=page.kwargs(world)) + page.query
        by_role.setdefault(role, []).append(url)
    return by_role


def overflow(page) -> int:
    """How many pixels the document is wider than the window."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


def culprits(page) -> str:
    """The outermost elements that reach past the window, to say what to fix."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth, found = [];
          for (const element of document.body.querySelectorAll('*')) {
            if (element.getBoundingClientRect().right <= width + 1) continue;
            const parent = element.parentElement;
            if (parent && parent !== document.body
                && parent.getBoundingClientRect().right > width + 1) continue;
            let clipped = false;
            for (let a = parent; a && a !== document.body; a = a.parentElement) {
              if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)) {
                clipped = true; break;
              }
            }
            if (clipped) continue;
            found.push(element.tagName.toLowerCase()
              + (element.id ? '#' + element.id : '')
              + (element.className && typeof element.className === 'string'
                 ? '.' + element.className.trim().split(/\\s+/).join('.') : ''));
            if (found.length >= 3) break;
          }
          if (!found.length) {
            let widest = null;
            for (const element of document.body.querySelectorAll('*')) {
              const right = element.getBoundingClientRect().right;
              if (!widest || right > widest[1]) widest = [element, right];
            }
            for (let e = widest && widest[0]; e && e !== document.body; e = e.parentElement) {
              found.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                + (typeof e.className === 'string' && e.className ? '.' + e.className.trim()
                   .split(/\\s+/).join('.') : ''));
              if (found.length >= 6) break;
            }
            return 'widest: ' + found.join(' < ');
          }
          return found.join(', ');
        }"""
    )


def test_no_page_is_wider_than_the_window(browser, site, transactional_db):
    world = _build_world()
    too_wide, opened = [], 0
    for role, urls in happy_paths(world).items():
        page = _open_page(browser, site)
        try:
            if role != "anonymous":
                sign_in(page, getattr(world.people, role))
            for url in urls:
                response = page.request.get(url)
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue  # a download
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    visit(page, url)
                    opened += 1
                    extra = overflow(page)
                    if extra > 0:
                        too_wide.append(
                            f"{url} at {width}px: {extra}px too wide ({role}): {culprits(page)}"
                        )
        finally:
            _close_page(page)
    assert opened > 100, opened  # every page at both widths, not a few
    assert not too_wide, "\n".join(too_wide)
