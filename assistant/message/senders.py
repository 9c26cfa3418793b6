"""Who a sender is, by address alone: a mail system's mailbox, or one that no person reads. Pure.

The one home of these questions: the bounce reader, the automation detectors and the policies ask them here,
so a mailbox added to the lists in vocabulary.py is known to all of them.
"""

from __future__ import annotations

import re

from assistant.message import vocabulary as vocab

_DAEMONS = frozenset(vocab.MAIL_SYSTEM_LOCALS)
# A no-reply or mail-system local part, alone or followed by a separator or digits: "noreply", "no-reply+x",
# "notifications-42", "MAILER-DAEMON", "postmaster.eu"; never "nora" or "notifyme".
_NOREPLY = re.compile(r"^(?:" + vocab.alternation(vocab.NO_REPLY_LOCALS + vocab.MAIL_SYSTEM_LOCALS)
                      + r")(?:$|[-_.+\d])", re.IGNORECASE)


def local_part(address: str) -> str:
    return address.split("@", 1)[0]


def is_mailer_daemon(address: str) -> bool:
    """A bounce sender: MAILER-DAEMON@, postmaster@ and the like (by local part, any case)."""
    return local_part(address).lower() in _DAEMONS


def is_postmaster(address: str) -> bool:
    """postmaster@: a mail system's mailbox, and often a person's role mailbox too."""
    return local_part(address).lower() in vocab.POSTMASTER_LOCALS


def is_noreply(address: str) -> bool:
    """Replies to this address reach no person: a no-reply mailbox or a mail system's."""
    return bool(_NOREPLY.match(local_part(address)))
