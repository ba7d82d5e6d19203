"""Fit progress as one line of text: the percentage, the elapsed time, an estimate of the time remaining and the
fit's last log line. ``agent.ui.jobs`` rewrites the chat's fit message with it as the queued job's row changes.
"""

from __future__ import annotations


def clock(seconds: float) -> str:
    """'m:ss'."""
    seconds = max(int(round(seconds)), 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


def progress_text(fraction: float | None, elapsed: float, log: str | None = None) -> str:
    """'Fitting… 45% · elapsed 0:12 · about 0:15 remaining · <last log line>'. The remaining time is the
    elapsed time scaled by the fraction still to do — shown only once there is enough progress to scale."""
    frac = min(max(float(fraction or 0.0), 0.0), 1.0)
    parts = [f"Fitting… {frac:.0%}", f"elapsed {clock(elapsed)}"]
    if 0.05 <= frac < 1.0:
        parts.append(f"about {clock(elapsed * (1.0 - frac) / frac)} remaining")
    elif frac < 1.0:
        parts.append("estimating the time remaining")
    last = (log or "").strip().splitlines()[-1:] or [""]
    if last[0]:
        parts.append(last[0][:140])
    return " · ".join(parts)
