"""Pages for safeguarding concerns: raise one from a case, list an inspection's, follow one up."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspection.access import inspection_access

from ..access import case_access
from ..models import LinkedChild
from . import forms, services
from .models import Concern
from .selectors import concern_access, concerns_for


def _posted(request):
    return request.POST if request.method == "POST" else None


def _refused(form, error: services.ConcernRefused) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


@require_http_methods(["GET", "POST"])
def concern_raise(request, public_id):
    case, access = case_access(request.user, public_id)
    access.require(access.may_raise_concern)
    children = LinkedChild.objects.filter(case=case).order_by("name")
    form = forms.ConcernRaiseForm(
        _posted(request), case=case, children=children, personal=access.may_see_personal_data
    )
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_raise(
                case=case,
                about=form.about_value(),
                urgency=form.cleaned_data["urgency"],
                found=form.cleaned_data["found"],
                why_urgent=form.cleaned_data["why_urgent"],
                actor=request.user,
            )
        except services.ConcernRefused as error:
            _refused(form, error)
        else:
            messages.success(
                request, "Safeguarding concern raised: the lead inspector has been alerted"
            )
            return redirect("casefiles:concern_detail", public_id=concern.public_id)
    return render(
        request,
        "casefiles/concerns/raise.html",
        {"form": form, "case": case, "inspection": case.inspection},
    )


@require_GET
def concern_list(request, reference):
    access = inspection_access(request.user, reference)
    if access.role is None:
        # Managers and administrators see counts on the inspection page, not the concerns.
        raise PermissionDenied("Only the inspection's team reads its safeguarding concerns.")
    concerns = list(
        concerns_for(access).select_related("case", "child", "raised_by").order_by("-raised_at")
    )
    return render(
        request,
        "casefiles/concerns/list.html",
        {
            "inspection": access.inspection,
            "access": access,
            "concerns": concerns,
            "today": timezone.localdate(),
            "personal": access.may_see_personal_data,
        },
    )


def _detail_context(concern: Concern, access) -> dict:
    return {
        "concern": concern,
        "inspection": concern.inspection,
        "access": access,
        "today": timezone.localdate(),
        "about": concern.about(personal=access.may_see_personal_data),
        "changes": concern.changes.select_related("actor").order_by("at", "pk"),
        "acknowledge_form": forms.AcknowledgeForm(initial={"version": concern.version}),
    }


@require_GET
def concern_detail(request, public_id):
    concern, access = concern_access(request.user, public_id)
    return render(request, "casefiles/concerns/detail.html", _detail_context(concern, access))


@require_POST
def concern_acknowledge(request, public_id):
    concern, access = concern_access(request.user, public_id)
    access.require(access.may_follow_up_concern)
    form = forms.AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.concern_acknowledge(
                concern=concern, actor=request.user, seen_version=form.seen_version
            )
        except services.ConcernRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "Concern acknowledged: now refer it back to the service")
            return redirect("casefiles:concern_detail", public_id=concern.public_id)
    concern.refresh_from_db()
    context = _detail_context(concern, access)
    context["acknowledge_form"] = form
    return render(request, "casefiles/concerns/detail.html", context, status=400)


STEPS = {
    "referral": (
        forms.ReferralForm,
        "Record the referral",
        lambda c: {
            "organisation": c.referred_to_organisation,
            "person": c.referred_to_person,
            "referred_on": c.referred_on,
            "method": c.referral_method,
            "reference": c.referral_reference,
            "response_due": c.response_due,
        },
    ),
    "response": (
        forms.ResponseForm,
        "Record the response",
        lambda c: {"received_on": c.response_received_on, "response": c.response},
    ),
    "close": (forms.CloseForm, "Close the concern", lambda c: {}),
}


def _take_step(step: str, concern: Concern, form, actor) -> Concern:
    data = form.cleaned_data
    if step == "referral":
        return services.concern_refer(
            concern=concern,
            organisation=data["organisation"],
            person=data["person"],
            referred_on=data["referred_on"],
            method=data["method"],
            reference=data["reference"],
            response_due=data["response_due"],
            actor=actor,
            seen_version=form.seen_version,
        )
    if step == "response":
        return services.concern_response_record(
            concern=concern,
            received_on=data["received_on"],
            response=data["response"],
            actor=actor,
            seen_version=form.seen_version,
        )
    return services.concern_close(
        concern=concern,
        outcome=data["outcome"],
        note=data["note"],
        actor=actor,
        seen_version=form.seen_version,
    )


def _step_view(step: str):
    form_class, title, initial = STEPS[step]

    @require_http_methods(["GET", "POST"])
    def view(request, public_id):
        concern, access = concern_access(request.user, public_id)
        access.require(access.may_follow_up_concern)
        form = form_class(
            _posted(request), initial={**initial(concern), "version": concern.version}
        )
        if request.method == "POST" and form.is_valid():
            try:
                _take_step(step, concern, form, request.user)
            except services.ConcernRefused as error:
                _refused(form, error)
            else:
                messages.success(request, f"{title}: saved")
                return redirect("casefiles:concern_detail", public_id=concern.public_id)
        return render(
            request,
            "casefiles/concerns/step.html",
            {"form": form, "concern": concern, "inspection": concern.inspection, "title": title},
        )

    view.__name__ = f"concern_{step}"
    return view


concern_referral = _step_view("referral")
concern_response = _step_view("response")
concern_close = _step_view("close")
