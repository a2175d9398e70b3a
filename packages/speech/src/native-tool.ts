import { spawn } from 'node:child_process';
import { SpeechEngineUnavailableError } from './types';

/** Result of running a command to completion. */
export interface ToolOutput {
  readonly stdout: Buffer;
  readonly stderr: string;
}

/**
 * Runs a native tool, naming the Debian package to install when the binary is missing (ENOENT),
 * and killing it when `signal` fires.
 */
export function runTool(
  command: string,
  args: readonly string[],
  options: { aptPackage: string; stdin?: string | Buffer; signal?: AbortSignal },
): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new SpeechEngineUnavailableError(
            `${command} is not installed; install the Debian package: apt-get install ${options.aptPackage}`,
          ),
        );
      } else reject(error);
    });
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve({ stdout: Buffer.concat(out), stderr });
      else if (!options.signal?.aborted) reject(new Error(`${command} exited with ${code}: ${stderr.slice(-500)}`));
    });
    // A tool that exits before reading stdin raises EPIPE here; the exit code reports the real problem.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}
