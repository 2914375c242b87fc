"""Problems found in rule files, each tied to a file, a line and a dotted path, collected all at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or, as a warning, suspicious) in a rule file.

    `str()` gives `file:line: path: message`, the one line a person reads.
    """

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class RulesError(ValueError):
    """Rule files that cannot be used; `problems` lists every error found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.path, p.message))
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in rule files"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))
