"""The draft engines the settings choose (``DraftConfig``, drafts/registry.py, as JSON in
``<data dir>/drafts.json`` or the file ``WORKBENCH_DRAFTS`` names), built once per choice and
kept: a model loads once per worker. Drafting (drafting.py) asks it at every job."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from workbench.drafts.errors import DraftEngineError
from workbench.drafts.registry import BackendChoice, BackendRegistry, DraftConfig


class DraftEngines:
    """The engines the draft settings choose, built once per choice and kept (a model loads
    once per worker). ``config`` fixes the settings (tests); otherwise they are read from
    ``path`` at every call."""

    def __init__(self, data_dir: Path, *, config: DraftConfig | None = None,
                 registry: BackendRegistry | None = None, path: Path | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.path = path or Path(os.environ.get("WORKBENCH_DRAFTS") or self.data_dir / "drafts.json")
        self._config = config
        self._registry = registry
        self._backends: dict[str, object] = {}
        self._lock = threading.Lock()

    def config(self) -> DraftConfig:
        if self._config is not None:
            return self._config
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return DraftConfig()
        try:
            return DraftConfig.from_dict(json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise DraftEngineError(f"the draft settings {self.path} cannot be read: {error}") from None

    def save(self, config: DraftConfig) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(json.dumps(config.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(temporary, self.path)

    def choice_for(self, project: str, language: str) -> BackendChoice | None:
        return self.config().choice_for(project, language)

    def backend(self, choice: BackendChoice):
        key = json.dumps(choice.to_dict(), sort_keys=True)
        with self._lock:
            if key not in self._backends:
                if self._registry is None:
                    from workbench.drafts.registry import default_registry

                    self._registry = default_registry()
                self._backends[key] = self._registry.create(choice, self.data_dir)
            return self._backends[key]
