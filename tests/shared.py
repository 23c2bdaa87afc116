"""Where the project's shared reference folder (`shared/`, beside the repository) is.

The folder sits next to the main repository, not inside it. A developer's worktree is usually beside
the main repository too; CI clones main somewhere else (`git clone /path/to/main elsewhere`), so the
clone's `origin` remote names the main repository and the folder is found beside that.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


class SharedFolderMissing(RuntimeError):
    pass


def _origin_path(repository: Path) -> Path | None:
    """The local path of the clone's `origin` remote, or None when it has none or it is not local."""
    try:
        result = subprocess.run(
            ["git", "-C", str(repository), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    url = result.stdout.strip()
    if result.returncode != 0 or not url:
        return None
    if url.startswith("file://"):
        url = url.removeprefix("file://")
    elif "://" in url or (":" in url.split("/", 1)[0]):
        return None  # https://…, ssh://…, or scp-like host:path: not on this machine
    path = Path(url)
    if not path.is_absolute():
        path = (repository / path).resolve()
    return path


def candidates(repository: Path = REPOSITORY, environ: dict | None = None) -> list[Path]:
    """The places looked at, in order."""
    environ = os.environ if environ is None else environ
    if environ.get("SHARED_DIR"):
        # Set on purpose: never fall back to a guess if it is wrong.
        return [Path(environ["SHARED_DIR"])]
    found = [repository.parent / "shared"]
    origin = _origin_path(repository)
    if origin is not None:
        found.append(origin.parent / "shared")
    return found


def shared_dir(repository: Path = REPOSITORY, environ: dict | None = None) -> Path:
    """The shared folder; raises with every place tried when none exists (tests needing it fail, never skip)."""
    tried = candidates(repository, environ)
    for path in tried:
        if path.is_dir():
            return path
    raise SharedFolderMissing(
        "The shared reference folder was not found. Tried: "
        + ", ".join(str(path) for path in tried)
        + ". Set SHARED_DIR to the folder that holds ocds/validate."
    )
