import { ApplicationFailure } from '@temporalio/common';
import { decodeWav, encodeWav } from '@voice/audio';
import { FailureTypes, jobStorageKeys, type EditOperation } from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import {
  VoiceDspError,
  composeTimeMaps,
  findWordRanges,
  identityTimeMap,
  muteRanges,
  remapTime,
  removeRange,
  trimSilence,
  type TimeMapSegment,
  type TimedWord,
} from '@voice/voice-dsp';
import { withHeartbeats } from './heartbeat';

export interface EditReport {
  outputKey: string;
  durationMs: number;
  /** What each operation did, in order (for mute_word: how many occurrences were muted). */
  applied: Array<{ type: EditOperation['type']; detail: string }>;
}

/**
 * Applies edit operations in order. Each operation's times refer to the audio as the previous operations left
 * it; word timestamps (from the transcript, on the original timeline) are carried through the same time map.
 */
export function createEditActivities({ storage }: { storage: BlobStorage }) {
  return {
    async applyEdits(input: {
      jobId: string;
      stepIndex: number;
      inputKey: string;
      operations: EditOperation[];
      /** Transcript JSON with word timestamps, required when an operation is mute_word. */
      transcriptKey?: string;
    }): Promise<EditReport> {
      return withHeartbeats(async () => {
        const decoded = decodeWav(await storage.getBuffer(input.inputKey));
        const rate = decoded.sampleRate;
        let samples = decoded.samples;
        let timeMap: TimeMapSegment[] = identityTimeMap(samples.length / rate);
        const words = input.transcriptKey ? await loadWords(storage, input.transcriptKey) : [];
        const applied: EditReport['applied'] = [];
        try {
          for (const operation of input.operations) {
            switch (operation.type) {
              case 'remove_blooper': {
                const result = removeRange(samples, rate, { startTime: operation.start_time, endTime: operation.end_time });
                samples = result.samples;
                timeMap = composeTimeMaps(timeMap, result.timeMap);
                applied.push({ type: operation.type, detail: `cut ${operation.start_time}–${operation.end_time} s` });
                break;
              }
              case 'trim_silence': {
                const before = samples.length;
                const result = trimSilence(samples, rate);
                samples = result.samples;
                timeMap = composeTimeMaps(timeMap, result.timeMap);
                applied.push({ type: operation.type, detail: `removed ${((before - samples.length) / rate).toFixed(2)} s of silence` });
                break;
              }
              case 'mute_word': {
                // Words cut by an earlier operation collapse to zero length and are skipped by the matcher.
                const current = words
                  .map((word) => ({ word: word.word, start: remapTime(timeMap, word.start), end: remapTime(timeMap, word.end) }))
                  .filter((word) => word.end > word.start);
                const ranges = findWordRanges(current, operation.word, { durationSeconds: samples.length / rate });
                samples = muteRanges(samples, rate, ranges, { mode: operation.mode ?? 'bleep' });
                applied.push({ type: operation.type, detail: `${ranges.length} occurrence(s) of "${operation.word}" ${operation.mode === 'silence' ? 'silenced' : 'bleeped'}` });
                break;
              }
            }
          }
        } catch (error) {
          // Times outside the clip and the like are the request's fault: fail now, with the DSP's message.
          if (error instanceof VoiceDspError) throw ApplicationFailure.nonRetryable(error.message, FailureTypes.InvalidRequest);
          throw error;
        }
        const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, 'edit');
        await storage.putBuffer(outputKey, encodeWav(samples, rate, { format: 'float32' }), 'audio/wav');
        return { outputKey, durationMs: Math.round((samples.length / rate) * 1000), applied };
      });
    },
  };
}

async function loadWords(storage: BlobStorage, key: string): Promise<TimedWord[]> {
  const transcript = JSON.parse((await storage.getBuffer(key)).toString('utf8')) as { words?: TimedWord[] };
  return transcript.words ?? [];
}
