"""The ``kb`` command: the one place that wires the domain (kb), the index (indexer) and the web
front end (web) together. Nothing imports it but the entry point and the tests."""
