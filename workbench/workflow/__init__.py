"""The workflow: people, clips, transcription and review behind the ``Workbench`` facade
(``service``), with frozen value objects (``domain``) and user-facing errors (``errors``)."""
