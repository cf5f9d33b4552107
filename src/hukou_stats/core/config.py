"""Configuration files written by people (the spec of a wide table, the targets file): TOML read as UTF-8 and
checked against a declarative schema (pydantic models). Every broken rule is reported at once, each as
file, key and rule, in one error style (`ConfigInvalid`, exit code 2)."""

from __future__ import annotations

import codecs
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from hukou_stats.core.errors import InputOutputError, Issue, UsageError, clip
from hukou_stats.core.text import escaped

M = TypeVar("M", bound=BaseModel)
MAX_SHOWN = 300  # characters of a value quoted in a message
MAX_BYTES = 5 * 2**20  # a configuration file written by a person is far smaller

# pydantic's error types, as the rules a statistician reads
RULES = {
    "missing": "required",
    "extra_forbidden": "known_key",
    "literal_error": "allowed_value",
    "enum": "allowed_value",
    "string_pattern_mismatch": "format",
    "greater_than_equal": "range",
    "less_than_equal": "range",
    "greater_than": "range",
    "less_than": "range",
    "string_too_short": "required",
    "string_too_long": "text_length",
    "too_long": "text_length",
}


@dataclass
class ConfigInvalid(UsageError):
    """A configuration file breaks one or more rules; nothing was read or built from it."""

    file: str = ""
    issues: list[Issue] = field(default_factory=list)

    def errors(self) -> list[Issue]:
        return self.issues

    def __str__(self) -> str:
        shown = "\n".join(f"  - {i}" for i in self.issues[:30])
        more = f"\n  ... and {len(self.issues) - 30} more" if len(self.issues) > 30 else ""
        return (
            f"{self.file}: {len(self.issues)} problem(s) in this configuration file; nothing was read from it. "
            f"/ 配置文件有{len(self.issues)}处错误。\n{shown}{more}"
        )


def shown(value: Any) -> str:
    return clip(repr(value) if not isinstance(value, str) else value, MAX_SHOWN)


def read_toml(path: Path, label: str) -> dict:
    """The TOML document of a configuration file; an encoding or syntax error is a ConfigInvalid naming it."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise InputOutputError(f"cannot read {label}: {e.strerror or e}") from e
    if len(data) > MAX_BYTES:
        raise ConfigInvalid(
            file=label,
            issues=[
                Issue(
                    "error",
                    "input_too_large",
                    f"the file is over {MAX_BYTES:,} bytes: not a configuration file",
                    file=label,
                )  # fmt: skip
            ],
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if data[:4] in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
            why = "UTF-32"
        elif data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            why = "UTF-16"
        else:
            why = "not UTF-8 (GBK or another encoding?)"
        raise ConfigInvalid(
            file=label,
            issues=[
                Issue("error", "toml_encoding", f"the file is {why} at byte {e.start}: save it as UTF-8", file=label)
            ],
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigInvalid(
            file=label, issues=[Issue("error", "toml_syntax", f"not valid TOML: {e}", file=label)]
        ) from None


def issues_of(
    error: ValidationError, label: str, prefix: str = "", where: str = "", known: list[str] | None = None
) -> list[Issue]:
    """Each pydantic error as an Issue: the key (dotted path), the rule and the message."""
    out = []
    for e in error.errors(include_url=False):
        key = clip(escaped(".".join(str(p) for p in (*([prefix] if prefix else []), *e["loc"]))))
        rule = RULES.get(e["type"], e["type"].removesuffix("_type").removesuffix("_parsing"))
        if e["type"].endswith("_type") or e["type"].endswith("_parsing"):
            rule = "type"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key" + (
                f"; the keys allowed here: {', '.join(known)}" if known and len(e["loc"]) == 1 else ""
            )
        value = "" if e["type"] == "missing" or not key else shown(e.get("input"))
        out.append(Issue("error", rule, f"{where}: {msg}" if where else msg, file=label, key=key, value=value))
    return out


def validate(model: type[M], data: dict, label: str, prefix: str = "", where: str = "") -> tuple[M | None, list[Issue]]:
    """(the model, []) or (None, the issues)."""
    try:
        return model.model_validate(data), []
    except ValidationError as e:
        return None, issues_of(e, label, prefix, where, known=list(model.model_fields))
