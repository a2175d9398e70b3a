import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyzeAudio, decodeWav, resample } from '@voice/audio';
import { getCreditSummary, listLedger } from '@voice/db';
import { TRUE_PEAK_CEILING_DBTP, workflowIdForJob } from '@voice/shared';
import { selectModel } from '@voice/models';
import { measureSnrDb, speechToNoiseRatioDb } from '@voice/testkit';
import { ApiClient, makeNoisySpeech, startTestPlatform, type NoisySpeech, type TestPlatform } from '../src';

describe('denoise job end to end over HTTP', { timeout: 240_000 }, () => {
  let platform: TestPlatform;
  let api: ApiClient;
  let userId: string;
  let grant: number;
  let fixture: NoisySpeech;
  let jobId: string;
  const progressSeen: number[] = [];

  before(async () => {
    [platform, fixture] = await Promise.all([startTestPlatform(), makeNoisySpeech({ snrDb: 0, noise: 'white' })]);
    api = platform.api();
    const user = await api.register(`denoise-${Date.now()}@example.com`);
    userId = user.id;
    grant = user.creditsRemaining;
  });
  after(async () => platform?.close());

  test('health reports ok once database, Temporal and both workers are up', async () => {
    const deadline = Date.now() + 30_000;
    let last: Awaited<ReturnType<ApiClient['request']>> | undefined;
    while (Date.now() < deadline) {
      last = await api.request('GET', '/api/health');
      if (last.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(last?.status, 200, last?.text);
    assert.equal(last?.json['status'], 'ok');
  });

  test('a noisy recording is accepted with 202 and a job id', async () => {
    const response = await api.upload('/api/audio/denoise', fixture.wav, 'interview.wav', { noise_level: 'moderate' });
    assert.equal(response.status, 202, response.text);
    jobId = response.json['jobId'] as string;
    assert.match(jobId, /^[0-9a-f-]{36}$/);
  });

  test('the job runs to completion with progress that only moves forward', async () => {
    const final = await api.waitForJob(jobId, {
      onStatus: (status) => progressSeen.push(status['progress'] as number),
    });
    assert.equal(final['status'], 'completed', JSON.stringify(final));
    assert.equal(final['progress'], 100);
    for (let i = 1; i < progressSeen.length; i++) {
      assert.ok(
        (progressSeen[i] ?? 0) >= (progressSeen[i - 1] ?? 0),
        `progress went backwards: ${progressSeen.join(',')}`,
      );
    }
    assert.ok(final['startedAt'] && final['completedAt'], 'job row records its timings');
    assert.ok(Math.abs((final['outputDurationMs'] as number) - fixture.durationSeconds * 1000) < 60);
  });

  test('per-step progress names the stages and the model that ran', async () => {
    const response = await api.request('GET', `/api/jobs/${jobId}/progress`);
    assert.equal(response.status, 200);
    const steps = response.json['steps'] as Array<{ op: string; state: string; model?: string }>;
    assert.deepEqual(
      steps.map((step) => step.op),
      ['preprocess', 'denoise', 'normalize', 'quality', 'settle'],
    );
    assert.ok(steps.every((step) => step.state === 'completed'));
    const best = selectModel({ task: 'denoise' });
    assert.equal(best.kind, 'neural');
    assert.equal(steps[1]?.model, best.id, 'the best installed denoiser is the default');
  });

  test('the workflow is visible to admins by its search attributes, with the job id in its workflow id', async () => {
    const handle = platform.client.workflow.getHandle(workflowIdForJob(jobId));
    // The row is marked completed by the workflow's last activity, a moment before the workflow returns.
    await handle.result();
    const description = await handle.describe();
    assert.ok(description.workflowId.includes(jobId));
    assert.equal(description.status.name, 'COMPLETED');
    const attributes = description.typedSearchAttributes;
    const byName = Object.fromEntries(attributes.getAll().map((pair) => [pair.key.name, pair.value]));
    assert.equal(byName['JobId'], jobId);
    assert.equal(byName['UserId'], userId);
    assert.equal(byName['JobType'], 'denoise');
    assert.equal(byName['JobStatus'], 'completed');
  });

  test('downloading charges the output length once and the audio is cleaner by at least 15 dB', async () => {
    const download = await api.request('POST', `/api/audio/download/${jobId}`);
    assert.equal(download.status, 200, download.text);
    const expectedCharge = Math.ceil(fixture.durationSeconds - 0.0005);
    assert.ok(Math.abs((download.json['creditsCharged'] as number) - expectedCharge) <= 1);
    assert.ok(Date.parse(download.json['expiresAt'] as string) > Date.now());

    const file = await fetch(download.json['url'] as string);
    assert.equal(file.status, 200);
    const { samples, sampleRate } = decodeWav(Buffer.from(await file.arrayBuffer()));
    const output = resample(samples, sampleRate, fixture.sampleRate);

    const options = { sampleRate: fixture.sampleRate };
    const inputSnr = speechToNoiseRatioDb(fixture.clean, fixture.noisy, options);
    const outputSnr = speechToNoiseRatioDb(fixture.clean, output, options);
    // The stricter residual SNR also counts speech damage as error. It stays at 0 dB if the output were
    // silence or the untouched input, so a clear rise shows the speech itself survived.
    const inputResidual = measureSnrDb(fixture.clean, fixture.noisy, options);
    const outputResidual = measureSnrDb(fixture.clean, output, options);
    const report = `speech-to-noise ${inputSnr.toFixed(1)} → ${outputSnr.toFixed(1)} dB, residual SNR ${inputResidual.toFixed(1)} → ${outputResidual.toFixed(1)} dB`;
    assert.ok(outputSnr - inputSnr >= 15, report);
    assert.ok(outputResidual - inputResidual >= 5, report);

    const measured = analyzeAudio(samples, sampleRate);
    assert.ok(Math.abs(measured.integratedLufs - -16) <= 1, `loudness ${measured.integratedLufs}`);
    assert.ok(measured.truePeakDbtp <= TRUE_PEAK_CEILING_DBTP + 0.1, `true peak ${measured.truePeakDbtp}`);

    const credits = await api.credits();
    assert.equal(credits.creditsRemaining, grant - (download.json['creditsCharged'] as number));
    assert.equal(credits.creditsHeld, 0);
  });

  test('20 concurrent downloads of the same job charge exactly once', async () => {
    const before = await api.credits();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => api.request('POST', `/api/audio/download/${jobId}`)),
    );
    for (const response of responses) assert.equal(response.status, 200, response.text);
    const after = await api.credits();
    assert.equal(after.creditsRemaining, before.creditsRemaining);
    const ledger = await listLedger(platform.database.db, userId, 100);
    assert.equal(ledger.filter((entry) => entry.kind === 'charge').length, 1);
    const summary = await getCreditSummary(platform.database.db, userId);
    assert.equal(summary.ledgerSum, summary.balance, 'the ledger sums to the balance');
  });

  test("another user's job answers 404", async () => {
    const intruder = platform.api();
    await intruder.register(`intruder-${Date.now()}@example.com`);
    for (const [method, path] of [
      ['GET', `/api/jobs/${jobId}/status`],
      ['GET', `/api/jobs/${jobId}/progress`],
      ['POST', `/api/jobs/${jobId}/cancel`],
      ['POST', `/api/audio/download/${jobId}`],
    ] as const) {
      const response = await intruder.request(method, path);
      assert.equal(response.status, 404, `${method} ${path}: ${response.text}`);
    }
    const history = await intruder.request('GET', '/api/jobs/history');
    assert.equal(history.json['total'], 0);
  });

  test('a multi-step job chains denoise into a custom loudness target under one bill', async () => {
    const form = new FormData();
    form.append('audio_file', new Blob([fixture.wav]), 'podcast.wav');
    form.append(
      'steps',
      JSON.stringify([
        { op: 'denoise', noise_level: 'light' },
        { op: 'normalize', target_lufs: -20 },
      ]),
    );
    const accepted = await api.request('POST', '/api/jobs', form);
    assert.equal(accepted.status, 202, accepted.text);
    const id = accepted.json['jobId'] as string;
    const final = await api.waitForJob(id);
    assert.equal(final['status'], 'completed', JSON.stringify(final));
    assert.equal(final['jobType'], 'denoise+normalize');

    const download = await api.request('POST', `/api/audio/download/${id}`);
    const file = await fetch(download.json['url'] as string);
    const { samples, sampleRate } = decodeWav(Buffer.from(await file.arrayBuffer()));
    const measured = analyzeAudio(samples, sampleRate);
    assert.ok(Math.abs(measured.integratedLufs - -20) <= 1, `loudness ${measured.integratedLufs}`);

    const ledger = await listLedger(platform.database.db, userId, 100);
    const charges = ledger.filter((entry) => entry.kind === 'charge' && entry.jobId === id);
    assert.equal(charges.length, 1, 'one job, one bill');

    const history = await api.request('GET', '/api/jobs/history?limit=1');
    assert.equal(history.status, 200);
    assert.equal(history.json['total'], 2);
    assert.equal((history.json['items'] as unknown[]).length, 1);
    assert.equal((history.json['items'] as Array<{ jobId: string }>)[0]?.jobId, id, 'newest first');
  });

  test('downloading an unknown job answers 404', async () => {
    const unknown = await api.request('POST', `/api/audio/download/00000000-0000-4000-8000-000000000000`);
    assert.equal(unknown.status, 404);
  });
});
