import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { WavFileReader, WavStreamWriter, readWavStream } from '@voice/audio';
import { FailureTypes, jobStorageKeys, type EditOperation } from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import {
  FrameLevelMeter,
  VoiceDspError,
  composeTimeMaps,
  findWordRanges,
  identityTimeMap,
  planMute,
  planRemoveRange,
  planTrimSilence,
  remapTime,
  renderEdit,
  snapRangesToQuiet,
  timeMapOfPlan,
  type EditPlan,
  type TimeMapSegment,
  type TimedWord,
} from '@voice/voice-dsp';
import { failureRule, toFailure, withHeartbeats, withScratchDir } from '@voice/activity-kit';
import { alignAroundMatches } from './word-alignment';

export interface EditReport {
  outputKey: string;
  durationMs: number;
  /** What each operation did, in order (for mute_word: how many occurrences were muted). */
  applied: Array<{ type: EditOperation['type']; detail: string }>;
}

/**
 * Applies edit operations in order. Each operation's times refer to the audio as the previous operations left
 * it; word timestamps (from the transcript, on the original timeline) are carried through the same time map.
 *
 * Every operation is one pass from a scratch WAV to the next, block by block, so memory stays flat however
 * long the recording is (a one-hour podcast is 690 MB of float samples).
 */
export function createEditActivities({ storage, workDir }: { storage: BlobStorage; workDir: string }) {
  return {
    async applyEdits(input: {
      jobId: string;
      stepIndex: number;
      inputKey: string;
      operations: EditOperation[];
      /** Transcript JSON with word timestamps, required when an operation is mute_word. */
      transcriptKey?: string;
    }): Promise<EditReport> {
      return withHeartbeats(() =>
        withScratchDir(workDir, input.jobId, 'edit', async (dir) => {
          let current = path.join(dir, 'input.wav');
          await storage.downloadToFile(input.inputKey, current);
          const transcript = input.transcriptKey ? await loadTranscript(storage, input.transcriptKey) : undefined;
          let timeMap: TimeMapSegment[] | undefined;
          let sampleRate = 0;
          let length = 0;
          const applied: EditReport['applied'] = [];
          for (const [index, operation] of input.operations.entries()) {
            const source = await WavFileReader.open(current);
            const next = path.join(dir, `edit-${index}.wav`);
            try {
              sampleRate = source.sampleRate;
              timeMap ??= identityTimeMap(source.length / sampleRate);
              const { plan, detail } = await planOperation(operation, source, current, transcript, timeMap);
              const writer = await WavStreamWriter.create(next, sampleRate, { format: 'float32' });
              try {
                for (const block of renderEdit(source, plan)) {
                  Context.current().cancellationSignal.throwIfAborted();
                  await writer.write(block);
                }
              } finally {
                await writer.close();
              }
              timeMap = composeTimeMaps(timeMap, timeMapOfPlan(plan, sampleRate));
              length = plan.outputLength;
              applied.push({ type: operation.type, detail });
            } finally {
              await source.close();
            }
            // Only the latest version is needed; dropping the previous one keeps scratch disk at two copies.
            await rm(current, { force: true });
            current = next;
          }
          const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, 'edit');
          await storage.putFile(outputKey, current, 'audio/wav', { consume: true });
          return { outputKey, durationMs: Math.round((length / sampleRate) * 1000), applied };
        }),
      );
    },
  };
}

/** Times outside the clip and the like are the request's fault: fail now, with the DSP's message. */
const PLAN_FAILURES = [failureRule(VoiceDspError, FailureTypes.InvalidRequest)];

async function planOperation(
  operation: EditOperation,
  source: WavFileReader,
  sourcePath: string,
  transcript: Transcript | undefined,
  timeMap: readonly TimeMapSegment[],
): Promise<{ plan: EditPlan; detail: string }> {
  const rate = source.sampleRate;
  try {
    switch (operation.type) {
      case 'remove_blooper': {
        const plan = planRemoveRange(source.length, rate, {
          startTime: operation.start_time,
          endTime: operation.end_time,
        });
        return { plan, detail: `cut ${operation.start_time}–${operation.end_time} s` };
      }
      case 'trim_silence': {
        const meter = new FrameLevelMeter(rate);
        for await (const block of readWavStream(sourcePath)) meter.push(block);
        const plan = planTrimSilence(meter.result(), rate);
        return { plan, detail: `removed ${((source.length - plan.outputLength) / rate).toFixed(2)} s of silence` };
      }
      case 'mute_word': {
        // Words cut by an earlier operation collapse to zero length and are skipped by the matcher.
        const current = (transcript?.words ?? [])
          .map((word) => ({
            word: word.word,
            start: remapTime(timeMap, word.start),
            end: remapTime(timeMap, word.end),
          }))
          .filter((word) => word.end > word.start);
        const durationSeconds = source.length / rate;
        const matches = findWordRanges(current, operation.word, { durationSeconds });
        // The recogniser's word times can be a phoneme off: align the words around each match to the audio, find
        // the matches again on those times, then put each edge on the quietest point near it.
        const english = transcript?.language === undefined || transcript.language.toLowerCase().startsWith('en');
        const aligned =
          english && matches.length > 0
            ? await alignAroundMatches(source, current, matches, Context.current().cancellationSignal)
            : current;
        const ranges = snapRangesToQuiet(source, rate, findWordRanges(aligned, operation.word, { durationSeconds }));
        const plan = planMute(source, rate, ranges, { mode: operation.mode ?? 'bleep' });
        const done = operation.mode === 'silence' ? 'silenced' : 'bleeped';
        return { plan, detail: `${ranges.length} occurrence(s) of "${operation.word}" ${done}` };
      }
    }
  } catch (error) {
    throw toFailure(error, PLAN_FAILURES);
  }
}

interface Transcript {
  readonly words: TimedWord[];
  readonly language?: string;
}

async function loadTranscript(storage: BlobStorage, key: string): Promise<Transcript> {
  const transcript = JSON.parse((await storage.getBuffer(key)).toString('utf8')) as Partial<Transcript>;
  return { words: transcript.words ?? [], ...(transcript.language ? { language: transcript.language } : {}) };
}
