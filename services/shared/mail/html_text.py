"""HTML mail bodies as plain text, with the standard library's tolerant parser (pure)."""

from html.parser import HTMLParser

# Elements whose start or end begins a new line of text.
BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer"),
        *("form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol"),
        *("p", "pre", "section", "table", "td", "th", "tr", "ul"),
    }
)
# Elements whose content is not text a person reads.
HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        # Outlook and Gmail wrap the quoted history in these; the text stops where one starts.
        self.quoted = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        marker = f"{values.get('class') or ''} {values.get('id') or ''}"
        if tag == "blockquote" or "gmail_quote" in marker or "divRplyFwdMsg" in marker:
            self.quoted = True
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden and not self.quoted:
            self.parts.append(data)


def to_text(html: str) -> str:
    """The readable text of an HTML body: one line per block, runs of blank space collapsed,
    scripts and styles left out, a quoted history (blockquote, Gmail's or Outlook's wrapper) cut."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
