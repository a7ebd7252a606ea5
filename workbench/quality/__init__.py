"""Quality figures for the admin's dashboard and the export's quality report: gold scores over
time, double-transcription agreement, time on task and effective hourly pay against the
minimum wage, per language and project (``figures``, pure pandas; ``gather``, read through
the Workbench with the admin's rights)."""
