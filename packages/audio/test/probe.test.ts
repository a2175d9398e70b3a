import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import {
  AudioValidationError,
  decodeToMonoFloat,
  decodeToWavFile,
  decodeWav,
  FfmpegError,
  probeAudioFile,
  sniffAudioContainer,
  type AudioContainer,
  type AudioValidationReason,
} from '../src/index';
import { channelsFromLayout } from '../src/ffmpeg';
import { ffmpeg, tempDir, truncateCopy } from './support/ffmpeg';
import { rng } from './support/signals';

const dir = tempDir('probe-test-');
const f = dir.path;

/** Complete fixtures: name -> [container, sample rate, channels]. */
const COMPLETE: Record<string, [AudioContainer, number, number]> = {
  'tone.wav': ['wav', 44100, 2],
  'tone.mp3': ['mp3', 44100, 2],
  'tone.flac': ['flac', 44100, 2],
  'tone.m4a': ['m4a', 44100, 2],
  'tone.ogg': ['ogg', 44100, 2],
  'tone.opus': ['ogg', 48000, 2],
  'noise-streamed.mp3': ['mp3', 48000, 1],
  'noise-faststart.m4a': ['m4a', 48000, 1],
  'noise-streamed.wav': ['wav', 48000, 1],
};

before(() => {
  ffmpeg('-f', 'lavfi', '-i', 'aevalsrc=0.5*sin(2*PI*440*t)|0.5*sin(2*PI*440*t):s=44100:d=3', f('tone.wav'));
  for (const ext of ['mp3', 'flac', 'm4a', 'ogg', 'opus']) ffmpeg('-i', f('tone.wav'), f(`tone.${ext}`));
  ffmpeg('-f', 'lavfi', '-i', 'anoisesrc=d=3:c=pink:r=48000:a=0.3', f('noise.wav'));
  // Written to a pipe: no Xing/Info header, so only the frame walk can see a cut.
  writeFileSync(f('noise-streamed.mp3'), ffmpeg('-i', f('noise.wav'), '-f', 'mp3', '-'));
  // Written to a pipe: RIFF and data sizes are 0xFFFFFFFF.
  writeFileSync(f('noise-streamed.wav'), ffmpeg('-i', f('noise.wav'), '-f', 'wav', '-'));
  ffmpeg('-i', f('noise.wav'), '-movflags', '+faststart', f('noise-faststart.m4a'));
  ffmpeg('-i', f('noise.wav'), '-c:a', 'libopus', '-f', 'ogg', f('noise.ogg'));
  ffmpeg('-i', f('tone.wav'), f('tone.aiff'));
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=d=1:s=64x64', '-c:v', 'mpeg4', f('video-only.mp4'));
  ffmpeg('-f', 'lavfi', '-i', 'aevalsrc=0.5*sin(2*PI*440*t)|-0.5*sin(2*PI*440*t):s=44100:d=1', f('opposed.wav'));
});
after(() => dir.dispose());

async function rejection(path: string, options?: { maxDurationSeconds?: number }): Promise<AudioValidationError> {
  try {
    await probeAudioFile(path, options);
  } catch (err) {
    assert.ok(err instanceof AudioValidationError, `expected AudioValidationError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${path} was accepted`);
}

async function assertRejected(path: string, reason: AudioValidationReason): Promise<void> {
  const err = await rejection(path);
  assert.equal(err.reason, reason, `${path}: ${err.message}`);
  assert.equal(err.code, 'InvalidAudio');
  assert.ok(err.message.length > 20 && !err.message.includes(f('')), `unhelpful message: ${err.message}`);
}

describe('sniffAudioContainer', () => {
  it('recognises every supported container from its first bytes', () => {
    for (const [name, [container]] of Object.entries(COMPLETE)) {
      assert.equal(sniffAudioContainer(readFileSync(f(name)).subarray(0, 4096)), container, name);
    }
  });

  it('rejects text, images, random bytes and formats we do not accept', () => {
    const random = Buffer.alloc(4096);
    const rand = rng(3);
    for (let i = 0; i < random.length; i++) random[i] = Math.floor(rand() * 256);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    for (const head of [Buffer.from('{"not":"audio"}'), png, random, Buffer.alloc(64), readFileSync(f('tone.aiff'))]) {
      assert.equal(sniffAudioContainer(head), undefined);
    }
  });
});

describe('probeAudioFile', () => {
  it('accepts complete files in every container and reports decoded duration, rate and channels', async () => {
    for (const [name, [container, sampleRate, channels]] of Object.entries(COMPLETE)) {
      const probe = await probeAudioFile(f(name));
      assert.equal(probe.container, container, name);
      assert.equal(probe.sampleRate, sampleRate, name);
      assert.equal(probe.channels, channels, name);
      // Codecs add up to a frame of priming/padding; anything near 3 s is the whole file.
      assert.ok(Math.abs(probe.durationMs - 3000) < 60, `${name}: ${probe.durationMs} ms`);
    }
  });

  it('identifies the container by content, not by file name', async () => {
    copyFileSync(f('tone.flac'), f('actually-flac.mp3'));
    assert.equal((await probeAudioFile(f('actually-flac.mp3'))).container, 'flac');
  });

  it('rejects a WAV cut to half length (data chunk claims more bytes than exist)', async () => {
    truncateCopy(f('tone.wav'), f('half.wav'));
    const err = await rejection(f('half.wav'));
    assert.equal(err.reason, 'truncated');
    assert.match(err.message, /WAV/);
  });

  it('rejects MP3, FLAC, OGG Vorbis, Opus and M4A files cut in half', async () => {
    const sources = ['tone.mp3', 'noise-streamed.mp3', 'tone.flac', 'tone.ogg', 'tone.opus', 'noise.ogg'];
    sources.push('tone.m4a', 'noise-faststart.m4a');
    for (const source of sources) {
      // Odd offsets too, so cuts land inside frames/pages rather than on boundaries.
      for (const fraction of [0.5, 0.61]) {
        const target = f(`cut-${fraction}-${source}`);
        truncateCopy(f(source), target, fraction);
        await assertRejected(target, 'truncated');
      }
    }
  });

  it('rejects an empty file, non-audio content and unsupported audio formats with distinct reasons', async () => {
    writeFileSync(f('empty.wav'), Buffer.alloc(0));
    await assertRejected(f('empty.wav'), 'empty');
    writeFileSync(f('notes.mp3'), 'These are meeting notes, not audio. '.repeat(50));
    await assertRejected(f('notes.mp3'), 'not_audio');
    await assertRejected(f('tone.aiff'), 'unsupported_format');
  });

  it('rejects a media file without an audio stream', async () => {
    await assertRejected(f('video-only.mp4'), 'no_audio_stream');
  });

  it('rejects files longer than maxDurationSeconds and accepts them under the limit', async () => {
    const err = await rejection(f('tone.flac'), { maxDurationSeconds: 2 });
    assert.equal(err.reason, 'too_long');
    assert.match(err.message, /maximum is 2 s/);
    // Streamed WAV has no trustworthy header duration, so the decode bound must catch it.
    assert.equal((await rejection(f('noise-streamed.wav'), { maxDurationSeconds: 1 })).reason, 'too_long');
    assert.equal((await probeAudioFile(f('tone.flac'), { maxDurationSeconds: 4 })).container, 'flac');
  });

  it('rejects more than 8 channels, which the mono downmix cannot map, in linear and ffmpeg-decoded WAV', async () => {
    const tones = (count: number) => Array.from({ length: count }, () => '0.3*sin(2*PI*440*t)').join('|');
    ffmpeg('-f', 'lavfi', '-i', `aevalsrc=${tones(8)}:s=16000:d=1`, f('eight.wav'));
    ffmpeg('-f', 'lavfi', '-i', `aevalsrc=${tones(9)}:s=16000:d=1`, f('nine.wav'));
    ffmpeg('-i', f('nine.wav'), '-c:a', 'pcm_mulaw', f('nine-mulaw.wav'));
    assert.equal((await probeAudioFile(f('eight.wav'))).channels, 8);
    for (const name of ['nine.wav', 'nine-mulaw.wav']) {
      await assertRejected(f(name), 'too_many_channels');
      assert.match((await rejection(f(name))).message, /has 9 channels; at most 8 are supported/);
    }
  });

  it('counts channels in every ffmpeg layout notation', () => {
    const cases: [string, number][] = [
      ['mono', 1],
      ['stereo', 2],
      ['5.1(side)', 6],
      ['7.1', 8],
      ['quad', 4],
      ['3 channels', 3],
      ['2.1', 3],
    ];
    for (const [layout, channels] of cases) assert.equal(channelsFromLayout(layout), channels, layout);
  });

  it('stops ffmpeg when the abort signal fires', async () => {
    await assert.rejects(probeAudioFile(f('tone.wav'), { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });
});

describe('decodeToMonoFloat / decodeToWavFile', () => {
  it('resamples to the requested rate and averages identical stereo channels without gain change', async () => {
    const samples = await decodeToMonoFloat(f('tone.m4a'), 16000);
    assert.ok(Math.abs(samples.length - 48000) < 1100, `length ${samples.length}`);
    const middle = samples.subarray(8000, 40000);
    const peak = middle.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    // Both channels carry 0.5 * sin: an average keeps 0.5 (ffmpeg's default matrix would give 0.707).
    assert.ok(Math.abs(peak - 0.5) < 0.01, `peak ${peak}`);
    let crossings = 0;
    for (let i = 1; i < middle.length; i++) if ((middle[i - 1] ?? 0) < 0 && (middle[i] ?? 0) >= 0) crossings++;
    assert.ok(Math.abs(crossings - 880) <= 2, `crossings ${crossings}`); // 440 Hz over 2 s
  });

  it('mixes opposite-polarity channels to silence', async () => {
    const samples = await decodeToMonoFloat(f('opposed.wav'), 44100);
    assert.ok(samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0) < 1e-4);
  });

  it('writes a mono 16-bit WAV that decodeWav reads back', async () => {
    await decodeToWavFile(f('tone.ogg'), f('converted.wav'), 22050);
    const decoded = decodeWav(readFileSync(f('converted.wav')));
    assert.equal(decoded.sampleRate, 22050);
    assert.equal(decoded.channels, 1);
    assert.ok(Math.abs(decoded.samples.length - 3 * 22050) < 600);
  });

  it('reports ffmpeg failures as FfmpegError', async () => {
    writeFileSync(f('garbage.bin'), 'garbage');
    await assert.rejects(decodeToMonoFloat(f('garbage.bin'), 16000), FfmpegError);
  });
});
