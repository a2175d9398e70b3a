import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeToMonoFloat, decodeWav } from '@voice/audio';
import { analyzeVoice } from '@voice/voice-dsp';

import type { VoiceAnalysisOutcome, VoiceAnalysisRequest } from '../src/voices/voice-analysis';
import {
  VoiceAnalysisBusyError,
  VoiceAnalysisClosedError,
  VoiceAnalysisPool,
  VoiceAnalysisTimeoutError,
} from '../src/voices/voice-analysis-pool';
import { voicedWav } from './helpers/voice-fixture';

/** The real thread entry (dist/src/voices/voice-analysis.thread.js), real files, real DSP. */
describe('VoiceAnalysisPool', () => {
  let dir: string;
  const file = async (name: string, bytes: Buffer) => {
    const filePath = path.join(dir, name);
    await writeFile(filePath, bytes);
    return filePath;
  };
  const request = (filePath: string): VoiceAnalysisRequest => ({ filePath, minSeconds: 1, maxSeconds: 30 });
  const characteristicsOf = (outcome: VoiceAnalysisOutcome) => {
    assert.ok(outcome.ok, JSON.stringify(outcome));
    return outcome.characteristics;
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'voice-pool-test-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('a thread measures exactly what the same analysis measures in-process, and matches the old ffmpeg path', async () => {
    const bytes = voicedWav(6, { f0Hz: 130 });
    const samplePath = await file('mono.wav', bytes);
    const pool = new VoiceAnalysisPool({ threads: 1, maxQueued: 0 });
    try {
      const outcome = await pool.analyze(request(samplePath));
      const { samples, sampleRate } = decodeWav(bytes);
      assert.deepEqual(characteristicsOf(outcome), analyzeVoice(samples, sampleRate));
      assert.ok(outcome.ok && outcome.probe.container === 'wav' && Math.abs(outcome.probe.durationMs - 6000) <= 1);
      // What the API computed before the pool: ffmpeg decode to 16 kHz, then the same analysis.
      const before = analyzeVoice(await decodeToMonoFloat(samplePath, 16_000), 16_000);
      const pitch = characteristicsOf(outcome).pitch.medianHz;
      assert.ok(
        Math.abs(pitch - before.pitch.medianHz) / before.pitch.medianHz < 0.005,
        `${pitch} vs ${before.pitch.medianHz}`,
      );
      assert.ok(Math.abs(pitch - 130) / 130 < 0.1, `median f0 ${pitch} Hz for a 130 Hz voice`);
    } finally {
      await pool.close();
    }
  });

  test('a 44.1 kHz stereo WAV is mixed down and resampled in the thread', async () => {
    const pool = new VoiceAnalysisPool({ threads: 1, maxQueued: 0 });
    try {
      const outcome = await pool.analyze(
        request(await file('stereo.wav', voicedWav(4, { sampleRate: 44_100, channels: 2 }))),
      );
      const characteristics = characteristicsOf(outcome);
      assert.ok(outcome.ok && outcome.probe.channels === 2 && outcome.probe.sampleRate === 44_100);
      assert.ok(Math.abs(characteristics.durationSeconds - 4) < 0.01);
      assert.ok(Math.abs(characteristics.pitch.medianHz - 120) / 120 < 0.1, `${characteristics.pitch.medianHz} Hz`);
    } finally {
      await pool.close();
    }
  });

  test('unusable samples come back as typed rejections, the too-long one from the header alone', async () => {
    const pool = new VoiceAnalysisPool({ threads: 2, maxQueued: 4 });
    try {
      const [notAudio, short, long, silent] = await Promise.all([
        pool.analyze(request(await file('text.wav', Buffer.from('not a voice sample '.repeat(200))))),
        pool.analyze(request(await file('short.wav', voicedWav(0.5)))),
        pool.analyze(request(await file('long.wav', voicedWav(31)))),
        pool.analyze(request(await file('silent.wav', voicedWav(3, { f0Hz: 0 })))),
      ]);
      assert.deepEqual(notAudio.ok ? undefined : notAudio.rejection.kind, 'invalid_audio');
      assert.equal(
        !notAudio.ok && notAudio.rejection.kind === 'invalid_audio' && notAudio.rejection.reason,
        'not_audio',
      );
      assert.deepEqual(short, { ok: false, rejection: { kind: 'too_short', seconds: 0.5 } });
      assert.equal(!long.ok && long.rejection.kind === 'invalid_audio' && long.rejection.reason, 'too_long');
      assert.equal(!silent.ok && silent.rejection.kind, 'unanalysable');
    } finally {
      await pool.close();
    }
  });

  test('when every thread is busy and the queue is full it refuses at once with a Retry-After, then accepts again', async () => {
    const pool = new VoiceAnalysisPool({ threads: 1, maxQueued: 1 });
    try {
      const samplePath = await file('busy.wav', voicedWav(2));
      const running = pool.analyze(request(samplePath));
      const queued = pool.analyze(request(samplePath));
      assert.deepEqual(pool.load, { running: 1, queued: 1 });
      const refused = await pool.analyze(request(samplePath)).then(
        () => assert.fail('a third task must not be accepted'),
        (error: unknown) => error,
      );
      assert.ok(refused instanceof VoiceAnalysisBusyError);
      assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60, String(refused.retryAfterSeconds));
      characteristicsOf(await running);
      characteristicsOf(await queued);
      assert.deepEqual(pool.load, { running: 0, queued: 0 });
      characteristicsOf(await pool.analyze(request(samplePath)));
    } finally {
      await pool.close();
    }
  });

  test('a task past its deadline rejects and frees its slot; close rejects what waits and refuses new work', async () => {
    const samplePath = await file('slow.wav', voicedWav(20));
    const hurried = new VoiceAnalysisPool({ threads: 1, maxQueued: 1, taskTimeoutMs: 1 });
    const first = hurried.analyze(request(samplePath));
    const second = hurried.analyze(request(samplePath));
    await assert.rejects(first, VoiceAnalysisTimeoutError);
    await assert.rejects(second, VoiceAnalysisTimeoutError, 'the queued task ran on a fresh thread, and timed out too');
    assert.deepEqual(hurried.load, { running: 0, queued: 0 });
    await hurried.close();

    const pool = new VoiceAnalysisPool({ threads: 1, maxQueued: 1 });
    const running = pool.analyze(request(samplePath));
    const waiting = pool.analyze(request(samplePath));
    // Handlers first: close() rejects both before it returns.
    const rejected = Promise.all([
      assert.rejects(running, VoiceAnalysisClosedError),
      assert.rejects(waiting, VoiceAnalysisClosedError),
    ]);
    await pool.close();
    await rejected;
    await assert.rejects(pool.analyze(request(samplePath)), VoiceAnalysisClosedError);
  });
});
