"""The README's quick start stays true: CI runs its test command verbatim."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_two_commands():
    assert len(quick_start_commands()) == 2


def test_ci_runs_the_readme_test_command():
    test_command = quick_start_commands()[1]
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_states_the_budget_the_benchmark_checks():
    """bench/run.py checks bench/budget.toml; the README's budget table must say the same."""
    import tomllib

    budget = tomllib.loads((ROOT / "bench" / "budget.toml").read_text(encoding="utf-8"))["line"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Performance budget", 1)[1].split("\n## ", 1)[0]
    rows = {
        cells[0]: cells[1]
        for line in section.splitlines()
        if line.startswith("| ") and len(cells := [c.strip() for c in line.strip("|").split("|")]) >= 2
    }
    assert budget and len([r for r in rows if r in {b["what"] for b in budget}]) == len(budget)
    for line in budget:
        limit = f"≤ {line['max']}" if "max" in line else f"≥ {line['min']}"
        assert rows[line["what"]] == limit, line["what"]
