"""The new words of a reply, without the history mail clients quote below them (pure)."""

import re

# A line that opens the quoted history: the attribution line of most clients, in English or Arabic
# ("On Mon, 2 Mar 2026, Sara <s@x> wrote:", "في ٢ مارس ٢٠٢٦، كتب سارة:"), Outlook's separators and
# its header block, and a forwarded-message marker. Matched against one stripped line at a time.
OPENERS = (
    re.compile(r"^On\b.{0,300}\bwrote:?$", re.IGNORECASE),
    re.compile(r"^(في|بتاريخ)\b.{0,300}كتب.{0,120}[:：]?$"),
    re.compile(r"^.{0,300}\bكتب(ت)?\s*[:：]$"),
    re.compile(
        r"^-{2,}\s*(Original Message|Forwarded message|الرسالة الأصلية|رسالة معاد توجيهها)\s*-{2,}$",
        re.IGNORECASE,
    ),
    re.compile(r"^_{10,}$"),
    re.compile(r"^(From|من)\s*[:：].+$"),
)


def strip_quoted(text: str) -> str:
    """The text above the quoted history: cut at the first opener line, and without `>` lines.

    An attribution line wrapped over two lines ("On … Sara" / "<s@x> wrote:") is recognised joined.
    Outlook's `From:` header block counts only when a `Sent:`/`أرسل:`-style line follows soon, so a
    customer who writes "From: my bank" in the body keeps the line.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        joined = f"{stripped} {lines[index + 1].strip()}" if index + 1 < len(lines) else stripped
        if _opens_history(stripped, lines[index + 1 : index + 5]) or (
            OPENERS[0].match(joined) and not OPENERS[0].match(stripped)
        ):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _opens_history(line: str, following: list[str]) -> bool:
    for pattern in OPENERS[:-1]:
        if pattern.match(line):
            return True
    if OPENERS[-1].match(line):
        return any(re.match(r"^\s*(Sent|Date|أرسل|التاريخ)\s*[:：]", nxt) for nxt in following)
    return False
