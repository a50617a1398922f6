"""Upload an inspection's eligible cases and draw its sample, from the command line.

    python manage.py draw_sample yos-bd-2018 eligible.csv --seed 2018
    python manage.py draw_sample yos-bd-2018 eligible.xlsx --seed 7 --confidence 0.9 --margin 0.05

Does what the Sample pages do, in one transaction: a file with any problem is refused
with every problem listed, and nothing is saved.
"""

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from casefiles.models import SampleDraw
from casefiles.sampling.selectors import SAMPLE_TYPE_LABELS, sampling_plan, stratum_label
from casefiles.sampling.services import (
    SamplingError,
    population_upload,
    sample_draw,
    sampling_precision_update,
)
from inspection.models import Inspection, Membership, User
from inspection.permissions import may_set_up_sample

HEADINGS = (
    "Gender",
    "Sentence or disposal",
    "ROSH",
    "Safety and wellbeing",
    "Eligible",
    "Share",
    "Quota",
    "Drawn",
)


def _fraction(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not 0 < value < 1 or value != value.quantize(Decimal("0.0001")):
        raise ValueError(text)
    return value


def allocation_table(draw: SampleDraw) -> list[str]:
    """The allocation table, one block per sample type, as lines of text."""
    lines: list[str] = []
    for kind, sizes in draw.sizes.items():
        lines.append(
            f"{SAMPLE_TYPE_LABELS.get(kind, kind)}: {sizes['eligible']} eligible, "
            f"z = {sizes['z']:.4f}, n0 = {sizes['n0']:.2f}, calculated size "
            f"{sizes['calculated']}, size used {sizes['size']}, drawn {sizes['drawn']}"
        )
        if sizes["override_reason"]:
            lines.append(f"  Size set by the lead: {sizes['override_reason']}")
        rows = [HEADINGS]
        for line in draw.allocation:
            if line["sample_type"] != kind:
                continue
            labels = stratum_label(tuple(line["stratum"]))
            rows.append(
                (
                    labels["gender"],
                    labels["disposal_type"],
                    labels["risk_of_serious_harm"],
                    labels["safety_and_wellbeing"],
                    str(line["population"]),
                    f"{line['share'] * 100:.1f}%",
                    f"{line['quota']:.2f}",
                    str(line["allocated"]),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(HEADINGS))]
        for row in rows:
            cells = [
                cell.ljust(width) if index < 4 else cell.rjust(width)
                for index, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            lines.append("  " + "  ".join(cells).rstrip())
        lines.append("")
    return lines


class Command(BaseCommand):
    help = (
        "Check a file of eligible cases (.csv or .xlsx) for an inspection and draw its "
        "stratified sample from a seed. Nothing is saved if the file has any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="The inspection's reference, e.g. yos-bd-2018.")
        parser.add_argument("population", type=Path, help="The file of eligible cases.")
        parser.add_argument(
            "--seed", type=int, required=True, help="A whole number, 0 or more, kept with the draw."
        )
        parser.add_argument(
            "--confidence",
            help="Confidence level as a fraction, e.g. 0.8 (default: the inspection's, 0.8 "
            "unless the lead changed it).",
        )
        parser.add_argument(
            "--margin",
            help="Margin of error as a fraction, e.g. 0.05 (default: the inspection's, 0.05 "
            "unless the lead changed it).",
        )
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="The lead inspector to record as uploading and drawing (default: nobody, "
            "recorded as the command).",
        )

    def handle(self, *args, **options) -> None:
        inspection = Inspection.objects.filter(reference=options["reference"]).first()
        if inspection is None:
            raise CommandError(
                f"There is no inspection with the reference {options['reference']!r}."
            )
        path: Path = options["population"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        if options["seed"] < 0:
            raise CommandError("--seed must be a whole number, 0 or more.")
        plan = sampling_plan(inspection)
        try:
            confidence = _fraction(options["confidence"]) if options["confidence"] else None
            margin = _fraction(options["margin"]) if options["margin"] else None
        except ValueError as error:
            raise CommandError(
                f"{error} is not a fraction between 0 and 1 with at most 4 decimal places "
                "(for example --confidence 0.8 --margin 0.05)."
            ) from error
        by = self._lead(inspection, options["by"]) if options["by"] else None

        try:
            with transaction.atomic():
                if confidence is not None or margin is not None:
                    sampling_precision_update(
                        inspection=inspection,
                        confidence=confidence or plan.confidence,
                        margin=margin or plan.margin,
                        by=by,
                    )
                result = population_upload(
                    inspection=inspection, filename=path.name, data=data, by=by
                )
                if result.problems:
                    count = len(result.problems)
                    raise CommandError(
                        f"{path.name} has {count} problem{'s' if count != 1 else ''}; nothing "
                        "was saved. Fix them all and run the command again:\n"
                        + "\n".join(f"  {problem}" for problem in result.problems)
                    )
                draw = sample_draw(inspection=inspection, seed=options["seed"], by=by)
        except SamplingError as error:
            raise CommandError(f"{error} Nothing was saved.") from error

        drawn = sum(sizes["drawn"] for sizes in draw.sizes.values())
        self.stdout.write(
            f"Sample drawn for {inspection.reference} with seed {draw.seed} from {path.name} "
            f"({draw.population.row_count} cases listed): {drawn} cases added to the inspection."
        )
        self.stdout.write(
            f"Confidence level {float(draw.confidence) * 100:g}%, margin of error "
            f"{float(draw.margin) * 100:g} percentage points.\n"
        )
        self.stdout.write("\n".join(allocation_table(draw)))

    def _lead(self, inspection: Inspection, username: str) -> User:
        membership = (
            Membership.objects.filter(inspection=inspection, user__username=username)
            .select_related("user")
            .first()
        )
        if membership is None or not may_set_up_sample(membership.role):
            raise CommandError(f"{username} is not the lead inspector of {inspection.reference}.")
        return membership.user
