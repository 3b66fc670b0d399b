"""Headless Chromium for the page tests: find it, run it on a page, take a screenshot."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image


def chromium() -> str | None:
    """The Chromium binary (CI installs Debian's chromium package), or None."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def run(profile: Path, *args: str) -> subprocess.CompletedProcess:
    """``chromium --headless ... ARGS`` with a throwaway profile, no network chatter."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, timeout=120, check=False, text=True)


def screenshot(page: Path, folder: Path, width: int, height: int) -> np.ndarray:
    """The page rendered at ``width`` × ``height``, as an RGB int array (fails the test if it did not render)."""
    shot = folder / "shot.png"
    done = run(folder, f"--screenshot={shot}", f"--window-size={width},{height}", page.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    return np.asarray(Image.open(shot).convert("RGB")).astype(int)
