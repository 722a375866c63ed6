"""Leave one group out: one fold per session (``loso``) or per speaker (``lospko``, CA-MSER's LOSpkO)."""

from __future__ import annotations

from . import Protocol, leave_one_group_out, register_protocol, sessions_of


def _by_session(meta, labels, seed):
    return leave_one_group_out(sessions_of(meta, "leave-one-session-out"), "session")


def _by_speaker(meta, labels, seed):
    return leave_one_group_out(meta["speaker"].astype(str).to_numpy(), "speaker")


register_protocol(Protocol("leave-one-session-out", "one fold per session", _by_session, aliases=("loso",)))
register_protocol(Protocol("leave-one-speaker-out", "one fold per speaker", _by_speaker, aliases=("lospko",)))
