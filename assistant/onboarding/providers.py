"""A built-in table of common mail providers: IMAP settings and how to log in. Nothing is looked up online."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace

from assistant.errors import ConfigError

_ADDRESS = re.compile(r"[^@\s]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\.?")


@dataclass(frozen=True)
class Provider:
    """One provider's IMAP settings. `domains` is empty for those chosen only by --provider (any domain)."""

    key: str
    name: str
    host: str
    login: str  # how to log in, for a newcomer: which password, and where to create it
    port: int = 993
    security: str = "tls"
    auth: str = "password"  # password | xoauth2
    domains: tuple[str, ...] = ()
    # Only for the rare server whose detection might miss them; None where SPECIAL-USE finds the folder.
    sent: str | None = None
    drafts: str | None = None
    # How the provider writes a sub-address (me+followup@…), for commands by Bcc; None: it has none.
    plus: str | None = "+"


def control_form(provider: Provider, address: str) -> str | None:
    """The control address for `address` at this provider (me+followup@gmail.com, me-followup@yahoo.com),
    or None where the provider has no sub-addresses (iCloud)."""
    if provider.plus is None:
        return None
    local, _, domain = address.strip().lower().partition("@")
    return f"{local}{provider.plus}followup@{domain}"


# The scopes a Microsoft token for IMAP needs; offline_access lets the helper refresh it without a browser.
MICROSOFT_SCOPES = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"


def oauth2_steps(provider: Provider, address: str) -> list[str]:
    """The exact steps to an OAuth2 login for IMAP, for the providers that accept nothing else."""
    if provider.auth != "xoauth2" or provider.key not in ("outlook", "microsoft365"):
        return []
    tenant = "consumers" if provider.key == "outlook" else "organizations"
    admin = (" Your administrator may have to grant consent, and to allow IMAP for your mailbox."
             if provider.key == "microsoft365" else "")
    return [
        "Setting up OAuth2, once:",
        "  1. Register an app in Microsoft Entra ID (Azure portal → Microsoft Entra ID → App registrations → "
        "New registration): supported account types \"personal Microsoft accounts\"" +
        (" (and organizational directories, if you like)" if provider.key == "outlook" else
         " or \"this organizational directory\"") +
        "; redirect URI \"Public client/native\" http://localhost. Note its Application (client) ID. "
        "Under API permissions add the delegated IMAP.AccessAsUser.All and offline_access." + admin,
        "  2. Install a token helper: oama (github.com/pdobsan/oama) or mutt_oauth2.py (from mutt's contrib/).",
        f"  3. Give it the client ID, tenant \"{tenant}\" and the scopes: {MICROSOFT_SCOPES}",
        f"  4. Authorise it once in a browser: oama authorize microsoft {address}   (or: mutt_oauth2.py "
        "TOKENFILE --authorize)",
        '  5. The config says auth = "xoauth2" and oauth2_token_command = the helper\'s command that prints a '
        f"fresh access token: oama access {address}   (or: mutt_oauth2.py TOKENFILE)",
    ]


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        key="gmail", name="Gmail", host="imap.gmail.com", domains=("gmail.com", "googlemail.com"),
        sent="[Gmail]/Sent Mail", drafts="[Gmail]/Drafts",
        login="Gmail needs an app password, not your Google password: create one in Google Account → "
              "Security → App passwords (needs 2-Step Verification) and use its 16 letters."),
    Provider(
        key="google-workspace", name="Google Workspace", host="imap.gmail.com",
        sent="[Gmail]/Sent Mail", drafts="[Gmail]/Drafts",
        login="Google Workspace needs an app password: create one in Google Account → Security → App "
              "passwords (needs 2-Step Verification). If that page is missing, your administrator has turned "
              "app passwords or IMAP off: ask them, or sign in with OAuth2 (auth = \"xoauth2\" and "
              "oauth2_token_command set to a token helper such as oama)."),
    Provider(
        key="outlook", name="Outlook.com", host="outlook.office365.com",
        domains=("outlook.com", "hotmail.com", "live.com", "msn.com", "outlook.fr", "outlook.de",
                 "hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.it", "hotmail.es", "live.co.uk",
                 "live.fr", "live.de", "live.nl", "live.ca", "live.com.au"),
        sent="Sent Items", auth="xoauth2",
        login="Outlook.com no longer accepts passwords or app passwords over IMAP (since September 2024), so "
              "Followup signs in with OAuth2 (XOAUTH2) through a token helper such as oama or mutt_oauth2.py."),
    Provider(
        key="microsoft365", name="Microsoft 365", host="outlook.office365.com", auth="xoauth2",
        sent="Sent Items",
        login="Microsoft 365 no longer accepts passwords over IMAP, so Followup signs in with OAuth2 "
              "(XOAUTH2) through a token helper such as oama or mutt_oauth2.py, with an app registered in "
              "Microsoft Entra ID. Your administrator may have to allow IMAP and the app for your organisation."),
    Provider(
        key="fastmail", name="Fastmail", host="imap.fastmail.com",
        domains=("fastmail.com", "fastmail.fm", "fastmail.cn", "fastmail.co.uk", "fastmail.com.au",
                 "fastmail.de", "fastmail.es", "fastmail.in", "fastmail.jp", "fastmail.mx", "fastmail.net",
                 "fastmail.nl", "fastmail.org", "fastmail.se", "fastmail.to", "fastmail.tw", "fastmail.us",
                 "messagingengine.com", "sent.com", "123mail.org", "airpost.net", "eml.cc", "fmail.co.uk",
                 "mailbolt.com", "mm.st", "myfastmail.com", "warpmail.net"),
        login="Fastmail needs an app password: create one in Settings → Privacy & Security → Connected "
              "apps & API tokens → New app password, with access to mail (IMAP)."),
    Provider(
        key="icloud", name="iCloud Mail", host="imap.mail.me.com", domains=("icloud.com", "me.com", "mac.com"),
        sent="Sent Messages", plus=None,
        login="iCloud Mail needs an app-specific password: create one in your Apple Account settings → "
              "Sign-In and Security → App-Specific Passwords (needs two-factor authentication). If your "
              "full address is refused as user name, try only the part before the @."),
    Provider(
        key="yahoo", name="Yahoo Mail", host="imap.mail.yahoo.com",
        domains=("yahoo.com", "ymail.com", "rocketmail.com", "yahoo.co.uk", "yahoo.ie", "yahoo.fr", "yahoo.de",
                 "yahoo.it", "yahoo.es", "yahoo.ca", "yahoo.com.au", "yahoo.co.nz", "yahoo.co.in", "yahoo.in",
                 "yahoo.com.br", "yahoo.com.mx", "yahoo.com.ar", "yahoo.com.sg", "yahoo.gr", "yahoo.se",
                 "yahoo.dk", "yahoo.no", "yahoo.ro"),
        plus="-",  # Yahoo's disposable addresses: me-keyword@yahoo.com
        login="Yahoo Mail needs an app password: create one in Yahoo Account → Account security → "
              "Generate app password (needs two-step verification)."),
    Provider(
        key="generic", name="generic IMAP", host="imap.{domain}",
        login="Use your mailbox password, or an app password if your provider has two-step verification."),
)

KEYS: tuple[str, ...] = tuple(p.key for p in PROVIDERS)


def domain_of(address: str) -> str:
    """The lower-cased domain of an email address; ConfigError if it is not one."""
    match = _ADDRESS.fullmatch(address.strip())
    if not match:
        raise ConfigError(f"{address.strip()!r} is not an email address", "give it as you@example.com")
    return match.group(1).lower()


def by_key(key: str) -> Provider:
    wanted = key.strip().lower().replace("_", "-")
    for provider in PROVIDERS:
        if provider.key == wanted:
            return provider
    near = difflib.get_close_matches(wanted, KEYS, n=1)
    hint = f"did you mean {near[0]!r}?" if near else f"choose one of: {', '.join(KEYS)}"
    raise ConfigError(f"unknown provider {key!r}", hint)


def detect(address: str, provider: str | None = None) -> Provider:
    """The provider for an address: the explicit key if given, else by domain, else generic IMAP."""
    domain = domain_of(address)
    found = by_key(provider) if provider else next((p for p in PROVIDERS if domain in p.domains), None)
    found = found or by_key("generic")
    if found.key == "generic":
        return replace(found, host=found.host.format(domain=domain), login=found.login.format(domain=domain))
    return found
