"""Deliberate crash points for crash-safety tests: `CEZ_CRASH_AT=<point>` kills the process there.

SIGKILL, not an exception: nothing gets to clean up, exactly like a power cut or the OOM killer.
Points: `after_commit` (a declaration is committed, nothing sent yet) and `before_puback`
(the broker acknowledged, the acknowledgement not yet stored).
"""

from __future__ import annotations

import os
import signal

POINTS = frozenset({"after_commit", "before_puback"})


def maybe_crash(point: str) -> None:
    if os.environ.get("CEZ_CRASH_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
