import pytest
from datetime import date
from django.db import connection
from django.test.utils import CaptureQueriesContext
from conftest import make_case

@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False

def test_explore(case, people, login, inspection):
    from casefiles.models import Referral, Order, Requirement
    Referral.objects.create(case=case, referral_date=date(2017,1,1), method="phone")
    o = Order.objects.create(case=case, order_type="yro", start_date=date(2016,1,1))
    Requirement.objects.create(order=o, requirement_type="curfew")
    for i in range(3):
        make_case(inspection, reference=f"X{i}", inspector=people.inspector)
    c = login(people.inspector)
    c.get("/")
    for url in [f"/inspections/{inspection.reference}/cases/", f"/cases/{case.public_id}/", f"/inspections/{inspection.reference}/"]:
        with CaptureQueriesContext(connection) as q:
            r = c.get(url)
        print(url, r.status_code, len(q))
        for x in q.captured_queries: print("   ", x["sql"][:230])
    r = c.post(f"/inspections/{inspection.reference}/cases/add/", {"reference": "N1", "date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "2020"})
    html = r.content.decode()
    i = html.find("govuk-error-summary")
    print(html[i:i+3000])
    print(r.cookies)
