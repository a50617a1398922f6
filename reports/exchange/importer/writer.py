"""Saving a checked file, inside the import's transaction (see importer/__init__)."""

from __future__ import annotations

import uuid

from django.db.models import DateField
from django.utils import timezone

from casefiles.models import Case, LinkedChild, Requirement
from casefiles.parts import PARTS, Part
from inspection.models import Area, Inspection, Membership, Organisation, User
from judgements.models import (
    Answer,
    AnswerValue,
    AuditEvent,
    ModerationDecision,
    OrganisationRating,
    ReturnedQuestion,
)
from judgements.tallies import tallies_rebuild
from reports.exchange.format import parse_date, parse_datetime
from reports.exchange.importer.checks import Checker
from reports.exchange.importer.reading import as_date
from reports.models import (
    DomainFindings,
    KeyFact,
    PracticeExample,
    Pseudonym,
    Recommendation,
    Report,
    ReportEdit,
    StandardText,
)

Action = AuditEvent.Action


class Writer:
    """Saves a checked file (called inside the import's transaction)."""

    def __init__(self, data: dict, checked: Checker):
        self.data = data
        self.checked = checked
        self.now = timezone.now()
        self.events: list[AuditEvent] = []

    def run(self) -> Inspection:
        organisations = self.write_organisations()
        users = self.write_people()
        header = self.data["inspection"]
        inspection = Inspection.objects.create(
            reference=header["reference"],
            title=header["title"],
            kind=header["kind"],
            status=header["status"],
            framework=self.checked.framework,
            fieldwork_start=parse_date(header["fieldwork_start"]),
            fieldwork_end=parse_date(header["fieldwork_end"]),
        )
        inspection.organisations.set(organisations.values())
        Membership.objects.bulk_create(
            Membership(
                inspection=inspection,
                user=users[m["username"]],
                role=m["role"],
                inspectorate=m["inspectorate"],
            )
            for m in self.data["team"]
        )
        self.inspection, self.users, self.organisations = inspection, users, organisations
        self.write_cases()
        self.write_ratings()
        AuditEvent.objects.bulk_create(self.events)
        # The answers went in in bulk: count the new inspection's tallies in this transaction.
        tallies_rebuild(inspection_ids=[inspection.pk])
        self.write_report()
        return inspection

    def audit(self, *, case, actor, action, subject, new) -> None:
        self.events.append(
            AuditEvent(
                inspection=self.inspection,
                case=case,
                actor=actor,
                at=self.now,
                action=action,
                subject=subject[:200],
                new_value=new,
            )
        )

    def write_organisations(self) -> dict[str, Organisation]:
        result = {}
        for org in self.data["organisations"]:
            area_data = org["area"]
            area = Area.objects.filter(slug=area_data["slug"]).first() or Area.objects.create(
                slug=area_data["slug"],
                name=area_data["name"],
                police_force_area=area_data["police_force_area"],
                region=area_data["region"],
            )
            result[org["slug"]] = Organisation.objects.filter(
                slug=org["slug"]
            ).first() or Organisation.objects.create(
                slug=org["slug"], name=org["name"], kind=org["kind"], area=area
            )
        return result

    def write_people(self) -> dict[str, User]:
        listed = {p["username"]: p for p in self.data["people"]}
        users = {u.username: u for u in User.objects.filter(username__in=list(listed))}
        created = []
        for username, person in sorted(listed.items()):
            if username in users:
                continue
            user = User(
                username=username,
                first_name=person["first_name"],
                last_name=person["last_name"],
                is_active=False,
            )
            user.set_unusable_password()
            created.append(user)
        for user in User.objects.bulk_create(created):
            users[user.username] = user
        return users

    @staticmethod
    def _public_id(obj: dict) -> uuid.UUID:
        return uuid.UUID(obj["public_id"]) if obj.get("public_id") else uuid.uuid4()

    def _part(self, part: Part, case: Case, item: dict, children: dict[str, LinkedChild]):
        """One part of a case file, unsaved, from the file's item (casefiles.parts)."""
        values = {}
        for name in part.fields:
            field = part.model._meta.get_field(name)
            value = item[name]
            if field.is_relation:  # the linked child it is about, if any
                value = children[value] if value else None
            elif isinstance(field, DateField):
                value = as_date(value)
            values[name] = value
        return part.model(public_id=self._public_id(item), case=case, **values)

    def write_cases(self) -> None:
        users, questions = self.users, self.checked.questions
        lead = users.get(self.checked.lead) if self.checked.lead else None
        cases = Case.objects.bulk_create(
            Case(
                public_id=self._public_id(c),
                inspection=self.inspection,
                organisation=self.organisations[c["organisation"]],
                reference=c["reference"],
                sample_type=c["sample_type"],
                subject_kind=c["subject_kind"],
                subject_name=c["subject_name"],
                gender=c["gender"],
                ethnicity=c["ethnicity"],
                date_of_birth=as_date(c["date_of_birth"]),
                risk_of_serious_harm=c["risk_of_serious_harm"],
                safety_and_wellbeing=c["safety_and_wellbeing"],
                mappa_level=c["mappa_level"],
                main_source_of_risk=c["main_source_of_risk"],
                case_manager=c["case_manager"],
                inspector=users[c["inspector"]] if c["inspector"] else None,
                status=c["status"],
                selected_for_qa=c["selected_for_qa"],
                submitted_at=parse_datetime(c["submitted_at"]) if c["submitted_at"] else None,
                # Optional: files written before cases were marked as added outside the draw.
                added_outside_draw=c.get("added_outside_draw", False),
                added_reason=c.get("added_reason", ""),
            )
            for c in self.data["cases"]
        )
        self.cases = {case.reference: case for case in cases}
        made: dict[str, list] = {part.slug: [] for part in PARTS}
        requirements, answers, decisions, returns = [], [], [], []
        for case, c in zip(cases, self.data["cases"], strict=True):
            children: dict[str, LinkedChild] = {}  # by public id, for the parts that name one
            for part in PARTS:
                for item in c[part.slug]:
                    made_one = self._part(part, case, item, children)
                    made[part.slug].append(made_one)
                    if part.model is LinkedChild:
                        children[str(made_one.public_id)] = made_one
                    if part.sub_parts:
                        requirements += [(made_one, r) for r in item[part.sub_parts]]
            for a in c["answers"]:
                answers.append(
                    Answer(
                        case=case,
                        question=questions[a["question"]],
                        value=a["value"],
                        note=a["note"],
                        version=a["version"],
                        answered_by=users[a["answered_by"]],
                        updated_at=parse_datetime(a["updated_at"]),
                    )
                )
                self.audit(
                    case=case,
                    actor=users[a["answered_by"]],
                    action=Action.ANSWER_CREATED,
                    subject=a["question"],
                    new=f"{AnswerValue(a['value']).label}\n{a['note']}".strip(),
                )
            for d in c["moderation"]:
                decision = ModerationDecision(
                    case=case,
                    decision=d["decision"],
                    moderator=users[d["moderator"]],
                    at=parse_datetime(d["at"]),
                    reason=d["reason"],
                )
                decisions.append(decision)
                returns += [(decision, r) for r in d["returned_questions"]]
                label = ModerationDecision.Decision(d["decision"]).label
                self.audit(
                    case=case,
                    actor=decision.moderator,
                    action=Action.MODERATED,
                    subject="Quality assurance",
                    new=f"{label}\n{d['reason']}".strip(),
                )
                for r in d["returned_questions"]:
                    self.audit(
                        case=case,
                        actor=decision.moderator,
                        action=Action.MODERATED,
                        subject=f"Returned {r['question']}",
                        new=r["reason"],
                    )
            if case.status != Case.Status.NOT_STARTED:
                self.audit(
                    case=case,
                    actor=case.inspector or lead,
                    action=Action.STATUS_CHANGED,
                    subject="Imported from an inspection file",
                    new=Case.Status(case.status).label,
                )

        # In the registry's order: a linked child is saved before the plans that name it.
        for part in PARTS:
            part.model.objects.bulk_create(made[part.slug])
            if part.sub_parts:
                Requirement.objects.bulk_create(
                    Requirement(
                        order=order, requirement_type=r["requirement_type"], detail=r["detail"]
                    )
                    for order, r in requirements
                )
        Answer.objects.bulk_create(answers)
        ModerationDecision.objects.bulk_create(decisions)
        ReturnedQuestion.objects.bulk_create(
            ReturnedQuestion(
                decision=decision,
                question=questions[r["question"]],
                reason=r["reason"],
                resolved=r["resolved"],
            )
            for decision, r in returns
        )

    def write_ratings(self) -> None:
        standards = self.checked.standards
        ratings = []
        for r in self.data["organisation_ratings"]:
            organisation, standard = self.organisations[r["organisation"]], standards[r["standard"]]
            rated_by = self.users[r["rated_by"]]
            ratings.append(
                OrganisationRating(
                    public_id=self._public_id(r),
                    inspection=self.inspection,
                    organisation=organisation,
                    standard=standard,
                    rating=r["rating"],
                    narrative=r["narrative"],
                    evidence=r["evidence"],
                    version=r["version"],
                    rated_by=rated_by,
                    updated_at=parse_datetime(r["updated_at"]),
                )
            )
            subject = f"{standard.code} {standard.title} ({organisation.name})"
            for name in ("rating", "narrative", "evidence"):
                if r[name]:
                    self.audit(
                        case=None,
                        actor=rated_by,
                        action=Action.ORG_RATING_CHANGED,
                        subject=f"{subject}: {name}",
                        new=r[name],
                    )
        OrganisationRating.objects.bulk_create(ratings)

    def write_report(self) -> None:
        """The report text and pseudonyms, with a line in the report's history for each
        section created (ReportEdit, as reports.writing.services writes)."""
        data = self.data["report"]
        if data is None:
            return
        users, checked = self.users, self.checked
        updated_by = users[data["updated_by"]] if data["updated_by"] else None
        report = Report.objects.create(
            inspection=self.inspection,
            foreword=data["foreword"],
            updated_by=updated_by,
            updated_at=parse_datetime(data["updated_at"]) if data["updated_at"] else None,
        )
        sections = ["Foreword"] if data["foreword"] else []
        findings = []
        for f in data["domain_findings"]:
            domain = checked.domains[f["domain"]]
            findings.append(
                DomainFindings(report=report, domain=domain, key_findings=f["key_findings"])
            )
            sections.append(f"Key findings: {domain.code}. {domain.title}")
        DomainFindings.objects.bulk_create(findings)
        texts = []
        for s in data["standard_texts"]:
            standard = checked.standards[s["standard"]]
            texts.append(
                StandardText(
                    report=report,
                    standard=standard,
                    narrative=s["narrative"],
                    strengths=s["strengths"],
                    areas_for_improvement=s["areas_for_improvement"],
                )
            )
            sections.append(f"Standard {standard.code} {standard.title}")
        StandardText.objects.bulk_create(texts)
        Recommendation.objects.bulk_create(
            Recommendation(
                report=report,
                public_id=self._public_id(r),
                position=r["position"],
                addressed_to=r["addressed_to"],
                text=r["text"],
            )
            for r in data["recommendations"]
        )
        sections += [f"Recommendation to {r['addressed_to']}" for r in data["recommendations"]]
        KeyFact.objects.bulk_create(
            KeyFact(
                report=report,
                public_id=self._public_id(k),
                position=k["position"],
                label=k["label"],
                value=k["value"],
                comparison=k["comparison"],
                source=k["source"],
            )
            for k in data["key_facts"]
        )
        sections += [f"Key fact: {k['label']}" for k in data["key_facts"]]
        PracticeExample.objects.bulk_create(
            PracticeExample(
                report=report,
                public_id=self._public_id(e),
                position=e["position"],
                case=self.cases[e["case"]] if e["case"] else None,
                standard=checked.standards[e["standard"]] if e["standard"] else None,
                title=e["title"],
                quote=e["quote"],
            )
            for e in data["practice_examples"]
        )
        sections += [f"Practice example: {e['title']}" for e in data["practice_examples"]]
        Pseudonym.objects.bulk_create(
            Pseudonym(
                inspection=self.inspection,
                part=p["part"],
                real_key=p["real_key"],
                pseudonym=p["pseudonym"],
            )
            for p in data["pseudonyms"]
        )
        actor = updated_by or users.get(checked.lead or "")
        if actor is not None:
            ReportEdit.objects.bulk_create(
                ReportEdit(
                    report=report,
                    actor=actor,
                    at=self.now,
                    action=ReportEdit.Action.SAVED,
                    section=f"Imported: {section}"[:250],
                )
                for section in sections
            )
