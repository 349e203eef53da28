import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bubblewrapArgs, planMounts } from './bubblewrap.js';
import { limitPrelude } from './sandboxProcess.js';

const interpreter = mkdtempSync(join(tmpdir(), 'fk-interpreter-'));
afterAll(() => rmSync(interpreter, { recursive: true, force: true }));

describe('planMounts', () => {
  const plan = planMounts({
    hostWorkDir: '/srv/sessions/s1',
    insideWorkDir: '/workspace',
    readOnlyPaths: [interpreter],
  });
  const targets = plan.mounts.map((mount) => mount.at(-1));

  it('shows system folders read-only and hides home folders, /root, /var and the host /tmp', () => {
    expect(plan.mounts).toContainEqual(['--ro-bind', '/usr', '/usr']);
    for (const hidden of ['/home', '/root', '/var', '/srv', '/mnt']) expect(targets).not.toContain(hidden);
    expect(plan.mounts).toContainEqual(['--tmpfs', '/tmp']);
    expect(plan.mounts).toContainEqual(['--proc', '/proc']);
  });

  it('re-exposes interpreter folders outside the system folders, read-only', () => {
    expect(plan.mounts).toContainEqual(['--ro-bind', interpreter, interpreter]);
  });

  it('makes the work directory the last mount and the only writable bind', () => {
    expect(plan.mounts.at(-1)).toEqual(['--bind', '/srv/sessions/s1', '/workspace']);
    expect(plan.mounts.filter((mount) => mount[0] === '--bind')).toHaveLength(1);
  });
});

describe('bubblewrapArgs', () => {
  it('unshares the network unless the host allowed it, and always the other namespaces', () => {
    const offline = bubblewrapArgs({ mounts: [] }, { cwd: '/workspace', network: false });
    const online = bubblewrapArgs({ mounts: [] }, { cwd: '/workspace', network: true });
    for (const flag of ['--unshare-user', '--unshare-pid', '--die-with-parent', '--new-session']) {
      expect(offline).toContain(flag);
      expect(online).toContain(flag);
    }
    expect(offline).toContain('--unshare-net');
    expect(online).not.toContain('--unshare-net');
    expect(offline.slice(-3)).toEqual(['--chdir', '/workspace', '--']);
  });
});

describe('limitPrelude', () => {
  it('sets CPU (soft, then hard a second later), data and file size limits before exec', () => {
    expect(
      limitPrelude({ cpuSeconds: 5, memoryBytes: 256 * 1024 * 1024, fileBytes: 1024 * 1024, outputBytes: 1 }),
    ).toBe('ulimit -S -t 5 && ulimit -H -t 6 && ulimit -d 262144 && ulimit -f 2048 && exec "$@"');
  });
});
