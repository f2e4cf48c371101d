"""Phone numbers and e-mail addresses in one canonical form, so one person is found however written (pure)."""

import phonenumbers


def phone_e164(raw: str, default_region: str) -> str:
    """`+971 50 123 4567`, `00971501234567` and (region AE) `050 123 4567` all give `+971501234567`.

    A number without a country code is read in `default_region`; a leading international prefix of
    that region (00 in most of the world) is understood. Raises ValueError for what no plan allows.
    """
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{raw!r} is not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"{raw!r} is not a valid phone number (read in region {default_region})")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def valid_region(region: str) -> bool:
    return region in phonenumbers.SUPPORTED_REGIONS


def email_address(raw: str) -> str:
    """The address lower-cased whole: domains are case-blind by rule, and no mail host in use treats
    `Sara@` and `sara@` as different people, while customers type them both ways. Raises ValueError
    for anything that is not one `local@domain`."""
    value = raw.strip()
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in value) or "@" in local:
        raise ValueError(f"{raw!r} is not an e-mail address")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{raw!r} has a domain that is not a host name") from None
    return f"{local.lower()}@{domain.lower()}"
