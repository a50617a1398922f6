from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from inspection.views import SignInView

urlpatterns = [
    path("", include("inspection.urls")),
    path("", include("casefiles.urls")),
    path("", include("judgements.urls")),
    path("", include("reports.urls")),
    path("jobs/", include("inspection.jobs.urls")),
    path("frameworks/", include("inspection.builder.urls")),
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

# A refusal says what was tried, why not and what to do instead (inspection/refusals.py).
handler403 = "inspection.refusals.refused"
