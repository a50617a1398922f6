"""Address pieces: framework codes in paths, and slugs in query strings."""

import re

from django.http import Http404

SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class CodeConverter:
    """A framework's code for a domain, standard or question (1, 2.1, 2.2.1.a): any characters
    but a slash or a control character. No code holds one, and PostgreSQL cannot even look up
    a NUL, so such an address is "not found" rather than a server error."""

    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def slug_from_query(request, name: str) -> str:
    """A slug given in the query string (?organisation=bd-yos), or "" if none. Anything that
    is not a slug is "not found", as it would be in the address itself."""
    value = request.GET.get(name, "").strip()
    if value and not SLUG.fullmatch(value):
        raise Http404(f"There is no {name} with that name.")
    return value
