"""Which engine drafts which project and language, and how engines are built by name.

``DraftConfig`` is plain data (``to_dict``/``from_dict``) so it can be stored later; the
most specific entry wins: project and language, then language, then the default. A choice
of ``None`` at any level means "no drafts there".

>>> config = DraftConfig(default=BackendChoice("whisper"),
...                      languages={"ko": BackendChoice("openai", {"url": "http://gpu:8000", "model": "large-v3"})},
...                      projects={"call-center": {"ko": None}})
>>> config.choice_for("news", "ko").name
'openai'
>>> config.choice_for("call-center", "ko") is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from workbench.drafts.backend import LANGUAGES, DraftBackend
from workbench.drafts.errors import DraftEngineError

BackendFactory = Callable[[Mapping[str, object], Path], DraftBackend]
"""Builds a backend from its options and the workbench's data directory."""


@dataclass(frozen=True)
class BackendChoice:
    """A backend by registry name with its options (e.g. ``{"cpu_threads": 2}``)."""

    name: str
    options: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))

    def to_dict(self) -> dict:
        return {"name": self.name, **({"options": dict(self.options)} if self.options else {})}

    @classmethod
    def from_dict(cls, data: Mapping | None) -> "BackendChoice | None":
        if data is None:
            return None
        return cls(name=str(data["name"]), options=dict(data.get("options", {})))


@dataclass(frozen=True)
class DraftConfig:
    """The engine per project and language. ``default`` None turns drafts off unless a
    language or project entry turns them on."""

    default: BackendChoice | None = None
    languages: Mapping[str, BackendChoice | None] = field(default_factory=dict)
    projects: Mapping[str, Mapping[str, BackendChoice | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for language in [*self.languages, *(lang for per in self.projects.values() for lang in per)]:
            if language not in LANGUAGES:
                raise DraftEngineError(f"unknown language {language!r} in the draft settings; "
                                       f"choose from {', '.join(LANGUAGES)}")
        object.__setattr__(self, "languages", MappingProxyType(dict(self.languages)))
        object.__setattr__(self, "projects", MappingProxyType(
            {name: MappingProxyType(dict(per)) for name, per in self.projects.items()}))

    def choice_for(self, project: str, language: str) -> BackendChoice | None:
        """The backend that drafts ``project``'s segments in ``language``, or None for none."""
        per_project = self.projects.get(project, {})
        if language in per_project:
            return per_project[language]
        if language in self.languages:
            return self.languages[language]
        return self.default

    def to_dict(self) -> dict:
        def choice(c: BackendChoice | None):
            return None if c is None else c.to_dict()

        return {"default": choice(self.default),
                "languages": {lang: choice(c) for lang, c in self.languages.items()},
                "projects": {name: {lang: choice(c) for lang, c in per.items()}
                             for name, per in self.projects.items()}}

    @classmethod
    def from_dict(cls, data: Mapping) -> "DraftConfig":
        return cls(default=BackendChoice.from_dict(data.get("default")),
                   languages={lang: BackendChoice.from_dict(c) for lang, c in data.get("languages", {}).items()},
                   projects={name: {lang: BackendChoice.from_dict(c) for lang, c in per.items()}
                             for name, per in data.get("projects", {}).items()})


class BackendRegistry:
    """Backend factories by name. ``create`` builds a fresh backend; loading a model (and
    its hash check) happens in the backend, on its first use."""

    def __init__(self) -> None:
        self._factories: dict[str, BackendFactory] = {}

    def register(self, name: str, factory: BackendFactory) -> None:
        if name in self._factories:
            raise DraftEngineError(f"a draft backend named {name!r} is already registered")
        self._factories[name] = factory

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._factories))

    def create(self, choice: BackendChoice, data_dir: Path) -> DraftBackend:
        factory = self._factories.get(choice.name)
        if factory is None:
            raise DraftEngineError(f"unknown draft backend {choice.name!r}; "
                                   f"registered: {', '.join(self.names) or 'none'}")
        return factory(choice.options, Path(data_dir))

    def backend_for(self, config: DraftConfig, project: str, language: str,
                    data_dir: Path) -> DraftBackend | None:
        """The backend ``config`` names for ``project`` and ``language``, or None for no drafts."""
        choice = config.choice_for(project, language)
        return None if choice is None else self.create(choice, data_dir)


def default_registry() -> BackendRegistry:
    """The bundled backends: ``whisper`` (faster-whisper base, the ``drafts`` extra),
    ``openai`` (an operator's OpenAI-compatible server) and ``fake`` (tests)."""
    from workbench.drafts.fake import FakeBackend
    from workbench.drafts.openai_server import OpenAIServerBackend
    from workbench.drafts.whisper import WhisperBackend

    registry = BackendRegistry()
    registry.register("whisper", WhisperBackend.from_options)
    registry.register("openai", OpenAIServerBackend.from_options)
    registry.register("fake", FakeBackend.from_options)
    return registry
