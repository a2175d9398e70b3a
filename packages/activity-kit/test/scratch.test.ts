import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sweepScratch, withScratchDir } from '../src';

describe('scratch dirs', () => {
  let workDir: string;
  before(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'scratch-test-'));
  });
  after(async () => rm(workDir, { recursive: true, force: true }));

  it("live under <workDir>/<jobId>/ and are removed with the job's folder after success", async () => {
    let seen = '';
    const result = await withScratchDir(workDir, 'job-1', 'denoise', async (dir) => {
      seen = dir;
      await writeFile(path.join(dir, 'in.wav'), 'x');
      return 7;
    });
    assert.equal(result, 7);
    assert.equal(path.dirname(seen), path.join(workDir, 'job-1'));
    assert.match(path.basename(seen), /^denoise-/);
    assert.equal(existsSync(seen), false);
    assert.equal(existsSync(path.join(workDir, 'job-1')), false);
  });

  it('are removed after a failure too', async () => {
    let seen = '';
    await assert.rejects(
      withScratchDir(workDir, 'job-2', 'stt', async (dir) => {
        seen = dir;
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.ok(seen !== '');
    assert.equal(existsSync(seen), false);
  });

  it("keep the job's folder while a sibling activity of the same job still uses it", async () => {
    await withScratchDir(workDir, 'job-3', 'outer', async (outer) => {
      await withScratchDir(workDir, 'job-3', 'inner', async () => undefined);
      assert.ok(existsSync(outer));
    });
    assert.equal(existsSync(path.join(workDir, 'job-3')), false);
  });

  it('refuse a job id that would climb out of the work dir', async () => {
    await assert.rejects(
      withScratchDir(workDir, '../etc', 'x', async () => undefined),
      /unsafe job id/,
    );
  });

  it("the sweep removes a dead worker's scratch and stale leftovers, and keeps live and recent scratch", async () => {
    // A process that has exited: its pid is free (or reused by a process we may not signal, which counts as alive).
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout.toString());
    const deadDir = path.join(workDir, 'job-dead', 'denoise-abc');
    await mkdir(deadDir, { recursive: true });
    await writeFile(path.join(deadDir, '.owner'), JSON.stringify({ host: hostname(), pid: deadPid, token: 't' }));
    await writeFile(path.join(deadDir, 'out.wav'), 'x');
    // Same pid as this process but another token: an earlier incarnation (a restarted container is pid 1 again).
    const earlierDir = path.join(workDir, 'job-earlier', 'stt-abc');
    await mkdir(earlierDir, { recursive: true });
    await writeFile(
      path.join(earlierDir, '.owner'),
      JSON.stringify({ host: hostname(), pid: process.pid, token: 'old' }),
    );
    // No owner and untouched for two days (say, from another host).
    const staleDir = path.join(workDir, 'job-stale', 'edit-abc');
    await mkdir(staleDir, { recursive: true });
    await writeFile(path.join(staleDir, 'a.wav'), 'x');
    const twoDaysAgo = new Date(Date.now() - 48 * 3_600_000);
    await utimes(path.join(staleDir, 'a.wav'), twoDaysAgo, twoDaysAgo);
    await utimes(staleDir, twoDaysAgo, twoDaysAgo);
    // Another host's scratch, recent: its pid means nothing here.
    const remoteDir = path.join(workDir, 'job-remote', 'denoise-abc');
    await mkdir(remoteDir, { recursive: true });
    await writeFile(
      path.join(remoteDir, '.owner'),
      JSON.stringify({ host: `${hostname()}-other`, pid: 1, token: 't' }),
    );

    let removed: string[] = [];
    await withScratchDir(workDir, 'job-live', 'normalize', async (liveDir) => {
      removed = await sweepScratch(workDir);
      assert.ok(existsSync(liveDir), "this process's running scratch survives the sweep");
    });
    assert.deepEqual(removed.sort(), [deadDir, earlierDir, staleDir].sort());
    assert.ok(existsSync(remoteDir));
    assert.deepEqual((await readdir(workDir)).sort(), ['job-remote']);
  });

  it('the sweep of a work dir that does not exist yet removes nothing', async () => {
    assert.deepEqual(await sweepScratch(path.join(workDir, 'absent')), []);
  });
});
