"""Validates a pinwheel pylock.toml with the reference implementation, packaging >= 26.0.

`Pylock.from_dict` checks the structure PEP 751 asks for. When packaging has `Pylock.select`
(26.1) and the lock's target (from `[tool.pinwheel]`) is a manylinux one, the spec's install
algorithm also runs for that target: `environments`, `requires-python`, each entry's marker and
the choice of a file. Prints `pylock: valid (N packages)`; any failure exits non-zero.
"""

import re
import sys
import tomllib

from packaging import tags
from packaging.pylock import Pylock


def manylinux_target(target):
    """The marker environment and wheel tags of a `X.Y` / `ARCH-manylinux_2_M` target."""
    version = target["python-version"]
    match = re.fullmatch(r"(\w+)-manylinux_2_(\d+)", target["python-platform"])
    if match is None:
        return None
    arch, glibc_minor = match.group(1), int(match.group(2))
    major, minor = (int(part) for part in version.split(".")[:2])
    full = version if version.count(".") == 2 else f"{version}.0"
    environment = {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": "posix",
        "platform_machine": arch,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": full,
        "python_version": f"{major}.{minor}",
        "sys_platform": "linux",
    }
    platforms = [f"manylinux_2_{m}_{arch}" for m in range(glibc_minor, 16, -1)]
    platforms += [f"manylinux2014_{arch}", f"linux_{arch}"]
    python = (major, minor)
    wheel_tags = list(tags.cpython_tags(python, platforms=platforms))
    wheel_tags += list(tags.compatible_tags(python, f"cp{major}{minor}", platforms=platforms))
    return environment, wheel_tags


def main(path):
    with open(path, "rb") as file:
        document = tomllib.load(file)
    lock = Pylock.from_dict(document)
    count = len(lock.packages)
    targets = document.get("tool", {}).get("pinwheel", {}).get("targets", [])
    if hasattr(lock, "select") and len(targets) == 1:
        target = manylinux_target(targets[0])
        if target is not None:
            environment, wheel_tags = target
            count = len(list(lock.select(environment=environment, tags=wheel_tags)))
    print(f"pylock: valid ({count} packages)")


if __name__ == "__main__":
    main(sys.argv[1])
