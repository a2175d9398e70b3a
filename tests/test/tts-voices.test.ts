import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { isInstalled, listModels } from '@voice/models';
import { SpeechEngines } from '@voice/speech';

/**
 * The API accepts a TTS `voice_id` only if the model's manifest lists it; this proves the lists and the real
 * engines agree, so a voice that passes submit is one the worker can speak.
 */
describe('TTS voice catalogue', () => {
  const engines = new SpeechEngines();
  after(() => engines.unloadAll());

  for (const model of listModels('tts')) {
    test(`every voice listed for ${model.id} is spoken by the engine`, async (t) => {
      if (!isInstalled(model, { modelsDir: engines.modelsDir })) {
        t.skip(`${model.id} is not installed`);
        return;
      }
      const voices = model.voices ?? [];
      assert.ok(voices.length > 0, `${model.id} lists its voices`);
      const silent: string[] = [];
      for (const voiceId of voices) {
        const speech = await engines.synthesize({ text: 'One two.', modelId: model.id, voiceId });
        assert.equal(speech.voiceId, voiceId);
        // A tenth of a second at least: an unknown espeak voice exits with an error, a broken one says nothing.
        if (!(speech.durationSeconds > 0.1)) silent.push(voiceId);
      }
      assert.deepEqual(silent, []);
    });
  }
});
