"""Child processes that do not outlive their parent (`agentmatch run`, `agentmatch worker`)."""

import signal
import sys


def die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Asks Linux to send this process SIGTERM when its parent dies (a supervisor killed
    with SIGKILL cannot stop its children itself): no orphans. Elsewhere, nothing."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
