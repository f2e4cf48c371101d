"""The intake's document arrays: the same parameters with documents and without (pure)."""

from services.shared.store.ticket_documents import Document, intake_params


def test_no_documents_gives_null_arrays_for_every_parameter_the_statement_names() -> None:
    one = intake_params([Document("a.pdf", "application/pdf", 10, 2, "ab", "", page_starts=[0, 1])])
    none = intake_params([])
    assert none.keys() == one.keys()
    assert all(value is None for value in none.values())
    assert one["doc_page_starts"] == ["0,1"]
