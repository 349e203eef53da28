import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';

/**
 * Whether bubblewrap can be used on this machine, and if not, why.
 *
 * @example
 * ```ts
 * const status = await detectBubblewrap();
 * if (!status.available) console.log(status.reason);
 * ```
 */
export type BubblewrapStatus = { available: true; path: string } | { available: false; reason: string };

/** How to get bubblewrap working, for error messages and skipped tests. */
export const bubblewrapHowTo =
  'Install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`) and make sure ' +
  'unprivileged user namespaces are enabled (`sysctl kernel.unprivileged_userns_clone=1`; on Ubuntu 24.04+ also ' +
  '`sysctl kernel.apparmor_restrict_unprivileged_userns=0` or an AppArmor profile for bwrap).';

/**
 * Checks that `bwrap` exists and can create the namespaces the sandbox uses (user, PID,
 * network), by running `true` inside a throwaway sandbox.
 *
 * @example
 * ```ts
 * import { detectBubblewrap } from '@fragmentkit/core/node';
 *
 * const status = await detectBubblewrap();
 * console.log(status.available ? `bubblewrap at ${status.path}` : status.reason);
 * ```
 */
export function detectBubblewrap(path = 'bwrap'): Promise<BubblewrapStatus> {
  const args = ['--unshare-user', '--unshare-pid', '--unshare-net', '--ro-bind', '/', '/', '--die-with-parent', 'true'];
  return new Promise((resolve) => {
    execFile(path, args, { timeout: 10_000, env: { PATH: '/usr/bin:/bin' } }, (error, _stdout, stderr) => {
      if (!error) return resolve({ available: true, path });
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      resolve({
        available: false,
        reason: missing
          ? `bubblewrap (${path}) is not installed. ${bubblewrapHowTo}`
          : `bubblewrap (${path}) cannot create namespaces here: ${String(stderr || error.message).trim()}. ${bubblewrapHowTo}`,
      });
    });
  });
}

/** What the sandbox sees of the host's file system. */
export interface MountPlan {
  /** `[flag, ...args]` groups in the order bubblewrap applies them. */
  mounts: string[][];
}

// Top-level folders with programs and libraries. Everything else (home folders, /root, /srv,
// /mnt, /var, the project itself) stays invisible.
const systemFolders = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'etc', 'opt'];
// Inside those, what holds credentials is hidden.
const hiddenFiles = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/sudoers'];
const hiddenFolders = ['/etc/ssh', '/etc/ssl/private', '/etc/sudoers.d'];

/**
 * The file system of the sandbox: system folders read-only, credentials in them hidden, the
 * interpreters' installations read-only (even when they live under a hidden folder such as
 * `~/.pyenv`), fresh /proc, /dev and /tmp, and the work directory as the only writable place.
 */
export function planMounts(input: {
  hostWorkDir: string;
  insideWorkDir: string;
  readOnlyPaths: readonly string[];
  root?: string;
}): MountPlan {
  const root = input.root ?? '/';
  const mounts: string[][] = [];
  const visible: string[] = [];
  for (const name of readdirSync(root)) {
    if (!systemFolders.includes(name)) continue;
    const path = `/${name}`;
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) mounts.push(['--symlink', readlinkSync(path), path]);
    else if (stat.isDirectory()) {
      mounts.push(['--ro-bind', path, path]);
      visible.push(path);
    }
  }
  for (const file of hiddenFiles) if (existsSync(file)) mounts.push(['--ro-bind', '/dev/null', file]);
  for (const folder of hiddenFolders) if (existsSync(folder)) mounts.push(['--tmpfs', folder]);
  mounts.push(['--proc', '/proc'], ['--dev', '/dev'], ['--tmpfs', '/tmp']);
  for (const path of new Set(input.readOnlyPaths.map((entry) => realpathSync(entry)))) {
    if (!visible.some((folder) => path === folder || path.startsWith(`${folder}/`))) {
      mounts.push(['--ro-bind', path, path]);
    }
  }
  mounts.push(['--bind', input.hostWorkDir, input.insideWorkDir]);
  return { mounts };
}

/**
 * The bubblewrap command line for one sandboxed process. Always: new user, PID, IPC, UTS and
 * cgroup namespaces, no capabilities, a new session (no terminal injection), death with the
 * parent. The network namespace is shared only when `network` is true (package installs the
 * host allowed).
 */
export function bubblewrapArgs(plan: MountPlan, options: { cwd: string; network: boolean }): string[] {
  return [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(options.network ? [] : ['--unshare-net']),
    '--uid',
    '1000',
    '--gid',
    '1000',
    '--hostname',
    'sandbox',
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    ...plan.mounts.flat(),
    '--chdir',
    options.cwd,
    '--',
  ];
}
