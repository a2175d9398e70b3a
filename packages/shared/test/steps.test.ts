import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod/v4';
import {
  PIPELINE_OPS,
  STEP_WEIGHTS,
  STEPS,
  audioStepsSchema,
  checkStepsAgainstInput,
  estimateOutputMs,
  isTranscriptOnly,
  jobTypeFor,
  prepareSteps,
  withFinalNormalize,
  StepRejection,
  type PipelineStep,
  type StepContext,
} from '../src';

describe('step registry', () => {
  test('each step applies its defaults in its schema, once', () => {
    assert.deepEqual(STEPS.denoise.schema.parse({ op: 'denoise' }), { op: 'denoise', noise_level: 'moderate' });
    assert.deepEqual(STEPS.stt.schema.parse({ op: 'stt' }), { op: 'stt', language: 'en' });
    assert.deepEqual(STEPS.dub.schema.parse({ op: 'dub', target_language: 'es' }), {
      op: 'dub',
      target_language: 'es',
      source_language: 'en',
    });
  });

  test('step schemas are strict and chains accept only steps that take audio in', () => {
    assert.equal(STEPS.denoise.schema.safeParse({ op: 'denoise', strength: 3 }).success, false);
    assert.equal(audioStepsSchema.safeParse([{ op: 'denoise' }, { op: 'dub', target_language: 'es' }]).success, true);
    assert.equal(audioStepsSchema.safeParse([{ op: 'generate_music', genre: 'lofi', duration: 5 }]).success, false);
    assert.equal(audioStepsSchema.safeParse([]).success, false);
  });

  test('every step has a positive weight, an input kind and an OpenAPI-representable schema', () => {
    for (const op of PIPELINE_OPS) {
      const definition = STEPS[op];
      assert.equal(definition.op, op);
      assert.ok(STEP_WEIGHTS[op] > 0, op);
      const json = z.toJSONSchema(definition.schema, { io: 'input' }) as { properties?: Record<string, unknown> };
      assert.ok(json.properties?.['op'], `${op} schema names its op`);
    }
  });

  test('chains end with one normalize unless they deliver a transcript', () => {
    const denoise = { op: 'denoise', noise_level: 'moderate' } as const;
    assert.deepEqual(
      withFinalNormalize([denoise]).map((step) => step.op),
      ['denoise', 'normalize'],
    );
    assert.deepEqual(
      withFinalNormalize([denoise, { op: 'normalize', target_lufs: -14 }]).map((step) => step.op),
      ['denoise', 'normalize'],
    );
    assert.equal(isTranscriptOnly([{ op: 'stt', language: 'en' }]), true);
    assert.deepEqual(withFinalNormalize([{ op: 'stt', language: 'en' }]), [{ op: 'stt', language: 'en' }]);
    assert.equal(jobTypeFor([{ op: 'tts' }, { op: 'voice_clone', target_voice_id: 'v' }]), 'tts+voice_clone');
  });

  test('prepare runs each check in order with the context, and checkInput refuses cuts past the end', async () => {
    const asked: string[] = [];
    const context: StepContext = {
      userId: 'u',
      resolveModel: (need) => {
        asked.push(`${need.task}:${need.language ?? need.requested ?? '*'}`);
        return `${need.task}-model`;
      },
      requireTtsVoice: () => undefined,
      resolveVoice: async (id) => ({ id, name: 'Ada', characteristics: { pitch: 1 } }),
      requireTranslation: async (source, target) => void asked.push(`translate:${source}-${target}`),
      requireAccent: (accent) => {
        throw new StepRejection('UNSUPPORTED_ACCENT', `no ${accent}`);
      },
      music: {
        genre: () => undefined,
        genres: ['lofi'],
        mood: () => undefined,
        moods: [],
        platform: () => undefined,
        platforms: [],
        checkKey: () => undefined,
        checkSfx: () => undefined,
      },
    };
    const prepared = await prepareSteps(
      [
        { op: 'denoise', noise_level: 'light' },
        { op: 'voice_clone', target_voice_id: 'voice-1' },
        { op: 'dub', target_language: 'es', source_language: 'en' },
      ],
      context,
    );
    assert.deepEqual(prepared[0], { op: 'denoise', noise_level: 'light', model: 'denoise-model' });
    assert.deepEqual(prepared[1], {
      op: 'voice_clone',
      target_voice_id: 'voice-1',
      model: 'voice-conversion-model',
      target: { name: 'Ada', characteristics: { pitch: 1 } },
    });
    assert.deepEqual(asked, ['denoise:*', 'voice-conversion:*', 'translate:en-es', 'stt:en', 'tts:es']);
    await assert.rejects(prepareSteps([{ op: 'accent_change', target_accent: 'martian' }], context), /no martian/);
    await assert.rejects(
      prepareSteps([{ op: 'generate_music', genre: 'polka', duration: 5 }], context),
      (error: unknown) => error instanceof StepRejection && error.code === 'INVALID_REQUEST',
    );

    const cut: PipelineStep = { op: 'edit', operations: [{ type: 'remove_blooper', start_time: 1, end_time: 2.5 }] };
    assert.doesNotThrow(() => checkStepsAgainstInput([cut], { durationMs: 2500 }));
    assert.throws(() => checkStepsAgainstInput([cut], { durationMs: 2000 }), /ends after the recording/);
  });

  test('steps that make audio estimate the hold; uploads have none', () => {
    assert.equal(estimateOutputMs({ op: 'generate_sfx', description: 'rain', duration: 2.5 }, {}), 2500);
    assert.equal(estimateOutputMs({ op: 'tts', speed: 2 }, { text: 'x'.repeat(30) }), 1000);
    assert.equal(estimateOutputMs({ op: 'denoise', noise_level: 'moderate' }, {}), undefined);
  });
});
