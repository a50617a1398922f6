"""What a manager narrows the dashboards to (framework, organisation type, region, fieldwork
dates), as a Q on any queryset and as address parameters for drill-down links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from inspection.models import Framework, Inspection


@dataclass(frozen=True)
class Filters:
    """What a manager narrowed the dashboard to. Empty values mean "all"."""

    framework: Framework | None = None
    kind: str = ""
    region: str = ""
    fieldwork_from: date | None = None
    fieldwork_to: date | None = None

    def q(self, inspection: str, organisation: str) -> Q:
        """The filters as a Q on a queryset, given the paths to the inspection and organisation."""
        condition = Q()
        if self.framework is not None:
            condition &= Q(**{f"{inspection}framework": self.framework})
        if self.fieldwork_from:
            condition &= Q(**{f"{inspection}fieldwork_start__gte": self.fieldwork_from})
        if self.fieldwork_to:
            condition &= Q(**{f"{inspection}fieldwork_start__lte": self.fieldwork_to})
        if self.kind:
            condition &= Q(**{f"{organisation}kind": self.kind})
        if self.region:
            condition &= Q(**{f"{organisation}area__region": self.region})
        return condition

    def query(self) -> dict[str, str]:
        """The filters as address parameters, to carry them into drill-down links."""
        params: dict[str, str] = {}
        if self.framework is not None:
            params["framework"] = framework_key(self.framework)
        if self.kind:
            params["kind"] = self.kind
        if self.region:
            params["region"] = self.region
        for name in ("fieldwork_from", "fieldwork_to"):
            value = getattr(self, name)
            if value:
                params[f"{name}_0"] = str(value.day)
                params[f"{name}_1"] = str(value.month)
                params[f"{name}_2"] = str(value.year)
        return params


def framework_key(framework) -> str:
    """How a framework version is named in addresses: "youth-offending-services-2018"."""
    return f"{framework.slug}-{framework.version}"


def default_framework() -> Framework | None:
    """The framework of the inspection whose fieldwork started last (1 query)."""
    inspection = (
        Inspection.objects.select_related("framework").order_by("-fieldwork_start", "-pk").first()
    )
    return inspection.framework if inspection else None
