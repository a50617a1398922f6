"""Places on this app's pages where the apps above it contribute what they know.

The inspection pages show things this app does not own: how many cases are in each sample,
how many cases the user has to score. Rather than reach up for them (this app imports
nothing from `casefiles`, `judgements` or `reports`: tests/test_layering.py), it offers named
slots, and each app above registers a panel for a slot in its `AppConfig.ready`. A panel is a
template and the context it needs, made for one request.

Slots:

- "home": under the heading of the list of inspections; the maker gets `request`.
- "inspection_summary": rows added to the summary list of the inspection page;
- "inspection_main": sections after the organisations inspected on the inspection page;
  makers for both get `request` and `access` (the user's `Access` to the inspection).
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)


PanelMaker = Callable[..., Panel | None]

SLOTS = ("home", "inspection_summary", "inspection_main")
_makers: dict[str, dict[str, PanelMaker]] = {slot: {} for slot in SLOTS}


def register_panel(slot: str, name: str, maker: PanelMaker) -> None:
    """Add a panel to a slot; registering the same name again replaces it."""
    if slot not in _makers:
        raise ValueError(f"No panel slot {slot!r}: the slots are {', '.join(SLOTS)}")
    _makers[slot][name] = maker


def panels(slot: str, **kwargs) -> list[Panel]:
    """The panels for one slot, in the order they were registered, each made for this request."""
    made = (maker(**kwargs) for maker in _makers[slot].values())
    return [panel for panel in made if panel is not None]
