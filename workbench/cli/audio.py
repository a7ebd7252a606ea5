"""``workbench process``: one file through the audio pipeline, without the store."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.cli.common import fail_cleanly


@fail_cleanly
def process(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="Audio or video file (wav, flac, mp3, ogg, m4a, mp4, mov, webm, ...)."),
    out: Path = typer.Option(..., "--out", help="Output directory; must not exist yet or be empty."),
    language: str = typer.Option("ko", help="Language of the speech: ko, en, zh or ja."),
    min_pause: float = typer.Option(None, help="Split at pauses at least this long, seconds (default 0.3; Japanese 0.25)."),
    max_segment: float = typer.Option(None, help="Longest segment, seconds; longer ones split at their quietest point (default 20)."),
    padding: float = typer.Option(None, help="Seconds added at each segment edge (default 0.2)."),
    long_pause: float = typer.Option(None, help="After cleaning, cut segments at pauses at least this long, seconds; "
                                                "0 turns it off (default ja 0.35, ko 0.4, zh 0.5; off in en)."),
    vad_aggressiveness: int = typer.Option(None, help="webrtcvad mode 0 (keeps most) to 3 (default 3)."),
    target_lufs: float = typer.Option(None, help="Loudness target, LUFS (default -23)."),
    max_gain: float = typer.Option(None, help="Most gain applied to reach the target, dB (default 20)."),
    true_peak: float = typer.Option(None, help="True-peak ceiling, dBTP (default -1)."),
    denoise: bool = typer.Option(None, "--denoise/--no-denoise", help="Spectral denoising when it helps (default on)."),
    second_opinion: bool = typer.Option(None, "--second-opinion/--no-second-opinion",
                                        help="Ask Silero VAD where webrtcvad is unsure, if the [silero] extra is installed (default on)."),
    enhance: bool = typer.Option(None, "--enhance/--no-enhance",
                                 help="Offer clips whose pauses music filled to the learnt enhancer, if the [enhance] extra is installed (default on)."),
    busy_denoiser: str = typer.Option(None, "--busy-denoiser", metavar="wiener|gate",
                                      help="Denoiser for clips whose pauses babble or music filled: wiener or gate (default wiener)."),
) -> None:
    """Decode INPUT, cut it into one-sentence segments, denoise and normalise it into --out."""
    from workbench.audio.early import EarlyDecode
    from workbench.audio.paged import ON_DISK_AFTER_S
    from workbench.audio.settings import PipelineSettings

    chosen = {
        "min_pause_s": min_pause, "max_segment_s": max_segment, "padding_s": padding, "long_pause_split_s": long_pause,
        "vad_aggressiveness": vad_aggressiveness, "target_lufs": target_lufs, "max_gain_db": max_gain,
        "true_peak_ceiling_dbtp": true_peak, "denoise": denoise, "second_opinion": second_opinion, "enhance": enhance,
        "denoise_busy_method": busy_denoiser,
    }
    settings = PipelineSettings.for_language(language, **{k: v for k, v in chosen.items() if v is not None})
    settings.validate()
    # The clip is decoded by a forked child while the pipeline's libraries load (0.8-1 s
    # on one core; scipy.signal most of it), with the very samples the pipeline would decode.
    with EarlyDecode(input_path, max_seconds=settings.max_duration_s, up_to_s=ON_DISK_AFTER_S) as early:
        from workbench.audio.pipeline import process_file

        result = process_file(input_path, out, language=language, settings=settings, early_decode=early)
    report = result.report
    cuts = report["segments"]["long_pause_splits"]
    typer.echo(f"{len(result.segments)} segments{f' ({cuts} cut at long pauses)' if cuts else ''}, "
               f"{report['segments']['speech_seconds']:.1f} s of speech "
               f"in {report['input']['duration']:.1f} s; loudness {report['loudness']['after_lufs']} LUFS, "
               f"denoised: {'yes, by the ' + report['denoise']['method'] if report['denoise']['applied'] else 'no'} ({report['denoise']['reason']})")
    enhancer = report["denoise"]["enhancer"]
    typer.echo(f"learnt enhancer: {'kept' if enhancer.get('kept') else 'not kept' if enhancer['used'] else 'not used'} ({enhancer['reason']})")
    opinion = report["segments"]["second_opinion"]
    typer.echo(f"second opinion: Silero heard {opinion['seconds_heard']:.1f} s, dropped {opinion['dropped']}, split {opinion['splits']}"
               if opinion["used"] else f"second opinion: not used ({opinion['reason']})")
    if "note" in report:
        typer.echo(report["note"])
    typer.echo(f"wrote {result.out_dir}")
