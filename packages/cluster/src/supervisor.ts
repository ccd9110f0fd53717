import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/** Every app with a `src/main.ts` is a Fife process kind (the CLI itself excepted). */
export function discoverApps(): string[] {
  const appsDir = join(repoRoot, 'apps');
  return readdirSync(appsDir)
    .filter((name) => name !== 'cli' && existsSync(join(appsDir, name, 'src', 'main.ts')))
    .sort();
}

export interface SupervisedProcess {
  app: string;
  index: number;
  restarts: number;
  child?: ChildProcess;
  logFile: string;
}

export type SupervisorOptions = {
  env: NodeJS.ProcessEnv;
  logDir: string;
  onEvent: (line: string) => void;
  /** Extra variables for one process (e.g. its own listening port); wins over `env`. */
  processEnv?: (app: string, index: number) => NodeJS.ProcessEnv;
};

/**
 * Runs N processes of one app and restarts any that exits, with backoff, until stopped.
 * Output goes to a log file per process so the terminal stays readable.
 */
export class AppSupervisor {
  readonly processes: SupervisedProcess[] = [];
  private stopping = false;

  constructor(private readonly options: SupervisorOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  start(app: string, count: number): void {
    for (let index = 1; index <= count; index++) {
      const p: SupervisedProcess = { app, index, restarts: 0, logFile: join(this.options.logDir, `${app}-${index}.log`) };
      this.processes.push(p);
      this.spawn(p);
    }
  }

  /** The supervised process `app`#`index`, if there is one. */
  find(app: string, index: number): SupervisedProcess | undefined {
    return this.processes.find((p) => p.app === app && p.index === index);
  }

  /** Sends `signal` to one process (fault injection); the supervisor restarts it like any other exit. */
  kill(app: string, index: number, signal: NodeJS.Signals = 'SIGKILL'): number | undefined {
    const child = this.find(app, index)?.child;
    if (!child?.pid) return undefined;
    child.kill(signal);
    return child.pid;
  }

  private spawn(p: SupervisedProcess): void {
    const main = join(repoRoot, 'apps', p.app, 'src', 'main.ts');
    const out = createWriteStream(p.logFile, { flags: 'a' });
    const env = {
      ...this.options.env,
      NODE_NAME: `${p.app}-${p.index}@${this.options.env.FIFE_HOST ?? 'localhost'}`,
      ...this.options.processEnv?.(p.app, p.index),
    };
    const child = spawn(process.execPath, ['--import', 'tsx', main], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    p.child = child;
    child.once('exit', (code, signal) => {
      p.child = undefined;
      if (this.stopping) return;
      p.restarts++;
      const delay = Math.min(10_000, 500 * 2 ** Math.min(p.restarts - 1, 5));
      this.options.onEvent(`${p.app}#${p.index} exited (${signal ?? code}); restarting in ${delay} ms (log: ${p.logFile})`);
      setTimeout(() => !this.stopping && this.spawn(p), delay);
    });
  }

  /**
   * Stops supervising and SIGKILLs every process at once, synchronously: for a parent that is exiting (e.g. a
   * test runner's timeout) and cannot wait for `stop`, so no process outlives it.
   */
  killAllNow(): void {
    this.stopping = true;
    for (const p of this.processes) p.child?.kill('SIGKILL');
  }

  async stop(timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    const alive = this.processes.map((p) => p.child).filter((c): c is ChildProcess => !!c);
    await Promise.all(
      alive.map(
        (child) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
            child.once('exit', () => (clearTimeout(timer), resolve()));
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
