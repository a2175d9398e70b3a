import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { AudioValidationError, decodeWav, encodeWav } from '../src/index';
import { ffmpeg, tempDir } from './support/ffmpeg';
import { noise, sine } from './support/signals';

const isReason =
  (reason: string) =>
  (err: unknown): boolean =>
    err instanceof AudioValidationError && err.reason === reason;

describe('encodeWav / decodeWav', () => {
  it('round-trips pcm16 within half a quantisation step and reports rate and channels', () => {
    const x = noise(22050, 0.5, 0.2);
    const decoded = decodeWav(encodeWav(x, 22050));
    assert.equal(decoded.sampleRate, 22050);
    assert.equal(decoded.channels, 1);
    assert.equal(decoded.samples.length, x.length);
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((decoded.samples[i] ?? 0) - (x[i] ?? 0)));
    assert.ok(worst <= 0.5 / 32768 + 1e-9, `max error ${worst}`);
  });

  it('round-trips float32 exactly, including values beyond full scale', () => {
    const x = Float32Array.from([0, 0.25, -0.75, 1.5, -2, 1e-7]);
    const buf = encodeWav(x, 48000, { format: 'float32' });
    assert.deepEqual(Array.from(decodeWav(buf).samples), Array.from(x));
  });

  it('clamps pcm16 to full scale and writes non-finite samples as zero', () => {
    const x = Float32Array.from([1, -1, 2, -2, Number.NaN, Number.POSITIVE_INFINITY]);
    const buf = encodeWav(x, 8000);
    const data = buf.subarray(44);
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((i) => data.readInt16LE(i * 2)),
      [32767, -32768, 32767, -32768, 0, 0],
    );
  });

  it('throws truncated when the data chunk declares more bytes than the buffer holds', () => {
    const buf = encodeWav(sine(440, 8000, 1, 0.5), 8000);
    assert.throws(() => decodeWav(buf.subarray(0, Math.floor(buf.length / 2))), isReason('truncated'));
    assert.throws(() => decodeWav(buf.subarray(0, 30)), isReason('truncated'));
  });

  it('rejects empty and non-WAV buffers with distinct reasons', () => {
    assert.throws(() => decodeWav(Buffer.alloc(0)), isReason('empty'));
    assert.throws(() => decodeWav(Buffer.from('hello world, not a wav file')), isReason('not_audio'));
  });

  it('rejects compressed WAV codecs as unsupported_format', () => {
    const buf = Buffer.from(encodeWav(sine(440, 8000, 0.1, 0.5), 8000));
    buf.writeUInt16LE(0x0011, 20); // IMA ADPCM
    assert.throws(() => decodeWav(buf), isReason('unsupported_format'));
  });

  describe('files written by ffmpeg', () => {
    const dir = tempDir('wav-test-');
    let reference: Float32Array;
    before(() => {
      // Stereo with different channels, so the mixdown is checked: (L + R) / 2 = 0.3 sin.
      ffmpeg(
        '-f',
        'lavfi',
        '-i',
        'aevalsrc=0.5*sin(2*PI*440*t)|0.1*sin(2*PI*440*t):s=32000:d=0.5',
        dir.path('ref.wav'),
      );
      reference = sine(440, 32000, 0.5, 0.3);
      for (const codec of ['pcm_s16le', 'pcm_s24le', 'pcm_s32le', 'pcm_f32le', 'pcm_f64le', 'pcm_u8']) {
        // ffmpeg writes a LIST chunk before data, exercising unknown-chunk skipping.
        ffmpeg('-i', dir.path('ref.wav'), '-c:a', codec, dir.path(`${codec}.wav`));
      }
      // Extensible format (used by ffmpeg for >2 channels), 24-bit, 3 channels.
      ffmpeg('-i', dir.path('ref.wav'), '-af', 'pan=3.0|c0=c0|c1=c1|c2=0*c0', '-c:a', 'pcm_s24le', dir.path('ext.wav'));
    });
    after(() => dir.dispose());

    for (const [codec, tolerance] of [
      ['pcm_s16le', 1e-4],
      ['pcm_s24le', 1e-4],
      ['pcm_s32le', 1e-4],
      ['pcm_f32le', 1e-4],
      ['pcm_f64le', 1e-4],
      ['pcm_u8', 1e-2],
    ] as const) {
      it(`decodes ${codec} stereo to the average of both channels`, () => {
        const decoded = decodeWav(readFileSync(dir.path(`${codec}.wav`)));
        assert.equal(decoded.sampleRate, 32000);
        assert.equal(decoded.channels, 2);
        assert.equal(decoded.samples.length, reference.length);
        let worst = 0;
        for (let i = 0; i < reference.length; i++) {
          worst = Math.max(worst, Math.abs((decoded.samples[i] ?? 0) - (reference[i] ?? 0)));
        }
        assert.ok(worst < tolerance, `max error ${worst}`);
      });
    }

    it('decodes WAVE_FORMAT_EXTENSIBLE with three channels', () => {
      const bytes = readFileSync(dir.path('ext.wav'));
      assert.equal(bytes.readUInt16LE(20), 0xfffe, 'fixture should use WAVE_FORMAT_EXTENSIBLE');
      const decoded = decodeWav(bytes);
      assert.equal(decoded.channels, 3);
      // (0.5 + 0.1 + 0) / 3 = 0.2
      const peak = decoded.samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assert.ok(Math.abs(peak - 0.2) < 1e-3, `peak ${peak}`);
    });

    it('produces files ffmpeg reads back with the same samples', () => {
      const x = noise(16000, 0.25, 0.1);
      const path = dir.path('ours.wav');
      writeFileSync(path, encodeWav(x, 16000));
      const raw = ffmpeg('-i', path, '-f', 's16le', '-');
      assert.equal(raw.length, x.length * 2);
      for (let i = 0; i < x.length; i += 97) {
        assert.equal(raw.readInt16LE(i * 2), Math.round((x[i] ?? 0) * 32768));
      }
    });
  });
});
