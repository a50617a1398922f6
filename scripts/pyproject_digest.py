"""Print a digest of the dependencies pyproject.toml declares.

The lock files record it (scripts/lock), and the tests compare it with pyproject.toml so that a
dependency added, removed or changed without re-locking fails the build.
"""

import hashlib
import json
import sys
import tomllib
from pathlib import Path


def pyproject_digest(path: Path) -> str:
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    declared = {
        "dependencies": sorted(project.get("dependencies", [])),
        "optional-dependencies": {
            name: sorted(items)
            for name, items in sorted(project.get("optional-dependencies", {}).items())
        },
        "requires-python": project.get("requires-python", ""),
    }
    return hashlib.sha256(json.dumps(declared, sort_keys=True).encode()).hexdigest()


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    sys.stdout.write(pyproject_digest(root / "pyproject.toml") + "\n")
