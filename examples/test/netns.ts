/**
 * Helpers of the multi-process example tests (redis.test.ts, netns.test.ts): an example started as
 * a child process (optionally inside a network namespace) whose output is collected line by line,
 * and a small network of Linux namespaces joined by veth pairs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (the examples' child processes run there, as `npm run` would). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** node with the tsx loader and the eole-src condition: how a child process runs an example's main.ts from {@link REPO_ROOT}. */
export const TSX_NODE = [process.execPath, '--import', 'tsx', '--conditions=eole-src'] as const;

/** A child process whose stdout and stderr are kept as lines. */
export interface Child {
  proc: ChildProcess;
  /** stdout and stderr, in arrival order, one entry a line. */
  lines: string[];
  /** Resolves when it exits: its code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first line matching `pattern` (rejects if the process exits first or after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The collected output, for assertion messages. */
  text(): string;
}

const children = new Set<ChildProcess>();

/**
 * Starts `command args` in {@link REPO_ROOT} with this process's environment; killed with SIGKILL
 * after `timeoutMs` (default 120 s) and by {@link killChildren}.
 */
export function startChild(command: string, args: readonly string[], timeoutMs = 120_000): Child {
  const proc = spawn(command, args, { cwd: REPO_ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const collect = (stream: NodeJS.ReadableStream | null): void => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        for (const w of [...waiters]) {
          if (w.pattern.test(line)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    });
    stream?.on('end', () => {
      if (partial) lines.push(partial);
    });
  };
  collect(proc.stdout);
  collect(proc.stderr);
  const killer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('error', (e) => {
      lines.push(`spawn error: ${e.message}`);
    });
    proc.once('close', (code, signal) => {
      clearTimeout(killer);
      children.delete(proc);
      resolve({ code, signal });
    });
  });
  const text = (): string => lines.join('\n');
  return {
    proc, lines, exited, text,
    waitFor: (pattern, ms = 60_000) =>
      new Promise<string>((resolve, reject) => {
        const seen = lines.find((l) => pattern.test(l));
        if (seen !== undefined) return resolve(seen);
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${ms} ms; output:\n${text()}`)), ms);
        waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`exited (${signal ?? `code ${code}`}) before a line matching ${pattern}; output:\n${text()}`));
        });
      }),
  };
}

/** SIGKILLs every child started by {@link startChild} that is still running, and waits for them to be gone. */
export async function killChildren(): Promise<void> {
  const alive = [...children];
  await Promise.all(alive.map((p) => new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('close', () => resolve());
    p.kill('SIGKILL');
  })));
}

/** Runs `ip args` (or any command), synchronously; throws with its stderr when it fails. */
export function sh(command: string, args: readonly string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim()}`);
  return r.stdout;
}

/**
 * Why network namespaces cannot be used here (not root, no `ip`, or creating one fails), or null
 * when they can: this creates and deletes a probe namespace.
 */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return `network namespaces are Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  const probe = `eole-probe-${process.pid}`;
  try {
    sh('ip', ['netns', 'add', probe]);
  } catch (e) {
    return `ip netns add does not work here (${(e as Error).message.split('\n')[0]})`;
  }
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

/** A point-to-point link between the hub and one other namespace. */
export interface Link {
  /** The namespace at the far end. */
  ns: string;
  /** The veth names: the hub's end and the far end (≤ 15 characters). */
  hubIf: string;
  farIf: string;
  /** Their IPv4 addresses (a /24 of their own). */
  hubIp: string;
  farIp: string;
}

/**
 * A star of network namespaces: `hub` linked to each spoke by its own veth pair and /24, each
 * with `lo` up; no routes between spokes. Names end with the pid, so that runs do not collide.
 *
 * @example
 * const lab = new NetworkLab(['w1', 'w2']);
 * lab.create();
 * startChild('ip', ['netns', 'exec', lab.hub, 'redis-server', ...]);
 * lab.destroy();
 */
export class NetworkLab {
  readonly hub: string;
  readonly links: Link[];

  constructor(spokes: readonly string[], subnetBase = 201) {
    const id = process.pid;
    this.hub = `eole-hub-${id}`;
    this.links = spokes.map((name, i) => ({
      ns: `eole-${name}-${id}`,
      hubIf: `eh${i + 1}-${id}`.slice(0, 15),
      farIf: `ew${i + 1}-${id}`.slice(0, 15),
      hubIp: `10.${subnetBase}.${i + 1}.1`,
      farIp: `10.${subnetBase}.${i + 1}.2`,
    }));
  }

  /** Creates the namespaces and links (undo with {@link destroy}, also after a partial failure). */
  create(): void {
    for (const ns of [this.hub, ...this.links.map((l) => l.ns)]) {
      sh('ip', ['netns', 'add', ns]);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    for (const l of this.links) {
      sh('ip', ['link', 'add', l.hubIf, 'type', 'veth', 'peer', 'name', l.farIf]);
      sh('ip', ['link', 'set', l.hubIf, 'netns', this.hub]);
      sh('ip', ['link', 'set', l.farIf, 'netns', l.ns]);
      sh('ip', ['-n', this.hub, 'addr', 'add', `${l.hubIp}/24`, 'dev', l.hubIf]);
      sh('ip', ['-n', l.ns, 'addr', 'add', `${l.farIp}/24`, 'dev', l.farIf]);
      sh('ip', ['-n', this.hub, 'link', 'set', l.hubIf, 'up']);
      sh('ip', ['-n', l.ns, 'link', 'set', l.farIf, 'up']);
    }
  }

  /** `ip netns exec ns command args` as a child ({@link startChild}); the child's pid is the command's own. */
  exec(ns: string, command: string, args: readonly string[], timeoutMs?: number): Child {
    return startChild('ip', ['netns', 'exec', ns, command, ...args], timeoutMs);
  }

  /** Bytes received and sent so far by the hub's end of `link`. */
  bytes(link: Link): { rx: number; tx: number } {
    const [info] = JSON.parse(sh('ip', ['-n', this.hub, '-s', '-j', 'link', 'show', 'dev', link.hubIf])) as { stats64: { rx: { bytes: number }; tx: { bytes: number } } }[];
    return { rx: info!.stats64.rx.bytes, tx: info!.stats64.tx.bytes };
  }

  /** Deletes the veths and namespaces (ignoring those already gone); kill the processes inside first. */
  destroy(): string[] {
    const problems: string[] = [];
    for (const l of this.links) spawnSync('ip', ['link', 'del', l.hubIf]); // still in the root namespace when create() failed half way
    for (const ns of [...this.links.map((l) => l.ns), this.hub]) {
      const r = spawnSync('ip', ['netns', 'del', ns], { encoding: 'utf8' });
      if (r.status !== 0 && !/No such file|Cannot remove namespace file/.test(r.stderr ?? '')) problems.push(`ip netns del ${ns}: ${(r.stderr ?? '').trim()}`);
    }
    return problems;
  }

  /** The namespaces of this lab that `ip netns list` still shows. */
  leftovers(): string[] {
    const listed = sh('ip', ['netns', 'list']);
    return [this.hub, ...this.links.map((l) => l.ns)].filter((ns) => new RegExp(`^${ns}(\\s|$)`, 'm').test(listed));
  }
}
