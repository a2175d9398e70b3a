import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { SpeechEngineUnavailableError } from './types';

/**
 * The sidecar: loads the CTranslate2 Whisper model once with faster-whisper, then answers one JSON line per
 * request line. Kept as a string so it ships inside the compiled package without a copy step.
 */
const SIDECAR_SOURCE = String.raw`
import json, sys
try:
    import numpy as np
    from faster_whisper import WhisperModel
except ImportError as error:
    print(json.dumps({"ready": False, "error": "missing Python package: %s" % error}), flush=True)
    sys.exit(3)
model_dir, threads, compute_type = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    model = WhisperModel(model_dir, device="cpu", compute_type=compute_type, cpu_threads=threads)
except Exception as error:
    print(json.dumps({"ready": False, "error": "cannot load %s: %s" % (model_dir, error)}), flush=True)
    sys.exit(4)
print(json.dumps({"ready": True, "multilingual": bool(model.model.is_multilingual)}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    try:
        audio = np.fromfile(request["audio"], dtype=np.float32)
        # Long inputs come gated by the caller's own VAD, in windows of up to two minutes cut at pauses (a second
        # VAD pass here measured slower); a short file comes whole and is gated here ("vad"). Conditioning on
        # previous text is off because it lets one hallucination propagate through a long file.
        segments, info = model.transcribe(
            audio,
            language=request.get("language"),
            task=request.get("task") or "transcribe",
            beam_size=request.get("beam", 5),
            word_timestamps=True,
            vad_filter=bool(request.get("vad")),
            condition_on_previous_text=False,
        )
        out = []
        for s in segments:
            words = [{"word": w.word, "start": w.start, "end": w.end, "p": w.probability} for w in (s.words or [])]
            out.append({"start": s.start, "end": s.end, "text": s.text, "words": words,
                        "no_speech": s.no_speech_prob})
        speech = info.duration_after_vad if info.duration_after_vad is not None else info.duration
        print(json.dumps({"ok": True, "language": info.language, "segments": out, "speech": speech}), flush=True)
    except Exception as error:
        print(json.dumps({"ok": False, "error": str(error)}), flush=True)
`;

/** Words and segments as faster-whisper reports them, times relative to the chunk. */
export interface SidecarSegment {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly no_speech: number;
  readonly words: ReadonlyArray<{ word: string; start: number; end: number; p: number }>;
}

interface SidecarReply {
  readonly ok?: boolean;
  readonly ready?: boolean;
  readonly error?: string;
  readonly language?: string;
  readonly multilingual?: boolean;
  readonly segments?: SidecarSegment[];
  /** Seconds of audio Whisper decoded: all of it, or what the sidecar's VAD kept. */
  readonly speech?: number;
}

/** Options for starting a Whisper sidecar. */
export interface WhisperSidecarOptions {
  /** Python interpreter with `faster-whisper` installed. */
  readonly python: string;
  /** CTranslate2 model directory (model.bin, config.json, tokenizer.json, vocabulary.txt). */
  readonly modelDir: string;
  readonly threads: number;
  /** int8 quantises the fp16 weights at load: about 2x faster on CPU for a negligible accuracy loss. */
  readonly computeType?: 'int8' | 'float32';
}

/** One long-lived Python process holding a Whisper model; requests are served one at a time. */
export class WhisperSidecar {
  private readonly lines: AsyncIterator<string>;
  private queue: Promise<unknown> = Promise.resolve();
  private exited = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly reader: Interface,
    private readonly tmp: string,
    readonly multilingual: boolean,
    lines: AsyncIterator<string>,
  ) {
    this.lines = lines;
    child.once('exit', () => {
      this.exited = true;
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  static async start(options: WhisperSidecarOptions): Promise<WhisperSidecar> {
    const child = spawn(
      options.python,
      ['-c', SIDECAR_SOURCE, options.modelDir, String(options.threads), options.computeType ?? 'int8'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const stderr: string[] = [];
    child.stderr.on('data', (b: Buffer) => {
      stderr.push(b.toString('utf8'));
      if (stderr.length > 50) stderr.shift();
    });
    const [spawnError] = await Promise.race([
      once(child, 'spawn').then(() => [undefined] as const),
      once(child, 'error') as Promise<[NodeJS.ErrnoException]>,
    ]);
    if (spawnError) {
      throw new SpeechEngineUnavailableError(
        `Cannot start Python (${options.python}) for Whisper: ${spawnError.message}. ` +
          'Install python3 and `pip install faster-whisper==1.2.1` (or set the engine pythonPath).',
      );
    }
    const reader = createInterface({ input: child.stdout });
    const lines = reader[Symbol.asyncIterator]();
    const first = await lines.next();
    const hello = first.done ? undefined : (JSON.parse(first.value) as SidecarReply);
    if (!hello?.ready) {
      child.kill();
      throw new SpeechEngineUnavailableError(
        `Whisper sidecar failed to start: ${hello?.error ?? stderr.join('').slice(-500)}. ` +
          'It needs `pip install faster-whisper==1.2.1` in the interpreter given as pythonPath.',
      );
    }
    const tmp = await mkdtemp(path.join(tmpdir(), 'whisper-'));
    return new WhisperSidecar(child, reader, tmp, hello.multilingual === true, lines);
  }

  /**
   * Transcribes 16 kHz mono audio; `language` undefined lets Whisper detect it. `translate` is Whisper's own task:
   * the text comes out in English, whatever was spoken (multilingual models only).
   */
  transcribe(
    samples: Float32Array,
    language: string | undefined,
    beam: number,
    task: 'transcribe' | 'translate' = 'transcribe',
    vad = false,
  ): Promise<{ language: string; segments: SidecarSegment[]; speechSeconds: number }> {
    const run = this.queue.then(async () => {
      if (this.exited) throw new Error('Whisper sidecar has exited');
      // Audio goes through a temp file (a whole input of up to 120 s is under 8 MB): it keeps the pipe protocol
      // line-based.
      const file = path.join(this.tmp, 'chunk.f32');
      await writeFile(file, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
      this.child.stdin.write(`${JSON.stringify({ audio: file, language: language ?? null, beam, task, vad })}\n`);
      const next = await this.lines.next();
      if (next.done) throw new Error('Whisper sidecar exited mid-request');
      const reply = JSON.parse(next.value) as SidecarReply;
      if (!reply.ok) throw new Error(`Whisper failed: ${reply.error ?? 'unknown error'}`);
      return {
        language: reply.language ?? language ?? 'en',
        segments: reply.segments ?? [],
        speechSeconds: reply.speech ?? samples.length / 16_000,
      };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the process (used on unload and to abandon a request on cancellation). */
  async dispose(): Promise<void> {
    this.reader.close();
    if (!this.exited) {
      this.child.kill();
      await once(this.child, 'exit').catch(() => undefined);
    }
    await rm(this.tmp, { recursive: true, force: true });
  }
}
