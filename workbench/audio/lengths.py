"""What a file says about the length of its audio, and what it only seems to say.

Two uses: a declared length over the limit is refused before decoding (``io.decode_chunks``),
and a file whose audio ends well before its declared length is truncated (an interrupted
upload). Both need a length the file records, not one FFmpeg guesses:

- a PCM WAV header's data size (FFmpeg clamps its own reading to the file's size). A
  compressed WAV's byte rate is not to be trusted: FFmpeg writes a stereo IMA ADPCM file's as
  a third of the truth, so a complete 60 s file "declared" 362.5 s;
- the audio stream's own duration: MP4's track header, FLAC's STREAMINFO, an MP3's Xing,
  Info or VBRI header (its frame count);
- in a Matroska or WebM file holding the audio alone, the file's duration: Matroska records
  one for the whole file, written when the file is finished, and none per track. With a
  video track it is the longer track's, so it says nothing about the audio.

AVI's headers count loosely: a complete 10-minute 16 kHz PCM track, written by the ffmpeg
program, declares 621.1 s, so AVI records nothing here either.

Where a file records no length FFmpeg guesses one from the bitrate: raw ADTS AAC never
records one, and an MP3 without a Xing, Info or VBRI header does not. With a variable
bitrate the guess is wrong either way: a 30 s VBR MP3 that starts quietly was guessed at
43.5 s, and a 30 s ADTS file at 487 s, and both were refused as truncated. A guess is no
declaration here: such a file declares no length (0).
"""

from __future__ import annotations

from pathlib import Path

import av

MP3_LENGTH_TAGS = (b"Xing", b"Info", b"VBRI")
# The tags sit in the first frame, at most 2,881 bytes; a little junk may come before it.
MP3_SEARCH_BYTES = 4096


def stream_seconds(stream) -> float:
    """The audio stream's own duration as FFmpeg has it (recorded or guessed), 0 without one."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return 0.0


def declared_seconds(container, stream, path: Path) -> float:
    """What the file declares its audio lasts (the stream's, else the file's), 0 where it
    declares nothing or FFmpeg only guessed."""
    if _guessed(container.format.name, Path(path)):
        return 0.0
    if stream_seconds(stream):
        return stream_seconds(stream)
    return _file_seconds(container)


def recorded_seconds(container, stream, path: Path) -> float:
    """The length a complete file decodes to, for the truncation check; 0 where the file
    records none (see the module's note)."""
    path = Path(path)
    name = container.format.name
    if name == "wav":
        return wav_header_seconds(path) if stream.codec_context.name.startswith("pcm_") else 0.0
    if name == "avi" or _guessed(name, path):
        return 0.0
    if stream_seconds(stream) or name != "matroska,webm" or len(container.streams) != 1:
        return stream_seconds(stream)
    return _file_seconds(container)


def _file_seconds(container) -> float:
    """The whole file's duration as FFmpeg has it, 0 without one."""
    return container.duration / av.time_base if container.duration is not None else 0.0


def _guessed(format_name: str, path: Path) -> bool:
    """Whether FFmpeg guessed the duration from the bitrate (``AVFMT_DURATION_FROM_BITRATE``)."""
    if format_name == "aac":  # raw ADTS: no length anywhere
        return True
    return format_name == "mp3" and not _mp3_length_header(path)


def _mp3_length_header(path: Path) -> bool:
    """Whether the MP3's first frame holds a Xing, Info or VBRI header (after any ID3v2 tag)."""
    with open(path, "rb") as handle:
        head = handle.read(10)
        start = 0
        if len(head) == 10 and head[:3] == b"ID3":
            size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)
            start = 10 + size + (10 if head[5] & 0x10 else 0)  # a footer doubles the header
        handle.seek(start)
        first = handle.read(MP3_SEARCH_BYTES)
    return any(tag in first for tag in MP3_LENGTH_TAGS)


def wav_header_seconds(path: Path) -> float:
    """Duration a RIFF/WAVE header declares (FFmpeg clamps it to the file size); 0 if unknown."""
    with open(path, "rb") as handle:
        if handle.read(12)[8:12] != b"WAVE":
            return 0.0
        byte_rate = 0
        while len(header := handle.read(8)) == 8:
            chunk, size = header[:4], int.from_bytes(header[4:], "little")
            if chunk == b"fmt ":
                byte_rate = int.from_bytes(handle.read(16)[8:12], "little")
                handle.seek(size - 16 + size % 2, 1)
            elif chunk == b"data":
                # 0 and 0xFFFFFFFF mark a header written before the length was known.
                return size / byte_rate if byte_rate and size not in (0, 0xFFFFFFFF) else 0.0
            else:
                handle.seek(size + size % 2, 1)
    return 0.0
