"""Import: raw documents → clean, structured records.

The pipeline, one module a stage: ``read_source`` (formats, encodings) → ``clean_text``
(ads, page counters, masks, punctuation) → ``split_pieces`` (several speeches in one file) →
``parse_structure`` (编/章/节/条, list items, sections) → ``extract_metadata`` → records.
"""

from kb.ingest.clean import clean_text
from kb.ingest.importer import ImportReport, import_paths
from kb.ingest.read import ImportProblem, read_source
from kb.ingest.split import split_pieces
from kb.ingest.structure import parse_structure

__all__ = [
    "ImportProblem",
    "ImportReport",
    "clean_text",
    "import_paths",
    "parse_structure",
    "read_source",
    "split_pieces",
]
