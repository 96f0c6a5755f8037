"""A service's message is its English sentence (what the API answers) and keeps its template
and values, so a page can say it in its reader's language."""

from __future__ import annotations

import json

from warehouse.disposition import rules
from warehouse.inspection.lifecycle import Route
from warehouse.texts import Text


def test_a_text_reads_as_its_english_sentence_and_keeps_its_template():
    text = Text("Bin {code} is not registered.", code="A0103X")
    assert text == "Bin A0103X is not registered."
    assert json.dumps({"detail": text}) == '{"detail": "Bin A0103X is not registered."}'
    assert (text.template, text.values) == ("Bin {code} is not registered.", {"code": "A0103X"})


def test_a_refused_override_names_its_routes_as_codes_for_the_page_to_translate():
    try:
        rules.judge(
            Route.SCRAP,
            recommended=Route.RESTOCK,
            no_resale=False,
            supervisor=False,
            reason=None,
            has_bin=False,
        )
    except rules.SupervisorNeeded as refused:
        message = refused.args[0]
    assert message == "The recommended route is restock; only a supervisor may choose scrap."
    assert message.values == {"recommended": "restock", "decision": "scrap"}
