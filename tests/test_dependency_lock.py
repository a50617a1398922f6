"""The lock files agree with pyproject.toml: re-lock (scripts/lock) after changing a dependency.

scripts/setup installs only from the lock files, with hashes, so a dependency declared in
pyproject.toml but missing from the lock would never be installed, and one changed without
re-locking would be installed at the old version.
"""

import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from pyproject_digest import pyproject_digest  # noqa: E402

LOCKS = {"requirements/base.txt": [], "requirements/dev.txt": ["dev"]}
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def _pins(text: str) -> dict[str, tuple[str, int]]:
    """Package name -> (version, number of hashes), from a hashed requirements file."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), 0)
        elif current and "--hash=sha256:" in line:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _declared(extras: list[str]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_lock_was_made_from_this_pyproject(lock):
    header = (ROOT / lock).read_text(encoding="utf-8").splitlines()[:5]
    recorded = next(line.split(":", 1)[1].strip() for line in header if "pyproject-digest" in line)
    assert recorded == pyproject_digest(ROOT / "pyproject.toml"), (
        f"{lock} was locked from another pyproject.toml: run scripts/lock"
    )


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_declared_dependency_is_pinned_with_hashes(lock):
    pins = _pins((ROOT / lock).read_text(encoding="utf-8"))
    for requirement in _declared(LOCKS[lock]):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is declared but not in {lock}"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {requirement.name}=={version}, outside {requirement.specifier}"
        )
        assert hashes >= 1, f"{requirement.name} has no hash in {lock}"


def test_pin_reading_sees_a_mismatch():
    # The checks above would pass vacuously if the lock could not be read: show they can fail.
    pins = _pins("django==4.2.1 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    assert pins == {"django": ("4.2.1", 1)}
    assert not Requirement("Django>=5.2,<5.3").specifier.contains(pins["django"][0])


def test_digest_changes_with_the_dependencies(tmp_path):
    original = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    changed = tmp_path / "pyproject.toml"
    changed.write_text(original.replace('"openpyxl>=3.1"', '"openpyxl>=3.2"'), encoding="utf-8")
    assert pyproject_digest(changed) != pyproject_digest(ROOT / "pyproject.toml")
