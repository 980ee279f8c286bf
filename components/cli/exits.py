"""Exit codes the day-two and reset commands share, and the guard that turns refusals into them."""

from __future__ import annotations

import sys
from collections.abc import Callable

from ..errors import CraneError

NOTHING_CHANGED = 2
"""Exit code of a refusal before any change: no credentials, unknown client, wrong region, bad input."""
INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as a shell reports it."""


def guarded(command: str, body: Callable[[], int]) -> int:
    """Run a command's body; turn refusals and AWS credential/region/endpoint errors into exit 2 on stderr."""
    from ..ops.aws import refusal

    try:
        return body()
    except CraneError as error:
        print(f"crane {command}: {error}; nothing changed", file=sys.stderr)
    except KeyboardInterrupt:
        print(f"crane {command}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as error:
        message = refusal(error)
        if message is None:
            raise
        print(f"crane {command}: {message}; nothing changed", file=sys.stderr)
    return NOTHING_CHANGED
