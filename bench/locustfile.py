"""Load test: 100 people already signed in, four inspectors to each manager.

    bench/run_load.sh        # sets up the database and gunicorn, runs this, prints the results

Run on its own against a server prepared as bench/run_load.sh prepares it (the accounts
load-inspector-01... each with a case of their own, and load-manager-01...):

    .venv/bin/locust -f bench/locustfile.py --headless -u 100 -r 20 --measure 60 \
        --host http://127.0.0.1:8765 --csv bench/results/load

Everyone signs in first, in on_start, through a session of its own that locust does not
measure (the cookie is then handed to the measured client), and waits until all have signed
in. Then the statistics are cleared and the measured part starts: --measure seconds (60 by
default), after which locust stops. The measured client is locust's FastHttpUser
(geventhttpclient), which takes a fraction of the CPU of its requests-based HttpUser: the
load runs on the machine it measures, and what the load generator spends is taken from the
server. So the figures are of people already signed in, not of
the password hashing of a hundred sign-ins at once (half a second of CPU each). Sign-ins
do not trip the sign-in throttle (inspection/signin.py counts failed attempts only), and
django-axes locks out failures only; a failed sign-in stops that user and is reported.

Inspectors (four in five users) open their home page, the inspection's case list, their
case's file, a step of its walk-through, and save that step from the form (every answer of
the step, carrying each answer's version from the page, as a browser without JavaScript
does). Each simulated inspector has a case of their own, so no save is ever refused as stale:
a 409 is counted as a failure. Managers (one in five) open the national dashboard, an area,
an organisation, a key question across organisations, and drill down from an organisation to
the cases behind an inspection's figures and on to a case. Each person waits 1 to 3 seconds
between actions. Only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import itertools
import random
import re
import threading
from html import unescape
from urllib.parse import urlparse

import gevent
import requests
from gevent.event import Event
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

PASSWORD = "demo-pass-2026"  # noqa: S105 - the demonstration accounts' published password
INSPECTION = "yos-barking-dagenham-2018"
KEY_QUESTIONS = ["2.1.1", "2.2.2", "2.3.3", "3.1.1"]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/([0-9a-f-]{36})/')
STEP_LINK = re.compile(r'href="/cases/[0-9a-f-]{36}/steps/([^/"]+)/"')
VERSION = re.compile(r'name="(q\d+)-version" value="(\d+)"')
AREA_LINK = re.compile(r'href="/dashboards/areas/([^/"]+)/"')
ORGANISATION_LINK = re.compile(r'href="/dashboards/organisations/([^/"]+)/"')
CASES_LINK = re.compile(r'href="(/dashboards/inspections/[^/"]+/[^/"]+/cases/[^"]*)"')

_numbers = {"inspector": itertools.count(1), "manager": itertools.count(1)}
_lock = threading.Lock()
_signed_in = {"count": 0, "failed": 0}
_everyone_signed_in = Event()


@events.init_command_line_parser.add_listener
def _options(parser):
    parser.add_argument(
        "--measure", type=int, default=60, help="seconds measured after everyone has signed in"
    )


@events.test_start.add_listener
def _only_localhost(environment, **kwargs):
    host = urlparse(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"This load test only runs against 127.0.0.1, not {host!r}.")


def _one_more_ready(environment, *, failed: bool) -> None:
    """Count a user that has signed in (or failed to); the last one starts the measurement."""
    with _lock:
        _signed_in["count"] += 1
        _signed_in["failed"] += failed
        everyone = _signed_in["count"] >= environment.runner.target_user_count
    if everyone and not _everyone_signed_in.is_set():
        environment.stats.reset_all()
        _everyone_signed_in.set()
        seconds = environment.parsed_options.measure
        print(
            f"{_signed_in['count'] - _signed_in['failed']} signed in "
            f"({_signed_in['failed']} failed); measuring for {seconds} s",
            flush=True,
        )
        gevent.spawn_later(seconds, environment.runner.quit)


class SignedIn(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)  # a person reads and types between requests
    role = ""

    def on_start(self) -> None:
        with _lock:
            number = next(_numbers[self.role])
        self.username = f"load-{self.role}-{number:02d}"
        try:
            self.sign_in()
            self.prepare()
        except StopUser:
            _one_more_ready(self.environment, failed=True)
            raise
        _one_more_ready(self.environment, failed=False)
        _everyone_signed_in.wait()
        gevent.sleep(random.uniform(0, 3))  # people do not all click at the same moment

    def sign_in(self) -> None:
        """Sign in through a session locust does not measure, then hand over its cookies."""
        session = requests.Session()
        page = session.get(f"{self.host}/login/", timeout=300)
        token = CSRF.search(page.text).group(1)
        response = session.post(
            f"{self.host}/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            timeout=300,
        )
        if "/login/" in response.url or response.status_code != 200:
            print(f"{self.username} could not sign in ({response.status_code})", flush=True)
            raise StopUser
        self.signed_in = session
        for cookie in session.cookies:
            self.client.cookiejar.set_cookie(cookie)

    def prepare(self) -> None:
        """What a person already has open before the measurement starts."""

    def page(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")
            return response


class Inspector(SignedIn):
    weight = 4
    role = "inspector"

    def prepare(self) -> None:
        queue = self.signed_in.get(f"{self.host}/my-cases/", timeout=300)
        found = CASE_LINK.search(queue.text)
        if found is None:
            print(f"{self.username} has no case: was the server set up by run_load.sh?", flush=True)
            raise StopUser
        self.case = found.group(1)
        summary = self.signed_in.get(f"{self.host}/cases/{self.case}/judgements/", timeout=300)
        self.steps = list(dict.fromkeys(STEP_LINK.findall(summary.text)))

    @task(1)
    def home(self) -> None:
        self.page("/", "/ (home)")

    @task(1)
    def case_list(self) -> None:
        self.page(f"/inspections/{INSPECTION}/cases/", "/inspections/[ref]/cases/")

    @task(1)
    def case_file(self) -> None:
        self.page(f"/cases/{self.case}/", "/cases/[id]/")

    @task(3)
    def answer_a_step(self) -> None:
        code = random.choice(self.steps)
        url = f"/cases/{self.case}/steps/{code}/"
        page = self.page(url, "/cases/[id]/steps/[code]/")
        if page.status_code != 200:
            return
        data = {"csrfmiddlewaretoken": CSRF.search(page.text).group(1), "save": "1"}
        for question, version in VERSION.findall(page.text):
            value = random.choice(["yes", "yes", "yes", "no", "na"])
            data[f"{question}-value"] = value
            data[f"{question}-note"] = f"Evidence from the case file: {value}."
            data[f"{question}-version"] = version
        with self.client.post(
            url,
            data=data,
            headers={"Referer": f"{self.host}{url}"},
            name="/cases/[id]/steps/[code]/ (save)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}: {response.text[:120]}")


class Manager(SignedIn):
    weight = 1
    role = "manager"

    def prepare(self) -> None:
        self.areas = ["barking-and-dagenham"]
        self.organisations = ["barking-and-dagenham-yos"]

    @task(3)
    def national_then_area(self) -> None:
        national = self.page("/dashboards/", "/dashboards/")
        areas = AREA_LINK.findall(national.text)
        organisations = ORGANISATION_LINK.findall(national.text)
        if areas:
            self.areas = areas
        if organisations:
            self.organisations = organisations
        self.wait()
        self.page(f"/dashboards/areas/{random.choice(self.areas)}/", "/dashboards/areas/[slug]/")

    @task(1)
    def question(self) -> None:
        code = random.choice(KEY_QUESTIONS)
        self.page(f"/dashboards/questions/{code}/", "/dashboards/questions/[code]/")

    @task(2)
    def drill_down(self) -> None:
        slug = random.choice(self.organisations)
        organisation = self.page(
            f"/dashboards/organisations/{slug}/", "/dashboards/organisations/[slug]/"
        )
        links = CASES_LINK.findall(organisation.text)
        if not links:
            return
        self.wait()
        url = unescape(random.choice(links))
        cases = self.page(url, "/dashboards/inspections/[ref]/[org]/cases/")
        found = sorted(set(CASE_LINK.findall(cases.text)))
        if found:
            self.wait()
            self.page(f"/cases/{random.choice(found)}/", "/cases/[id]/ (manager)")
