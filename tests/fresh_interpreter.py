"""Run `cez-kiosk` in a fresh Python interpreter and tell whether torch got imported on the way.

torch may be installed beside the project (the [train] extra); the runtime must never load it, and
only a new interpreter shows what one command imports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli_without_torch(args: list[str], registry_dir: Path, timeout: float = 300) -> list[str]:
    """The command's stdout lines; asserts it exited 0 and left torch out of sys.modules."""
    program = (
        "import sys\n"
        "from kiosk.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')\n"
    )
    env = {**os.environ, "CEZ_MODELS__REGISTRY_DIR": str(registry_dir)}
    env.pop("CEZ_CONFIG", None)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=timeout)
    assert done.returncode == 0, done.stderr
    *lines, verdict = done.stdout.splitlines()
    assert verdict == "NO-TORCH"
    return lines
