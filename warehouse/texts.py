"""Messages a person reads, kept with their template and values, in plain Python.

A service says what went wrong in English (`Text("The unit is {state} already.", state=…)`
is that sentence, and the API answers it as it is); the floor UI shows the same message in
the reader's language by translating the template and the codes among its values
(`warehouse.ui.i18n.translate`). `Text` is also the keyword the UI's catalogue extraction
looks for, so every template written this way is translated or a test fails.
"""

from __future__ import annotations


class Text(str):
    """An English message (a `str`) that remembers its template and the values filled in."""

    template: str
    values: dict

    def __new__(cls, template: str, **values) -> Text:
        text = super().__new__(cls, template.format(**values) if values else template)
        text.template = template
        text.values = values
        return text
