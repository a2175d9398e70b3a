import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { OpenAPIObject } from '@nestjs/swagger';
import Ajv from 'ajv';
import { getCreditSummary, getJobById, markJobCompleted, markJobRunning } from '@voice/db';
import type { JobResult } from '@voice/shared';
import type { LocalStorage } from '@voice/storage';
import { FakePipelineClient } from './helpers/fake-pipeline-client';
import { tempLocalStorage } from './helpers/local-storage';
import { toneWav } from './helpers/tone';
import { registerUser, request, startTestApi, type TestApi } from './helpers/test-api';

/**
 * What the job page plays and reads: the free link to a job's own input, and the `result` of a job's status
 * as the OpenAPI document (and so the web app's generated types) describes it.
 */
describe('job media: the input link and the documented result', () => {
  let api: TestApi;
  let storage: LocalStorage;
  let storageDir: string;
  let document: OpenAPIObject;
  const pipeline = new FakePipelineClient();

  before(async () => {
    ({ storage, dir: storageDir } = await tempLocalStorage('job-media', 'a-signing-secret-for-job-media'));
    api = await startTestApi({
      deps: { storage, pipelineClient: pipeline, signingSecret: 'a-signing-secret-for-job-media' },
    });
    document = (await request<OpenAPIObject>(api, 'GET', '/api/docs-json')).body;
  });
  after(async () => {
    await api?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  const upload = async (token: string, urlPath: string, wav: Buffer, filename = 'take-1.wav') => {
    const form = new FormData();
    form.append('audio_file', new Blob([wav], { type: 'audio/wav' }), filename);
    const response = await fetch(`${api.baseUrl}${urlPath}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    assert.equal(response.status, 202, await response.clone().text());
    return ((await response.json()) as { jobId: string }).jobId;
  };
  /** A signed link followed on this test's API (the test storage signs links for a port-less base URL). */
  const follow = (signedUrl: string) => {
    const { pathname, search } = new URL(signedUrl);
    return fetch(`${api.baseUrl}${pathname}${search}`);
  };

  test("the owner's upload plays back through a signed link, free of charge, while running and once done", async () => {
    const { accessToken: token, response } = await registerUser(api);
    const userId = response.body.user.id;
    const wav = toneWav(2, 330);
    const jobId = await upload(token, '/api/audio/denoise', wav);
    const balance = (await getCreditSummary(api.database.db, userId)).balance;

    await markJobRunning(api.database.db, jobId, new Date());
    const running = await request<Record<string, unknown>>(api, 'GET', `/api/jobs/${jobId}/input`, { token });
    assert.equal(running.status, 200, JSON.stringify(running.body));
    assert.equal(running.body['filename'], 'take-1.wav');
    assert.equal(running.body['format'], 'wav');
    assert.equal(running.body['durationMs'], 2000);
    assert.ok(Date.parse(running.body['expiresAt'] as string) > Date.now());
    const served = await follow(running.body['url'] as string);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'audio/wav');
    assert.equal(served.headers.get('content-disposition'), null, 'played inline, not handed out as an attachment');
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), wav, 'the exact bytes that were uploaded');

    const keys = { outputKey: `jobs/${jobId}/output.wav` };
    await storage.putBuffer(keys.outputKey, toneWav(2, 660), 'audio/wav');
    await markJobCompleted(api.database.db, jobId, {
      ...keys,
      outputDurationMs: 2000,
      result: { models: [], input: { source: 'none' }, output: { words: 0 }, steps: [] },
      at: new Date(),
    });
    const done = await request<Record<string, unknown>>(api, 'GET', `/api/jobs/${jobId}/input`, { token });
    assert.equal(done.status, 200);
    assert.equal((await getJobById(api.database.db, jobId))?.chargedAt, null, 'playing the input charges nothing');
    assert.equal((await getCreditSummary(api.database.db, userId)).balance, balance);
  });

  test("someone else's job and a job made from text have no input to play; without a token, 401", async () => {
    const owner = await registerUser(api);
    const stranger = await registerUser(api);
    const jobId = await upload(owner.accessToken, '/api/audio/stt', toneWav(1));
    const foreign = await request<{ error: { code: string } }>(api, 'GET', `/api/jobs/${jobId}/input`, {
      token: stranger.accessToken,
    });
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'JOB_NOT_FOUND');

    const tts = await request<{ jobId: string }>(api, 'POST', '/api/audio/tts', {
      token: owner.accessToken,
      body: { text: 'Hello there.' },
    });
    assert.equal(tts.status, 202, JSON.stringify(tts.body));
    const fromText = await request<{ error: { code: string } }>(api, 'GET', `/api/jobs/${tts.body.jobId}/input`, {
      token: owner.accessToken,
    });
    assert.equal(fromText.status, 404);
    assert.equal(fromText.body.error.code, 'NO_INPUT_AUDIO');

    assert.equal((await request(api, 'GET', `/api/jobs/${jobId}/input`)).status, 401);
  });

  test('an upload in another container is served with its own audio type, so a browser knows it can play it', async () => {
    const key = 'jobs/00000000-0000-4000-8000-000000000000/input.mp3';
    await storage.putBuffer(key, Buffer.from([0xff, 0xfb, 0x90, 0x00]), 'audio/mpeg');
    const served = await follow((await storage.signedDownloadUrl(key)).url);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'audio/mpeg');
  });

  test('every result shape, before and after the charge, is exactly what JobStatusDto documents', async () => {
    const validate = strictValidator(document, 'JobStatusDto');
    const { accessToken: token } = await registerUser(api);
    let checked = 0;
    for (const [name, result] of Object.entries(RESULTS)) {
      const jobId = await upload(token, '/api/audio/denoise', toneWav(1));
      await markJobRunning(api.database.db, jobId, new Date());
      await storage.putBuffer(`jobs/${jobId}/output.wav`, toneWav(1), 'audio/wav');
      await markJobCompleted(api.database.db, jobId, {
        outputKey: `jobs/${jobId}/output.wav`,
        outputDurationMs: 1000,
        result: result(jobId),
        at: new Date(),
      });
      for (const stage of ['unpaid', 'paid'] as const) {
        if (stage === 'paid') {
          const download = await request(api, 'POST', `/api/audio/download/${jobId}`, { token });
          assert.equal(download.status, 200, JSON.stringify(download.body));
          assert.ok(strictValidator(document, 'DownloadDto')(download.body), `${name}: DownloadDto`);
        }
        const status = await request<Record<string, unknown>>(api, 'GET', `/api/jobs/${jobId}/status`, { token });
        assert.ok(status.body['result'], `${name} has a result`);
        assert.ok(validate(status.body), `${name} (${stage}): ${JSON.stringify(validate.errors)}`);
        checked += 1;
      }
    }
    assert.equal(checked, Object.keys(RESULTS).length * 2);

    // The validator is strict: a field the document does not describe fails it.
    const stray = await request<Record<string, unknown>>(api, 'GET', '/api/jobs/history', { token });
    const [item] = (stray.body['items'] as Array<Record<string, unknown>>) ?? [];
    assert.ok(validate(item));
    assert.equal(validate({ ...item, result: { ...(item?.['result'] as object), storageKey: 'x' } }), false);
  });
});

const transcript = (jobId: string, step: number) => ({
  transcriptKey: `jobs/${jobId}/transcript-0${step}.json`,
  srtKey: `jobs/${jobId}/transcript-0${step}.srt`,
  vttKey: `jobs/${jobId}/transcript-0${step}.vtt`,
  modelId: 'whisper-base',
  language: 'en',
  wordCount: 4,
  preview: 'open the window please',
});
const measuredInput = (jobId: string) => ({
  workKey: `jobs/${jobId}/work/00-preprocess.wav`,
  durationMs: 1000,
  sampleRate: 48_000,
  container: 'wav',
  originalSampleRate: 16_000,
  channels: 1,
  integratedLufs: -23.4,
  peakDbfs: -6,
  truePeakDbtp: null,
});
const quality = (jobId: string) => ({
  outputKey: `jobs/${jobId}/output.wav`,
  durationMs: 1000,
  integratedLufs: -16,
  truePeakDbtp: -1.2,
  peakDbfs: -1.5,
  targetLufs: -16,
});

/** One of each shape the pipeline records, with every optional part present somewhere. */
const RESULTS: Record<string, (jobId: string) => JobResult> = {
  denoise: (jobId) => ({
    models: [{ op: 'denoise', model: 'deepfilternet3' }],
    input: measuredInput(jobId),
    output: quality(jobId),
    steps: [{ index: 0, op: 'denoise', state: 'completed', progress: 100, weight: 1 }],
  }),
  sttOnly: (jobId) => ({
    models: [{ op: 'stt', model: 'whisper-base' }],
    input: measuredInput(jobId),
    output: { words: 4 },
    transcript: transcript(jobId, 1),
    steps: [],
  }),
  tts: (jobId) => ({
    models: [{ op: 'tts', model: 'piper-amy' }],
    input: { source: 'text' },
    output: { ...quality(jobId), intelligibility: { wordErrorRate: 0, recognizer: 'whisper-base', heard: 'hello' } },
    steps: [],
  }),
  editedAndConverted: (jobId) => ({
    models: [{ op: 'voice_clone', model: 'dsp-voice-conversion' }],
    input: measuredInput(jobId),
    output: quality(jobId),
    edits: [{ type: 'mute_word', detail: 'bleeped "darn" twice' }],
    voiceConversion: [{ method: 'pitch+eq', applied: { semitones: 2.5, bands: [1, 2] }, target: 'Ada' }],
    steps: [],
  }),
  dub: (jobId) => ({
    models: [{ op: 'dub', model: 'apertium-en-es' }],
    input: measuredInput(jobId),
    output: quality(jobId),
    revoiced: [
      {
        op: 'dub',
        source: transcript(jobId, 1),
        outputKey: `jobs/${jobId}/work/01-dub.wav`,
        scriptKey: `jobs/${jobId}/script-01.json`,
        language: 'es',
        lines: 1,
        preview: 'abre la ventana por favor',
        methods: { translation: 'apertium', speech: 'piper', background: 'spectral' },
      },
    ],
    steps: [],
  }),
};

/**
 * A validator for one component of the document that also refuses fields it does not describe (objects get
 * `additionalProperties: false` unless they declare their own), so "documented" means "exactly this shape".
 */
function strictValidator(document: OpenAPIObject, name: string) {
  const closed = (schema: unknown): unknown => {
    if (Array.isArray(schema)) return schema.map(closed);
    if (typeof schema !== 'object' || schema === null) return schema;
    const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closed(value)]));
    if ('properties' in copy && !('additionalProperties' in copy)) copy['additionalProperties'] = false;
    return copy;
  };
  // strict: false lets OpenAPI's annotations (example, discriminator) through; formats are not what is checked.
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'openapi', components: closed(document.components) });
  return ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
}
