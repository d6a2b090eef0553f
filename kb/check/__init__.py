"""Draft check: which rules a notice or plan may breach, sentence by sentence.

Three kinds of flag, told apart in every result:
  limit    a measurable limit written in a rule (document length, speech length);
  pattern  a practice on the negative lists, read from what a sentence demands (kb/check/rules.py);
  similar  a sentence that reads like a list item or provision (suggested by the search layer).
Nothing here stores or logs the draft. Callers supply, as callables, what needs the index:
similar-text look-up, citations for provision ids, and cases under a provision.
"""

from kb.check.draft import CheckResult, Flag, check_draft, split_sentences
from kb.check.rules import RULES, checked

__all__ = ["RULES", "CheckResult", "Flag", "check_draft", "checked", "split_sentences"]
