"""Citations, in the manner of eyecite: find → resolve → annotate."""

from kb.links.find import Citation, find_citations

__all__ = ["Citation", "find_citations"]
