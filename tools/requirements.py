"""Print the project's requirements from pyproject.toml, one per line, minus some.

    python tools/requirements.py [--extra test] [--without NAME]...

CI uses it to install everything but the model stack (sentence-transformers, the bundled
model, torch) and check that the fast test suite needs none of it.
"""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--extra", action="append", default=[])
    parser.add_argument("--without", action="append", default=[])
    args = parser.parse_args()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in args.extra:
        wanted += project["optional-dependencies"][extra]
    skip = {name.lower() for name in args.without}
    print("\n".join(r for r in wanted if _name(r) not in skip))


if __name__ == "__main__":
    main()
