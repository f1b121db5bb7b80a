"""Every screenshot the engine keeps is taken here, masked: the reviewer's picture and the capture the secrets
tests check are one function, :func:`masked_capture`.

Masked in the picture (a black box): password boxes, fields whose autocomplete says password or card
(``MASKED``), and every field named like a secret (``browserflow.secrets.SENSITIVE_KEY``: password, token, card
number, CVC, PIN...; see :func:`sensitive_fields`). Redacted in the page's accessibility text: those fields'
values and every secret value the session typed (Playwright's ``aria_snapshot`` shows a password box's value in
clear).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from playwright.async_api import Locator, Page

from browserflow import secrets

__all__ = ["MASK", "MASKED", "MASK_COLOR", "masked_capture", "sensitive_fields"]

MASK = "••••••"  # what a redacted value reads as in the accessibility text
MASK_COLOR = "#000000"
MASKED = "input[type=password], [autocomplete*=password], [autocomplete=cc-number], [autocomplete=cc-csc]"

_FIELDS = "input, textarea"
_SENSITIVE_FIELDS_JS = """(els, pattern) => {
  const re = new RegExp(pattern, "i");
  const parts = /(^|[^a-z0-9])(pwd|pw|pin|otp|cvv|cvc|cvv2|csc|ssn|auth|iban|totp|mfa|2fa)([^a-z0-9]|$)/i;
  const auto = new Set(["current-password", "new-password", "one-time-code", "cc-number", "cc-csc"]);
  const out = [];
  els.forEach((el, i) => {
    const names = [el.name, el.id, el.getAttribute("aria-label"), el.placeholder,
                   ...Array.from(el.labels || []).map((l) => l.innerText)].filter(Boolean);
    if (el.type === "password" || auto.has((el.autocomplete || "").toLowerCase())
        || names.some((n) => re.test(n) || parts.test(n))) out.push([i, el.value || ""]);
  });
  return out;
}"""


async def sensitive_fields(page: Page) -> tuple[list[Locator], list[str]]:
    """The page's sensitive fields (password boxes; fields named like a password, token, card number, CVC,
    PIN...) as locators to mask, and their current values. Reads the page; changes nothing in it."""
    found = await page.locator(_FIELDS).evaluate_all(_SENSITIVE_FIELDS_JS, secrets.SENSITIVE_KEY.pattern)
    fields = page.locator(_FIELDS)
    return [fields.nth(int(i)) for i, _ in found], [str(v) for _, v in found if v]


async def masked_capture(
    page: Page, secret_values: Iterable[str] = (), *, path: Path | None = None
) -> tuple[bytes, str]:
    """A PNG of the page with every sensitive field masked, and the page's accessibility text with their values
    and every known ``secret_values`` (the session's typed secrets) redacted. ``path``: also written there."""
    fields, values = await sensitive_fields(page)
    shot = await page.screenshot(
        path=str(path) if path is not None else None, mask=[page.locator(MASKED), *fields], mask_color=MASK_COLOR
    )
    aria = await page.locator("body").aria_snapshot()
    aria = secrets.mask(aria, [v for v in (*values, *secret_values) if v], MASK)
    return shot, aria
