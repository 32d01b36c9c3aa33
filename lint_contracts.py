"""A custom import-linter contract: forbid submodules of an external package (e.g. `django.db`).

import-linter sees an external package only as its top-level name (`django`), so its `forbidden` contract
cannot allow `django.utils.translation` in a rules module while refusing `django.db`. This contract reads
the import lines grimp records for each `source -> django` import and refuses the named submodules.
Configured in pyproject.toml (`[tool.importlinter] contract_types`); run by `make lint`.
"""

from __future__ import annotations

from typing import Any

from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.helpers import module_expressions_to_modules


class ForbiddenSubmodulesContract(Contract):
    """source_modules (expressions, descendants included) must not import any of forbidden_modules."""

    source_modules = fields.ListField(subfield=fields.ModuleExpressionField())
    forbidden_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        forbidden: list[str] = list(self.forbidden_modules)  # type: ignore[call-overload]
        sources = module_expressions_to_modules(graph, self.source_modules, as_packages=True)  # type: ignore[arg-type]
        found = []
        for source in sorted(m.name for m in sources):
            for imported in sorted(graph.find_modules_directly_imported_by(source)):
                top = imported.split(".")[0]
                if not any(f.split(".")[0] == top for f in forbidden):
                    continue
                for detail in graph.get_import_details(importer=source, imported=imported):
                    line = detail["line_contents"]
                    named = _imported_names(line)
                    hit = [f for f in forbidden if any(n == f or n.startswith(f + ".") for n in named)]
                    if hit:
                        found.append((source, detail["line_number"], line))
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for source, line_number, line in check.metadata["found"]:
            output.print_error(f"{source}:{line_number}: {line}", bold=False)
            output.new_line()


def _imported_names(line: str) -> list[str]:
    """`from django.db import models` → django.db, django.db.models; `import django.db.models` → itself."""
    words = line.replace(",", " ").split()
    if words[:1] == ["from"] and len(words) >= 4:
        base = words[1]
        return [base, *(f"{base}.{w}" for w in words[3:] if w.isidentifier() and w != "as")]
    if words[:1] == ["import"]:
        return [w for w in words[1:] if w != "as"]
    return []
