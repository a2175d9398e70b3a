/**
 * Where a job's audio lives. Keys are deterministic so a retried activity overwrites its own
 * earlier attempt instead of leaving orphans.
 */
export function jobStorageKeys(jobId: string) {
  const root = `jobs/${jobId}`;
  return {
    root,
    input: (extension: string) => `${root}/input.${extension}`,
    preprocessed: `${root}/work/00-preprocess.wav`,
    step: (index: number, op: string) => `${root}/work/${String(index).padStart(2, '0')}-${op}.wav`,
    output: `${root}/output.wav`,
  };
}
