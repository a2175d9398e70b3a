import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalStorage } from '@voice/storage';

import { registerUser, startTestApi, type TestApi } from './helpers/test-api';
import { voicedWav } from './helpers/voice-fixture';

interface VoiceBody {
  id: string;
  name: string;
  isPublic: boolean;
  owned: boolean;
  voiceCharacteristics: {
    pitch: { medianHz: number };
    spectral: { bandEnergiesDb: number[]; bandCentersHz: number[] };
  } | null;
}

interface Answer<T> {
  status: number;
  body: T & { error?: { code: string; message: string } };
}

/**
 * The library routes the web app's Voices page uses, through real HTTP, a real (in-memory PGlite) database and
 * local storage: the voice DTO with its spectrum, and PATCH /api/voices/:id (visibility), owner only.
 */
describe('voice library: visibility and the voice DTO', () => {
  let api: TestApi;
  let storageRoot: string;
  let owner: string;
  let other: string;

  before(async () => {
    storageRoot = await mkdtemp(path.join(tmpdir(), 'voice-library-test-'));
    const storage = new LocalStorage({
      root: storageRoot,
      publicBaseUrl: 'http://127.0.0.1',
      signingSecret: 'a-signing-secret-for-tests',
      defaultTtlSeconds: 60,
    });
    api = await startTestApi({ deps: { storage } });
    owner = (await registerUser(api)).accessToken;
    other = (await registerUser(api)).accessToken;
  });
  after(async () => {
    await api?.close();
    await rm(storageRoot, { recursive: true, force: true });
  });

  async function call<T>(token: string, method: string, route: string, body?: unknown): Promise<Answer<T>> {
    const response = await fetch(`${api.baseUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Answer<T>['body'] };
  }

  async function upload(token: string, name: string, f0Hz: number): Promise<VoiceBody> {
    const form = new FormData();
    form.append('audio_file', new Blob([voicedWav(2, { f0Hz })], { type: 'audio/wav' }), `${name}.wav`);
    form.append('name', name);
    const response = await fetch(`${api.baseUrl}/api/voices/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const text = await response.text();
    assert.equal(response.status, 201, text);
    return JSON.parse(text) as VoiceBody;
  }

  const publicIds = async (token: string) =>
    (await call<{ items: VoiceBody[] }>(token, 'GET', '/api/voices/public')).body.items.map((voice) => voice.id);

  test('the voice DTO carries the 24-band spectrum with its ascending band centres', async () => {
    const voice = await upload(owner, 'spectrum', 140);
    const spectral = voice.voiceCharacteristics?.spectral;
    assert.ok(spectral, JSON.stringify(voice));
    assert.equal(spectral.bandEnergiesDb.length, 24);
    assert.equal(spectral.bandCentersHz.length, 24, 'one centre per band');
    for (let i = 1; i < 24; i++) assert.ok(spectral.bandCentersHz[i]! > spectral.bandCentersHz[i - 1]!, `band ${i}`);
    assert.ok(spectral.bandCentersHz[0]! > 50 && spectral.bandCentersHz[23]! < 8000);
    const mean = spectral.bandEnergiesDb.reduce((sum, db) => sum + db, 0) / 24;
    assert.ok(Math.abs(mean) < 1e-6, `the bands are a shape with mean 0 dB, got ${mean}`);

    const listed = (await call<{ items: VoiceBody[] }>(owner, 'GET', '/api/voices/library')).body.items;
    assert.deepEqual(
      listed.find((item) => item.id === voice.id)?.voiceCharacteristics?.spectral.bandCentersHz,
      spectral.bandCentersHz,
      'the library lists the same spectrum',
    );
  });

  test('the owner makes a voice public and private again; the public list follows', async () => {
    const voice = await upload(owner, 'toggled', 120);
    assert.equal(voice.isPublic, false, 'private by default');
    assert.ok(!(await publicIds(other)).includes(voice.id));

    const shared = await call<VoiceBody>(owner, 'PATCH', `/api/voices/${voice.id}`, { is_public: true });
    assert.equal(shared.status, 200, JSON.stringify(shared.body));
    assert.equal(shared.body.isPublic, true);
    assert.equal(shared.body.owned, true);
    assert.equal(shared.body.voiceCharacteristics?.pitch.medianHz, voice.voiceCharacteristics?.pitch.medianHz);
    assert.ok((await publicIds(other)).includes(voice.id), 'listed for others once public');
    const forOther = (await call<{ items: VoiceBody[] }>(other, 'GET', '/api/voices/public')).body.items;
    assert.equal(forOther.find((item) => item.id === voice.id)?.owned, false);

    const unshared = await call<VoiceBody>(owner, 'PATCH', `/api/voices/${voice.id}`, { is_public: false });
    assert.equal(unshared.status, 200);
    assert.equal(unshared.body.isPublic, false);
    assert.ok(!(await publicIds(other)).includes(voice.id), 'gone from the public list');
    const mine = (await call<{ items: VoiceBody[] }>(owner, 'GET', '/api/voices/library')).body.items;
    assert.equal(mine.find((item) => item.id === voice.id)?.isPublic, false, 'persisted');
  });

  test("another user's voice answers 404 to PATCH, public or not, and stays as it was", async () => {
    const hidden = await upload(owner, 'hidden', 120);
    const open = await upload(owner, 'open', 120);
    assert.equal((await call(owner, 'PATCH', `/api/voices/${open.id}`, { is_public: true })).status, 200);

    for (const [voice, isPublic] of [
      [hidden, true],
      [open, false],
    ] as const) {
      const refused = await call(other, 'PATCH', `/api/voices/${voice.id}`, { is_public: isPublic });
      assert.equal(refused.status, 404, JSON.stringify(refused.body));
      assert.equal(refused.body.error?.code, 'VOICE_NOT_FOUND');
    }
    const mine = (await call<{ items: VoiceBody[] }>(owner, 'GET', '/api/voices/library')).body.items;
    assert.equal(mine.find((item) => item.id === hidden.id)?.isPublic, false);
    assert.equal(mine.find((item) => item.id === open.id)?.isPublic, true);

    const missing = await call(owner, 'PATCH', '/api/voices/00000000-0000-4000-8000-000000000000', { is_public: true });
    assert.equal(missing.status, 404);
  });

  test('PATCH refuses a body that is not {is_public: boolean} and an id that is not a UUID', async () => {
    const voice = await upload(owner, 'strict', 120);
    for (const body of [{}, { is_public: 'true' }, { is_public: true, name: 'renamed' }]) {
      const refused = await call(owner, 'PATCH', `/api/voices/${voice.id}`, body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.equal(refused.body.error?.code, 'VALIDATION_FAILED');
    }
    const badId = await call(owner, 'PATCH', '/api/voices/not-a-uuid', { is_public: true });
    assert.equal(badId.status, 400);
    const mine = (await call<{ items: VoiceBody[] }>(owner, 'GET', '/api/voices/library')).body.items;
    assert.equal(mine.find((item) => item.id === voice.id)?.isPublic, false, 'nothing changed');
  });

  test('the OpenAPI document describes the PATCH route and the voice DTO', async () => {
    const response = await fetch(`${api.baseUrl}/api/docs-json`);
    const document = (await response.json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const patch = document.paths['/api/voices/{id}']?.['patch'];
    assert.ok(patch, 'PATCH /api/voices/{id} is documented');
    assert.match(JSON.stringify(patch.responses['200']?.content), /VoiceDto/);
    assert.ok(document.components.schemas['VoiceSpectralDto']?.properties?.['bandCentersHz']);
  });
});
