import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  STEPS,
  StepRejection,
  checkStepsAgainstInput,
  editOperationsSchema,
  prepareSteps,
  ttsParameterProblem,
  ttsTextSchema,
  type PipelineStep,
  type StepContext,
} from '../src';

const cuts = (...ranges: Array<[number, number]>): PipelineStep => ({
  op: 'edit',
  operations: ranges.map(([start_time, end_time]) => ({ type: 'remove_blooper' as const, start_time, end_time })),
});
const rejectionCode = (run: () => void): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof StepRejection) return error.code;
    throw error;
  }
};

describe('edit checks against the recording', () => {
  test('a cut covering the whole recording is refused: nothing would be left', () => {
    assert.equal(
      rejectionCode(() => checkStepsAgainstInput([cuts([0, 2])], { durationMs: 2000 })),
      'CUT_REMOVES_EVERYTHING',
    );
    // Within the millisecond of rounding a client may have applied to the length.
    assert.equal(
      rejectionCode(() => checkStepsAgainstInput([cuts([0.0005, 1.9995])], { durationMs: 2000 })),
      'CUT_REMOVES_EVERYTHING',
    );
    assert.equal(
      rejectionCode(() => checkStepsAgainstInput([cuts([0.01, 2])], { durationMs: 2000 })),
      undefined,
    );
  });

  test('each cut is checked against what the previous cuts left', () => {
    // 2 s, cut 1 s: one second is left, so a second cut of 0–1 s takes everything and one ending at 1.5 s is outside.
    assert.equal(
      rejectionCode(() => checkStepsAgainstInput([cuts([1, 2], [0, 1])], { durationMs: 2000 })),
      'CUT_REMOVES_EVERYTHING',
    );
    assert.equal(
      rejectionCode(() => checkStepsAgainstInput([cuts([0, 1], [0.5, 1.5])], { durationMs: 2000 })),
      'CUT_OUTSIDE_AUDIO',
    );
    assert.equal(
      rejectionCode(() => checkStepsAgainstInput([cuts([0.5, 1], [0.2, 0.6])], { durationMs: 2000 })),
      undefined,
    );
  });

  test('trim_silence and mute_word do not lengthen the estimate, so later cuts are still checked', () => {
    const step: PipelineStep = {
      op: 'edit',
      operations: [
        { type: 'trim_silence' },
        { type: 'mute_word', word: 'darn' },
        { type: 'remove_blooper', start_time: 0, end_time: 3 },
      ],
    };
    assert.equal(
      rejectionCode(() => checkStepsAgainstInput([step], { durationMs: 3000 })),
      'CUT_REMOVES_EVERYTHING',
    );
  });

  test('mute_word needs a letter or digit: emoji and punctuation are never in a transcript', () => {
    for (const word of ['🤬', '❤️', '👍🏽', '!!', '‍']) {
      const parsed = editOperationsSchema.safeParse([{ type: 'mute_word', word }]);
      assert.equal(parsed.success, false, word);
      assert.match(parsed.error?.issues[0]?.message ?? '', /must contain a letter or digit/);
    }
    for (const word of ['darn', 'F1', 'señor', '42', "don't"]) {
      assert.equal(editOperationsSchema.safeParse([{ type: 'mute_word', word }]).success, true, word);
    }
  });
});

describe('tts checks', () => {
  test('the text is normalised and must keep something to say, with one message per problem', () => {
    assert.equal(ttsTextSchema.parse('Hi 👋\u0007 there'), 'Hi there');
    const issues = (text: string) => ttsTextSchema.safeParse(text).error?.issues.map((issue) => issue.message) ?? [];
    for (const text of ['😀', '\u0001\u0002', '\u200d']) {
      assert.deepEqual(issues(text), [
        'has nothing to speak: it needs a letter or digit (emoji and control characters are removed)',
      ]);
    }
    for (const text of ['   ', '']) assert.deepEqual(issues(text), ['must not be empty']);
    assert.deepEqual(issues('a'.repeat(10_001)), ['must be at most 10000 characters']);
    assert.deepEqual(issues('😀'.repeat(6_000)), ['must be at most 10000 characters']);
  });

  test('pitch is limited to ±6 semitones, and a shift past ±2 needs at least 3 words', () => {
    const schema = STEPS.tts.schema;
    assert.equal(schema.safeParse({ op: 'tts', pitch: 6 }).success, true);
    assert.equal(schema.safeParse({ op: 'tts', pitch: -6 }).success, true);
    assert.match(
      schema.safeParse({ op: 'tts', pitch: 12 }).error?.issues[0]?.message ?? '',
      /between -6 and 6 semitones/,
    );
    assert.match(
      schema.safeParse({ op: 'tts', pitch: -7 }).error?.issues[0]?.message ?? '',
      /between -6 and 6 semitones/,
    );

    assert.match(ttsParameterProblem('hi', { pitch: 3 }) ?? '', /more than 2 semitones needs at least 3 words/);
    assert.match(ttsParameterProblem('Hi there.', { pitch: -6 }) ?? '', /at least 3 words/);
    assert.equal(ttsParameterProblem('hi', {}), undefined);
    assert.equal(ttsParameterProblem('hi', { pitch: 2 }), undefined);
    assert.equal(ttsParameterProblem('Hello there.', { pitch: -2 }), undefined);
    assert.equal(ttsParameterProblem('Good morning, everyone.', { pitch: 6 }), undefined);
  });

  test('prepare checks a voice_id against the resolved model and pins that model', async () => {
    const checked: string[] = [];
    const context = {
      resolveModel: () => 'piper-x',
      requireTtsVoice: (model: string, voice: string) => {
        checked.push(`${model}:${voice}`);
        if (voice !== 'joe') throw new StepRejection('UNKNOWN_VOICE', `no ${voice}`);
      },
    } as unknown as StepContext;
    assert.deepEqual(await prepareSteps([{ op: 'tts' }], context), [{ op: 'tts' }]);
    assert.deepEqual(await prepareSteps([{ op: 'tts', voice_id: 'joe' }], context), [
      { op: 'tts', voice_id: 'joe', model: 'piper-x' },
    ]);
    await assert.rejects(
      prepareSteps([{ op: 'tts', voice_id: 'bob' }], context),
      (error: unknown) => error instanceof StepRejection && error.code === 'UNKNOWN_VOICE',
    );
    assert.deepEqual(checked, ['piper-x:joe', 'piper-x:bob']);
  });
});
