"""Bare faster-whisper on one file, for `npm run bench`: the reference an STT job is measured against.

Same model, compute type, threads and settings as the platform's Whisper sidecar (int8, word timestamps,
no conditioning on previous text), with faster-whisper's own Silero VAD gate standing in for the platform's.
Loads the model once, then times transcription alone (warm, like the platform's long-lived sidecar), and
also reports the cold time: interpreter start to the first transcript, model load included.

Usage: python bare_whisper.py <model_dir> <audio_file> <threads> <runs>   -> one JSON line on stdout
"""
import json
import sys
import time

started = time.perf_counter()
from faster_whisper import WhisperModel  # noqa: E402  (imported after the clock starts: part of the cold time)

model_dir, audio_file, threads, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])


def transcribe(model):
    segments, info = model.transcribe(
        audio_file,
        language="en",
        beam_size=5,
        word_timestamps=True,
        vad_filter=True,
        condition_on_previous_text=False,
    )
    words = sum(len(s.words or []) for s in segments)  # segments are lazy: consuming them does the work
    return words, info.duration


load_started = time.perf_counter()
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
load_seconds = time.perf_counter() - load_started
words, duration = transcribe(model)
cold_seconds = time.perf_counter() - started

warm = []
for _ in range(runs):
    t = time.perf_counter()
    transcribe(model)
    warm.append(time.perf_counter() - t)

print(json.dumps({"cold": cold_seconds, "load": load_seconds, "warm": warm, "words": words, "duration": duration}))
