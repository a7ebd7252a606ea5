"""Machine drafts: a speech recogniser's first guess at a segment's text.

The engine layer only: domain objects (``DraftSegment`` in, ``Draft`` out), the backend
protocol and registry, and three backends — the bundled faster-whisper base
(``whisper.py``, needs the ``drafts`` extra), an operator's OpenAI-compatible server
(``openai_server.py``) and a deterministic fake for tests (``fake.py``) — and pure checks of a draft
(``scoring.py``, ``loops.py``). Queuing, storing
drafts as revisions and showing them live elsewhere. Heavy libraries are imported only
inside the backend that needs them, so importing this package costs nothing.
"""

from workbench.drafts.backend import DraftBackend
from workbench.drafts.errors import DraftEngineError
from workbench.drafts.model import SAMPLE_RATE, Draft, DraftSegment, DraftWord
from workbench.drafts.registry import BackendChoice, BackendRegistry, DraftConfig, default_registry

__all__ = [
    "SAMPLE_RATE", "BackendChoice", "BackendRegistry", "Draft", "DraftBackend", "DraftConfig",
    "DraftEngineError", "DraftSegment", "DraftWord", "default_registry",
]
