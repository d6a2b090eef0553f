"""Flask front end: ``create_app(config)`` with one blueprint per area.

Every page has a JSON twin built from the same data function: add ``.json`` to the path or
send ``Accept: application/json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from indexer.generation import RESULTS_CACHED
from web.render import register_errors, register_guards


class JSONProvider(DefaultJSONProvider):
    """Flask's, plus the search's typed results (indexer/search_result.py) and read-only maps."""

    @staticmethod
    def default(o: Any) -> Any:
        from indexer.search_result import plain

        if isinstance(o, Mapping):
            return plain(o)
        return DefaultJSONProvider.default(o)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.json = JSONProvider(app)
    app.config.from_mapping(
        INDEX_DIR=None,  # default: $KB_INDEX or the per-user folder (indexer.location.default_index)
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,  # a 1 MB draft in UTF-8 Chinese is about 3 MB
        MAX_FORM_MEMORY_SIZE=4 * 1024 * 1024,
        JSON_AS_ASCII=False,
        PER_PAGE=10,
        RESULTS_CACHED=RESULTS_CACHED,  # search results kept per generation and worker; 0: none
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from indexer.location import default_index
    from indexer.search import SearchService

    root = Path(app.config["INDEX_DIR"] or default_index())
    app.config["INDEX_DIR"] = str(root)
    service = app.extensions["kb_search"] = SearchService(  # jieba and the index, loaded once
        root, results_cached=app.config["RESULTS_CACHED"]
    )

    @app.before_request
    def pin_generation() -> None:  # one generation per request, CURRENT checked once
        try:
            service.pin()
        except Exception:  # nothing servable yet: the view's own error handling speaks
            service.unpin()

    @app.teardown_request
    def unpin_generation(_exc: BaseException | None) -> None:
        service.unpin()

    from web.views import check, documents, packs, search, system

    app.register_blueprint(search.bp)
    app.register_blueprint(check.bp)
    app.register_blueprint(packs.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(system.bp)
    register_errors(app)
    register_guards(app)
    return app
