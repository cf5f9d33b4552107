"""The publishing bureau: name, contact and release date shown on every bulletin (GSS: who publishes, whom to
contact, when), from the project file hukou-stats.toml, table [publisher]:

    [publisher]
    name_zh = "广州市统计局"
    name_en = "Guangzhou Municipal Bureau of Statistics"
    contact = ["人口和就业统计处", "电话 020-12345678"]
    release_date = 2022-03-04

Every key is optional, and the file itself too: what is not set is shown as a default that says it is one
(「未设置（默认值）」 / "not set (default)"). The file is checked like every configuration file (core.config):
every broken rule is reported at once, as file, key and rule (ConfigInvalid, exit code 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from hukou_stats.core.config import ConfigInvalid, read_toml, validate
from hukou_stats.core.errors import Issue
from hukou_stats.core.project import Project

DEFAULT_ZH, DEFAULT_EN = "未设置（默认值）", "not set (default)"


class PublisherEntry(BaseModel):
    """The [publisher] table."""

    model_config = ConfigDict(extra="forbid")
    name_zh: str = Field(default="", max_length=200, description="the bureau's name in Chinese")
    name_en: str = Field(default="", max_length=200, description="the bureau's name in English")
    contact: list[str] = Field(
        default_factory=list, max_length=10, description="lines: unit, telephone, email, address"
    )
    release_date: dt.date | None = Field(default=None, description="publication date of the bulletin, YYYY-MM-DD")


@dataclass(frozen=True)
class Publisher:
    name_zh: str = ""
    name_en: str = ""
    contact: tuple[str, ...] = field(default_factory=tuple)
    release_date: dt.date | None = None

    def name(self, lang: str) -> str:
        zh, en = self.name_zh or DEFAULT_ZH, self.name_en or (self.name_zh if self.name_zh else DEFAULT_EN)
        return zh if lang == "zh" else en if lang == "en" else zh if zh == en else f"{zh} {en}"

    def contact_text(self, lang: str) -> str:
        if self.contact:
            return "；".join(self.contact) if lang == "zh" else "; ".join(self.contact)
        return DEFAULT_ZH if lang == "zh" else DEFAULT_EN if lang == "en" else f"{DEFAULT_ZH} {DEFAULT_EN}"

    def date_text(self, lang: str) -> str:
        d = self.release_date
        if d is None:
            return DEFAULT_ZH if lang == "zh" else DEFAULT_EN if lang == "en" else f"{DEFAULT_ZH} {DEFAULT_EN}"
        zh, en = f"{d.year}年{d.month}月{d.day}日", d.isoformat()
        return zh if lang == "zh" else en if lang == "en" else f"{zh} {en}"

    def lines(self, lang: str) -> list[str]:
        """发布机构 / 联系方式 / 发布日期, as shown on the cover, the page and the Markdown."""
        labels = {
            "zh": ("发布机构：", "联系方式：", "发布日期："),
            "en": ("Published by: ", "Contact: ", "Release date: "),
            "both": ("发布机构 Published by: ", "联系方式 Contact: ", "发布日期 Release date: "),
        }[lang]
        return [labels[0] + self.name(lang), labels[1] + self.contact_text(lang), labels[2] + self.date_text(lang)]


def config_path(project: Project) -> Path:
    return project.settings_file


def load_publisher(project: Project) -> Publisher:
    """The [publisher] table of hukou-stats.toml, or the defaults when the file or the table is absent."""
    path = config_path(project)
    if not path.is_file():
        return Publisher()
    label = project.label(path)
    doc = read_toml(path, label)
    issues = [
        Issue("error", "known_key", "unknown table (only [publisher] and [limits])", file=label, key=k)
        for k in doc
        if k not in ("publisher", "limits")
    ]
    raw = doc.get("publisher", {})
    if not isinstance(raw, dict):
        issues.append(Issue("error", "type", "[publisher] must be a table", file=label, key="publisher"))
        raise ConfigInvalid(file=label, issues=issues)
    entry, found = validate(PublisherEntry, raw, label, prefix="publisher")
    issues += found
    if issues or entry is None:
        raise ConfigInvalid(file=label, issues=issues)
    return Publisher(
        entry.name_zh.strip(),
        entry.name_en.strip(),
        tuple(c.strip() for c in entry.contact if c.strip()),
        entry.release_date,
    )
