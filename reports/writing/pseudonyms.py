"""Changed names for the people in the case files, and finding real names in report text.

Plain Python, no ORM. A published report never names the child, the children linked to the
case or the case manager: "the names in the practice examples have been changed to protect the
individual's identity" (seed 004). The rules:

* Names are replaced part by part: every real first name maps to one changed first name and
  every real surname to one changed surname, so "Jayden Morgan", "Jayden" and "Mr Morgan" all
  read consistently, and siblings who share a surname still share one.
* The choice is deterministic but secret: a keyed hash (HMAC-SHA256) of the inspection's
  reference and the real name picks a starting point in a fixed list of names, stepping on
  past names already taken. The key is a secret of the deployment (PSEUDONYM_KEY), so
  someone who knows the reference, the published name lists and a child's real name still
  cannot work out the name that child was given, and so cannot confirm that the child is
  in a report. (An unkeyed hash allowed exactly that.)
* A changed name is never a real name (first name or surname) of anyone in the inspection's
  case files, so a reader cannot mistake it for one.
* The child supervised gets a first name that matches their recorded gender where it is male
  or female; everyone else gets one of a list of names used for any gender.

Replacing: full names are matched whatever their capitals ("jayden morgan"); a single first
name or surname only as written in the case file, capitalised or in capitals, so that a surname
such as Young does not swallow the "young" in "children and young people".

Checking (``Pseudonymiser.find``, the check before publication) is wider, because a missed
name is worse than a false alarm: the text is folded first (NFKC, look-alike letters from
other scripts mapped to Latin, accents and zero-width characters removed, case ignored), and
a full name is also found joined by a hyphen, an underscore or nothing ("Jayden-Morgan",
"JaydenMorgan"). A single name in lower case is found too, unless it is an everyday word
(COMMON_WORDS: "young", "white", "will"...).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings

FIRST = "first"
LAST = "last"

HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "master"})

# fmt: off
MALE_NAMES = (
    "Aaron", "Adam", "Ahmed", "Bradley", "Callum", "Carl", "Connor", "Curtis", "Daniel",
    "Declan", "Dean", "Eddie", "Ethan", "Ewan", "Femi", "George", "Harvey", "Hassan", "Imran",
    "Isaac", "Jack", "Jake", "Jamal", "Joel", "Kane", "Kieran", "Kofi", "Kyle", "Lewis", "Liam",
    "Marcus", "Mason", "Nathan", "Oliver", "Owen", "Patrick", "Reece", "Rhys", "Ryan", "Scott",
    "Shane", "Tariq", "Toby", "Tyler", "Wesley", "Zak",
)
FEMALE_NAMES = (
    "Abbie", "Aisha", "Amber", "Bella", "Bethany", "Chloe", "Courtney", "Danielle", "Demi",
    "Ellie", "Erin", "Faith", "Freya", "Gemma", "Georgia", "Hannah", "Holly", "Imani", "Isla",
    "Jade", "Jasmine", "Kayla", "Keira", "Kirsty", "Lauren", "Leanne", "Lucy", "Megan", "Millie",
    "Nadia", "Naomi", "Olivia", "Paige", "Phoebe", "Rachel", "Rosie", "Shannon", "Sophie",
    "Stacey", "Tamsin", "Tia", "Vanessa", "Yasmin", "Zara",
)
ANY_NAMES = (
    "Alex", "Ali", "Ashley", "Avery", "Bailey", "Billie", "Blake", "Cameron", "Casey",
    "Charlie", "Chris", "Darcy", "Drew", "Dylan", "Eden", "Elliot", "Ellis", "Emerson", "Finley",
    "Frankie", "Harley", "Hayden", "Jamie", "Jesse", "Jo", "Jodie", "Jordan", "Kai", "Kim",
    "Kit", "Lee", "Lindsay", "Logan", "Lou", "Max", "Mel", "Nico", "Parker", "Pat", "Quinn",
    "Ray", "Reese", "Remi", "Riley", "Robin", "Rory", "Rowan", "Sasha", "Skyler", "Taylor",
    "Toni", "Vic",
)
SURNAMES = (
    "Abbott", "Ainsley", "Ashworth", "Barker", "Barlow", "Bennett", "Blackwood", "Bradshaw",
    "Brennan", "Burgess", "Carver", "Chandler", "Chapman", "Dawson", "Dempsey", "Doherty",
    "Driscoll", "Eastwood", "Ellison", "Farrell", "Fenwick", "Fletcher", "Forsyth", "Gallagher",
    "Gardner", "Garside", "Gibbons", "Goddard", "Hadley", "Halliday", "Hammond", "Harding",
    "Harper", "Hartley", "Hendry", "Holloway", "Horton", "Ingram", "Irving", "Jarvis",
    "Jennings", "Keating", "Kendall", "Kerrigan", "Lambert", "Langley", "Lawson", "Lockwood",
    "Lowe", "Maddox", "Marsden", "Marsh", "McAllister", "Mellor", "Merritt", "Moffat", "Napier",
    "Norris", "Nowak", "Oakley", "Okafor", "Osborne", "Palmer", "Parry", "Pearce", "Pemberton",
    "Prescott", "Quigley", "Radley", "Ramsey", "Rees", "Riordan", "Rowe", "Sadler", "Sinclair",
    "Sheridan", "Stanton", "Sutton", "Tanner", "Thorne", "Tierney", "Townsend", "Turnbull",
    "Underwood", "Vaughan", "Wainwright", "Walsh", "Warburton", "Webster", "Whitfield",
    "Winslow", "Wragg", "Yardley", "Yates",
)
# fmt: on


@dataclass(frozen=True)
class Person:
    """Someone named in a case file."""

    name: str
    role: str  # "the person supervised", "a linked child", "the case manager"
    case_reference: str
    gender: str = ""  # "male" or "female" when known; anything else picks from ANY_NAMES


def name_parts(name: str) -> list[str]:
    """The words of a name that identify someone: no honorifics, no initials."""
    parts = []
    for word in name.split():
        word = word.strip('.,;:()"')
        if len(word) < 2 or word.casefold() in HONORIFICS:
            continue
        parts.append(word)
    return parts


def _split(name: str) -> tuple[str | None, list[str], str | None]:
    """First name, middle names, surname. A one-word name is a first name."""
    parts = name_parts(name)
    if not parts:
        return None, [], None
    if len(parts) == 1:
        return parts[0], [], None
    return parts[0], parts[1:-1], parts[-1]


def _key(word: str) -> str:
    return word.casefold()


def deployment_key() -> bytes:
    """The secret that keys every pseudonym choice (settings.PSEUDONYM_KEY).

    Separate from SECRET_KEY (or derived from it with its own label when not set: see
    config/settings.py), so that the two can be kept or rotated independently.
    """
    key = settings.PSEUDONYM_KEY
    return key.encode() if isinstance(key, str) else bytes(key)


def _start(secret: bytes, salt: str, part: str, key: str, size: int) -> int:
    message = f"{salt}\x1f{part}\x1f{key}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).hexdigest()
    return int(digest, 16) % size


def _pick(
    secret: bytes,
    salt,
    part,
    key,
    pools: Sequence[Sequence[str]],
    taken: set[str],
    real: set[str],
):
    """The first free name, stepping on from a starting point the keyed hash chooses."""
    for pool in pools:
        start = _start(secret, salt, part, key, len(pool))
        for offset in range(len(pool)):
            candidate = pool[(start + offset) % len(pool)]
            if _key(candidate) not in taken and _key(candidate) not in real:
                return candidate
    # Every listed name is taken or real: join two of them, still never a real name.
    base = [name for pool in pools for name in pool]
    start = _start(secret, salt, part, key, len(base))
    for offset in range(len(base) * len(base)):
        first = base[(start + offset) % len(base)]
        second = base[(start + offset // len(base) + 1) % len(base)]
        candidate = f"{first}-{second}"
        if _key(candidate) not in taken and _key(candidate) not in real:
            return candidate
    raise ValueError("no pseudonym left")  # pragma: no cover -- thousands of combinations


def _first_name_pools(gender: str) -> tuple[tuple[str, ...], ...]:
    if gender == "male":
        return (MALE_NAMES, ANY_NAMES, FEMALE_NAMES)
    if gender == "female":
        return (FEMALE_NAMES, ANY_NAMES, MALE_NAMES)
    return (ANY_NAMES, MALE_NAMES, FEMALE_NAMES)


def assign_pseudonyms(
    people: Iterable[Person],
    existing: Mapping[tuple[str, str], str],
    *,
    salt: str,
    key: bytes | None = None,
) -> dict[tuple[str, str], str]:
    """Pseudonyms for the names not yet in ``existing``, keyed (part, case-folded real name).

    ``salt`` is the inspection's reference, so one name reads differently in two
    inspections; ``key`` is the deployment's secret (deployment_key() when not given),
    without which the choice cannot be recomputed. ``existing`` holds the pseudonyms
    already given (same keys); they are kept and never given again, so a name keeps its
    pseudonym for the inspection even if the key is later changed. People are taken in
    the order given, so the caller passes them in a fixed order (the child supervised
    first, by case reference) to stay deterministic.
    """
    secret = deployment_key() if key is None else key
    people = list(people)
    real = {_key(word) for person in people for word in name_parts(person.name)}
    taken = {FIRST: set(), LAST: set()}
    for (part, _), pseudonym in existing.items():
        taken[part].add(_key(pseudonym))
    new: dict[tuple[str, str], str] = {}
    for person in people:
        first, middles, last = _split(person.name)
        wanted = [(FIRST, word) for word in [first, *middles] if word] + (
            [(LAST, last)] if last else []
        )
        for part, word in wanted:
            key = (part, _key(word))
            if key in existing or key in new:
                continue
            pools = _first_name_pools(person.gender) if part == FIRST else (SURNAMES,)
            chosen = _pick(secret, salt, part, key[1], pools, taken[part], real)
            taken[part].add(_key(chosen))
            new[key] = chosen
    return new


# Letters of other scripts that look like Latin ones, as in Unicode's confusables list
# (confusables.txt), for the scripts a name could be disguised with: Cyrillic and Greek.
# NFKC already folds the fullwidth, mathematical and ligature forms.
CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j",
        "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y",
        "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ӏ": "l",
        "А": "A", "В": "B", "Е": "E", "Ё": "E", "Н": "H", "І": "I", "Ї": "I", "Ј": "J",
        "К": "K", "М": "M", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X",
        "Ѕ": "S", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "l",
        # Greek
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "γ": "y",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        "ϲ": "c", "Ϲ": "C", "ϳ": "j", "ϱ": "p", "ϰ": "k", "ϵ": "e", "ѵ": "v", "Ѵ": "V",
        # Latin look-alikes
        "ı": "i", "ȷ": "j", "ſ": "s", "ℓ": "l",
    }
)  # fmt: skip

# Everyday words that are also names: found in lower case only as part of a full name.
COMMON_WORDS = frozenset(
    """
    young white black green brown grey gray long short hall wood may will hope joy rose
    grace faith summer bishop king cook bell mark page case child best read rich little
    hill field lord price love sharp strong wise bird fox swan moss ward park lane
    street house banks rivers waters marsh lowe north south west east day week
    english french frank earnest dean chase sterling gay hunter fisher baker carter
    mason walker turner parker cooper miller taylor smith archer hart heart constance
    victor ray bill jack sky sunny honey amber ruby crystal holly ivy iris lily daisy
    poppy jade dawn eve autumn april june august christian hardy stone story
    """.split()
)


def fold(text: str) -> tuple[str, list[int]]:
    """The text as the name check compares it, with each character's place in the original.

    NFKC (fullwidth and styled letters to plain), look-alike letters to Latin, accents
    and invisible formatting characters (zero-width spaces and joiners, soft hyphens)
    removed, case folded. ``places[i]`` is the index in ``text`` of folded character i.
    """
    folded: list[str] = []
    places: list[int] = []
    for index, character in enumerate(text):
        if unicodedata.category(character) == "Cf":  # zero-width, soft hyphen, BOM...
            continue
        # Look-alikes are mapped before NFKC as well as after: NFKC turns some of them into
        # other Greek letters (lunate sigma "Ϲ" into "Σ") that no longer look Latin.
        plain_form = unicodedata.normalize("NFKC", character.translate(CONFUSABLES))
        for part in plain_form.translate(CONFUSABLES):
            for plain in unicodedata.normalize("NFKD", part):
                if unicodedata.combining(plain):
                    continue
                for letter in plain.casefold():
                    folded.append(letter)
                    places.append(index)
    return "".join(folded), places


def _folded_word(word: str) -> str:
    return fold(word)[0]


# What may join the words of a full name when someone writes it: spaces, hyphens,
# underscores, dots, or nothing at all ("JaydenMorgan").
_JOIN = r"[\s\-_.·‐‑–—]*"
# A name starts and ends where a letter or digit does not continue it.
_BEFORE = r"(?<![^\W_])"
_AFTER = r"(?![^\W_])"


@dataclass(frozen=True)
class NameFound:
    """A real name found in a piece of text, with whose name it is."""

    text: str  # as it appears
    start: int
    end: int
    people: tuple[Person, ...]

    @property
    def whose(self) -> str:
        return "; ".join(f"{p.role} in case {p.case_reference}" for p in self.people)


@dataclass
class Pseudonymiser:
    """Replaces the real names of the case files' people by their pseudonyms, and finds them."""

    people: Sequence[Person]
    pseudonyms: Mapping[tuple[str, str], str]
    _replacements: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _owners: dict[str, list[Person]] = field(default_factory=dict, init=False, repr=False)
    _pattern: re.Pattern | None = field(default=None, init=False, repr=False)
    _check_pattern: re.Pattern | None = field(default=None, init=False, repr=False)
    _check_owners: dict[str, list[Person]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._build_check()
        full_names: set[str] = set()
        words: set[str] = set()
        for person in self.people:
            first, middles, last = _split(person.name)
            if first is None:
                continue
            parts = [first, *middles] + ([last] if last else [])
            changed = [self._changed(FIRST, w) for w in [first, *middles]]
            if last:
                changed.append(self._changed(LAST, last))
            if len(parts) > 1:
                full = " ".join(_key(p) for p in parts)
                full_names.add(full)
                self._replacements.setdefault(full, " ".join(changed))
                self._owners.setdefault(full, []).append(person)
            pairs = [(w, FIRST) for w in [first, *middles]] + ([(last, LAST)] if last else [])
            for word, part in pairs:
                for spelling in {word, word[:1].upper() + word[1:], word.upper()}:
                    words.add(spelling)
                    # A word that is both someone's first name and someone's surname reads
                    # as the first name: it is the likelier use of a name on its own.
                    if spelling not in self._replacements or part == FIRST:
                        self._replacements[spelling] = self._changed(part, word)
                    owners = self._owners.setdefault(spelling, [])
                    if person not in owners:
                        owners.append(person)
        if not full_names and not words:
            return
        # Longest first, so a full name wins over its parts.
        alternatives = [
            r"(?i:" + r"\s+".join(re.escape(w) for w in full.split()) + ")"
            for full in sorted(full_names, key=len, reverse=True)
        ] + [re.escape(w) for w in sorted(words, key=len, reverse=True)]
        self._pattern = re.compile(
            r"(?<![\w-])(?<!\w['’])(?:" + "|".join(alternatives) + r")(?![\w-])"
        )

    def _build_check(self) -> None:
        """The folded names the publication check looks for, and whose each one is."""
        full_names: set[tuple[str, ...]] = set()
        words: set[str] = set()
        for person in self.people:
            parts = [_folded_word(word) for word in name_parts(person.name)]
            parts = [part for part in parts if part]
            if not parts:
                continue
            keys = {"".join(parts)} | set(parts)
            if len(parts) > 1:
                full_names.add(tuple(parts))
            words.update(parts)
            for key in keys:
                owners = self._check_owners.setdefault(key, [])
                if person not in owners:
                    owners.append(person)
        if not words:
            return
        alternatives = [
            _JOIN.join(re.escape(part) for part in full)
            for full in sorted(full_names, key=lambda f: len("".join(f)), reverse=True)
        ] + [re.escape(word) for word in sorted(words, key=len, reverse=True)]
        self._check_pattern = re.compile(_BEFORE + "(?:" + "|".join(alternatives) + ")" + _AFTER)

    def _changed(self, part: str, word: str) -> str:
        try:
            return self.pseudonyms[(part, _key(word))]
        except KeyError:
            raise KeyError(f"no pseudonym for {part} name {word!r}") from None

    def _lookup(self, found: str) -> str:
        if found in self._replacements:
            return found
        return " ".join(_key(w) for w in found.split())

    def replace(self, text: str) -> str:
        """The text with every real name in it replaced by its pseudonym."""
        if not text or self._pattern is None:
            return text

        def swap(match: re.Match) -> str:
            found = match.group(0)
            changed = self._replacements[self._lookup(found)]
            return changed.upper() if found.isupper() and len(found) > 1 else changed

        return self._pattern.sub(swap, text)

    def find(self, text: str) -> list[NameFound]:
        """Every real name in the text, however disguised, where it is and whose it is.

        Positions are in ``text`` as given, so a finding can be shown in its context.
        """
        if not text or self._check_pattern is None:
            return []
        folded, places = fold(text)
        found: list[NameFound] = []
        for match in self._check_pattern.finditer(folded):
            start = places[match.start()]
            end = places[match.end() - 1] + 1
            original = text[start:end]
            key = re.sub(_JOIN, "", match.group(0))
            if key in COMMON_WORDS and original == original.lower():
                continue  # "young people", not Shanice Young
            owners = self._check_owners.get(key)
            if owners is None:  # pragma: no cover -- every alternative has its key
                continue
            found.append(NameFound(text=original, start=start, end=end, people=tuple(owners)))
        return found

    def pseudonym_of(self, name: str) -> str:
        """The changed name printed for a real name from a case file."""
        first, middles, last = _split(name)
        if first is None:
            return name
        changed = [self._changed(FIRST, w) for w in [first, *middles]]
        if last:
            changed.append(self._changed(LAST, last))
        return " ".join(changed)


def excerpt(text: str, start: int, end: int, width: int = 60) -> tuple[str, str, str]:
    """The words around a match: (before, match, after), trimmed to about ``width`` each side."""
    before = text[max(0, start - width) : start]
    after = text[end : end + width]
    if start > width:
        before = "…" + before.split(" ", 1)[-1] if " " in before else "…" + before
    if end + width < len(text):
        after = (after.rsplit(" ", 1)[0] if " " in after else after) + "…"
    return before, text[start:end], after
