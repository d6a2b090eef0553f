"""Draft check: which rules a notice or plan may breach, sentence by sentence.

Three kinds of flag, told apart in every result:
  limit    a measurable limit written in a rule (document length, speech length);
  pattern  a practice on the negative lists, found by a pattern (kb/data/check_rules.toml);
  similar  a sentence that reads like a list item or provision (suggested by the search layer).
Nothing here stores or logs the draft. Callers supply, as callables, what needs the index:
similar-text look-up, citations for provision ids, and cases under a provision.
"""

from kb.check.draft import CheckResult, Flag, check_draft, load_rules, split_sentences

__all__ = ["CheckResult", "Flag", "check_draft", "load_rules", "split_sentences"]
