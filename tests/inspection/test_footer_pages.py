"""The footer's pages: an accessibility statement, a privacy notice, cookies, help and contact.

Each is a real page anyone can read, signed in or not (they hold no case data, and a privacy
notice is read before signing in); every page's footer links to them, and the banner gives the
marking.
"""

import pytest
from django.urls import reverse

PAGES = {
    "inspection:accessibility": "Accessibility statement for Case file audit",
    "inspection:privacy": "Privacy notice",
    "inspection:cookies": "Cookies",
    "inspection:help": "Help and contact",
}


@pytest.mark.parametrize(("name", "heading"), PAGES.items())
def test_each_footer_page_is_open_to_anyone_signed_in_or_not(client, login, people, name, heading):
    for visitor in (client, login(people.outsider)):
        response = visitor.get(reverse(name))
        assert response.status_code == 200
        assert f'<h1 class="govuk-heading-xl">{heading}</h1>' in response.content.decode()
        client.logout()


@pytest.mark.parametrize("name", PAGES)
def test_a_footer_page_takes_no_post(client, name):
    assert client.post(reverse(name)).status_code == 405


def test_the_privacy_notice_says_what_why_how_long_and_who(client):
    page = client.get(reverse("inspection:privacy")).content.decode()
    for heading in ("What personal data we hold", "Why we hold it", "How long we keep it",
                    "Who can see it"):
        assert heading in page


def test_every_page_links_to_the_footer_pages_and_carries_the_marking(client, login, people):
    signed_out = client.get(reverse("login"))
    for response in (signed_out, login(people.lead).get(reverse("inspection:home"))):
        page = response.content.decode()
        for name in PAGES:
            assert f'href="{reverse(name)}"' in page
        assert "OFFICIAL-SENSITIVE" in page
