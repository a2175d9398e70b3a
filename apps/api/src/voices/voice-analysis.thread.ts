import { constants, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { analyzeVoiceSample, type ThreadReply, type ThreadTask } from './voice-analysis';

// Entry of a VoiceAnalysisPool thread: one task at a time (the pool never sends a second before the reply).
const port = parentPort;
if (!port) throw new Error('voice-analysis.thread must run as a worker thread of VoiceAnalysisPool');

// On Linux the nice value is per thread and setpriority(0) means the calling thread: this lowers only the
// analysis (and the ffmpeg it spawns), so on a contended machine the API's event loop wins the core.
try {
  setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // Not permitted or not supported here: the thread runs at normal priority, which is still off the loop.
}

port.on('message', (task: ThreadTask) => {
  void analyzeVoiceSample(task.request).then(
    (outcome) => port.postMessage({ id: task.id, outcome } satisfies ThreadReply),
    (error: unknown) => {
      // Only plain data crosses back; the pool turns it into an Error (a 500) with this stack for the log.
      const failure =
        error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
      port.postMessage({ id: task.id, failure } satisfies ThreadReply);
    },
  );
});
