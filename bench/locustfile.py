"""Load test: inspectors score their cases while managers read the dashboards.

    bench/run_load.sh        # sets up the database and gunicorn, runs this, prints the results

Run on its own against a server prepared as bench/run_load.sh prepares it (the accounts
load-inspector-01... each with a case of their own, and the demonstration manager):

    .venv/bin/locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s \
        --host http://127.0.0.1:8765

Inspectors (four in five users) sign in, open their case's walk-through, open step pages and
save answers as they go through the autosave endpoint, carrying the version of each answer
they last saw and taking the new one from the JSON reply, as static/src/app.mjs does. Each
simulated inspector has a case of their own, so no save is ever refused as stale: a 409 is
counted as a failure. Managers (one in five) open the national dashboards, an area, an
organisation, a key question across organisations, the referral tracker, and an inspection's
page and ratings. Only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import itertools
import random
import re
import threading
from urllib.parse import urlparse

from locust import HttpUser, between, events, task
from locust.exception import StopUser

PASSWORD = "demo-pass-2026"  # noqa: S105 - the demonstration accounts' published password
INSPECTION = "yos-barking-dagenham-2018"
ORGANISATION = "barking-and-dagenham-yos"
AREA = "barking-and-dagenham"
KEY_QUESTIONS = ["2.1.1", "2.2.2", "2.3.3", "3.1.1"]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/([0-9a-f-]{36})/')
STEP_LINK = re.compile(r'href="/cases/[0-9a-f-]{36}/steps/([^/"]+)/"')
VERSION = re.compile(r'name="(q\d+)-version" value="(\d+)"')

_numbers = itertools.count(1)
_numbers_lock = threading.Lock()


@events.test_start.add_listener
def _only_localhost(environment, **kwargs):
    host = urlparse(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"This load test only runs against 127.0.0.1, not {host!r}.")


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(1, 3)  # a person reads and types between requests
    username = ""

    def sign_in(self) -> None:
        page = self.client.get("/login/", name="/login/")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="/login/ (sign in)",
            catch_response=True,
        ) as response:
            signed_in = "/login/" not in response.url and response.status_code == 200
            if not signed_in:
                response.failure(f"{self.username} could not sign in ({response.status_code})")
        if not signed_in:
            raise StopUser()

    def page(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")
            return response


class Inspector(SignedIn):
    weight = 4

    def on_start(self) -> None:
        with _numbers_lock:
            number = next(_numbers)
        self.username = f"load-inspector-{number:02d}"
        self.sign_in()
        queue = self.page("/my-cases/", "/my-cases/")
        found = CASE_LINK.search(queue.text)
        if found is None:
            raise StopUser(f"{self.username} has no case: was the server set up by run_load.sh?")
        self.case = found.group(1)
        summary = self.page(f"/cases/{self.case}/judgements/", "/cases/[id]/judgements/")
        self.steps = list(dict.fromkeys(STEP_LINK.findall(summary.text)))

    @task(3)
    def answer_a_step(self) -> None:
        code = random.choice(self.steps)
        page = self.page(f"/cases/{self.case}/steps/{code}/", "/cases/[id]/steps/[code]/")
        token = CSRF.search(page.text).group(1)
        versions = {question: int(version) for question, version in VERSION.findall(page.text)}
        # A person answers a few questions of the step, each saved as they go.
        for question in random.sample(sorted(versions), k=min(3, len(versions))):
            value = random.choice(["yes", "yes", "no", "na"])
            with self.client.post(
                f"/cases/{self.case}/steps/{code}/autosave/",
                data={
                    "csrfmiddlewaretoken": token,
                    "question": question,
                    "value": value,
                    "note": f"Evidence from the case file for {question}: {value}.",
                    "version": versions[question],
                },
                name="/cases/[id]/steps/[code]/autosave/",
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code}: {response.text[:120]}")
                    continue
                versions[question] = response.json()["version"]

    @task(1)
    def read_the_summary(self) -> None:
        self.page(f"/cases/{self.case}/judgements/", "/cases/[id]/judgements/")

    @task(1)
    def read_the_case_file(self) -> None:
        self.page(f"/cases/{self.case}/", "/cases/[id]/")


class Manager(SignedIn):
    weight = 1
    username = "manager"

    def on_start(self) -> None:
        self.sign_in()

    @task(3)
    def national(self) -> None:
        self.page("/dashboards/", "/dashboards/")

    @task(1)
    def question(self) -> None:
        code = random.choice(KEY_QUESTIONS)
        self.page(f"/dashboards/questions/{code}/", "/dashboards/questions/[code]/")

    @task(1)
    def area(self) -> None:
        self.page(f"/dashboards/areas/{AREA}/", "/dashboards/areas/[slug]/")

    @task(1)
    def organisation(self) -> None:
        self.page(f"/dashboards/organisations/{ORGANISATION}/", "/dashboards/organisations/[slug]/")

    @task(1)
    def referrals(self) -> None:
        self.page("/dashboards/referrals/", "/dashboards/referrals/")

    @task(1)
    def inspection(self) -> None:
        self.page(f"/inspections/{INSPECTION}/", "/inspections/[ref]/")

    @task(2)
    def ratings(self) -> None:
        self.page(f"/inspections/{INSPECTION}/ratings/", "/inspections/[ref]/ratings/")
