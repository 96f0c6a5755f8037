"""Our own codes: RMA numbers, LPNs, bin codes and staff badges.

Every code the service prints is upper-case letters and digits only (a keyboard-wedge
scanner on the wrong keyboard layout garbles anything else) and ends in an ISO 7064
MOD 37,36 check character over the characters before it, so a misread or mistyped code
is refused rather than matched to the wrong parcel. This module is the only place that
issues or verifies them.

The random part draws from an alphabet without I, L, O and U, so a person reading a slip
aloud cannot confuse 0/O or 1/I/L; the check character itself may be any of the 36.
"""

from __future__ import annotations

import re
import secrets

from stdnum.iso7064 import mod_37_36

#: Characters a code may contain (the alphabet of the check character, too).
CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Characters the random body of an issued code is drawn from.
RANDOM_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

RMA_PREFIX = "RMA"
LPN_PREFIX = "LPN"
BADGE_PREFIX = "BDG"

# Lengths of the random part: 32^8 ≈ 10^12 RMA numbers, 32^9 ≈ 3.5·10^13 LPNs; the
# database's unique index catches the rare collision and the caller draws again.
_RANDOM_LENGTH = {RMA_PREFIX: 8, LPN_PREFIX: 9, BADGE_PREFIX: 6}
#: Full lengths, check character included.
CODE_LENGTH = {prefix: len(prefix) + n + 1 for prefix, n in _RANDOM_LENGTH.items()}
#: The kind `scanners.parse` reports for each prefix.
KIND_OF_PREFIX = {RMA_PREFIX: "rma", LPN_PREFIX: "lpn", BADGE_PREFIX: "badge"}

BIN_BODY_MIN, BIN_BODY_MAX = 2, 20

_CODE_TEXT = re.compile("[0-9A-Z]+")


def check_character(body: str) -> str:
    """The MOD 37,36 check character for `body` (upper-case letters and digits)."""
    return mod_37_36.calc_check_digit(body)


def with_check_character(body: str) -> str:
    """`body` followed by its check character."""
    return body + check_character(body)


def has_valid_check_character(code: str) -> bool:
    """Whether the last character of `code` is the check character of the rest."""
    if len(code) < 2 or not is_code_text(code):
        return False
    # A valid code's MOD 37,36 checksum is 1 (what mod_37_36.is_valid tests, without its
    # exception handling: scanners.parse calls this for every RMA number and LPN).
    return mod_37_36.checksum(code) == 1


def is_code_text(text: str) -> bool:
    """Whether `text` uses only the characters our codes may contain."""
    return _CODE_TEXT.fullmatch(text) is not None


def _issue(prefix: str) -> str:
    body = prefix + "".join(secrets.choice(RANDOM_ALPHABET) for _ in range(_RANDOM_LENGTH[prefix]))
    return with_check_character(body)


def new_rma_number() -> str:
    """A fresh random RMA number, such as ``RMA7K2D9QX4W``."""
    return _issue(RMA_PREFIX)


def new_lpn() -> str:
    """A fresh random licence plate number for one unit, such as ``LPN3Q8ZK1M7TQ``."""
    return _issue(LPN_PREFIX)


def new_badge_code() -> str:
    """A fresh random staff badge code, such as ``BDG4KQ7ZPH``."""
    return _issue(BADGE_PREFIX)


def bin_code(body: str) -> str:
    """The full bin code for a location name such as ``A0103``: the name plus its check character.

    Raises ValueError when the name is not 2–20 upper-case letters and digits.
    """
    if not (BIN_BODY_MIN <= len(body) <= BIN_BODY_MAX) or not is_code_text(body):
        raise ValueError(
            f"a bin name is {BIN_BODY_MIN} to {BIN_BODY_MAX} upper-case letters and digits"
        )
    return with_check_character(body)


def read_bin_code(text: str) -> str | None:
    """The bin code in `text` (case and surrounding spaces forgiven) when it is one: a bin
    name of 2–20 upper-case letters and digits followed by its check character; else None.

    Bin codes have no prefix, so `scanners.parse` reports them as ``unknown``; the service
    reads a scan's `value` with this where it expects a bin (restocking), then looks the
    code up among the registered bins.
    """
    code = text.strip().upper()
    if not BIN_BODY_MIN + 1 <= len(code) <= BIN_BODY_MAX + 1:
        return None
    return code if has_valid_check_character(code) else None


def kind_of_own_code(code: str) -> str | None:
    """'rma', 'lpn' or 'badge' when `code` has that prefix, length and a valid check character."""
    for prefix, kind in KIND_OF_PREFIX.items():
        if code.startswith(prefix) and len(code) == CODE_LENGTH[prefix]:
            return kind if has_valid_check_character(code) else None
    return None


def looks_like_own_code(code: str) -> str | None:
    """The kind whose prefix and length `code` has, whatever its check character says."""
    for prefix, kind in KIND_OF_PREFIX.items():
        if code.startswith(prefix) and len(code) == CODE_LENGTH[prefix] and is_code_text(code):
            return kind
    return None
