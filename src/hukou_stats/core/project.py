"""Where things live. Every path derives from one root (the repository by default)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SETTINGS_FILE = "hukou-stats.toml"


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def at(cls, root: Path | str = ".") -> Project:
        return cls(Path(root).resolve())

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def reference(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def database(self) -> Path:
        return self.processed / "hukou.duckdb"

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def settings_file(self) -> Path:
        """hukou-stats.toml: the project's settings ([publisher], [limits])."""
        return self.root / SETTINGS_FILE

    def label(self, path: Path) -> str:
        """A path as shown to users and stored with each row: relative to the root where possible."""
        try:
            return str(Path(path).resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def reference_inputs(self) -> list[Path]:
        """Reference data and schemas: inputs of every output besides the raw files."""
        return [f for f in (self.reference, self.schemas) if f.exists()]
