import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../paths.js';

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

/**
 * Runs N processes of one app and restarts any that exits, with backoff, until stopped.
 * Output goes to a log file per process so the terminal stays readable.
 */
export class AppSupervisor {
  readonly processes: SupervisedProcess[] = [];
  private stopping = false;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
    private readonly onEvent: (line: string) => void,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  start(app: string, count: number): void {
    for (let index = 1; index <= count; index++) {
      const p: SupervisedProcess = { app, index, restarts: 0, logFile: join(this.logDir, `${app}-${index}.log`) };
      this.processes.push(p);
      this.spawn(p);
    }
  }

  private spawn(p: SupervisedProcess): void {
    const main = join(repoRoot, 'apps', p.app, 'src', 'main.ts');
    const out = createWriteStream(p.logFile, { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      cwd: repoRoot,
      env: { ...this.env, NODE_NAME: `${p.app}-${p.index}@${this.env.FIFE_HOST ?? 'localhost'}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    p.child = child;
    child.once('exit', (code, signal) => {
      p.child = undefined;
      if (this.stopping) return;
      p.restarts++;
      const delay = Math.min(10_000, 500 * 2 ** Math.min(p.restarts, 5));
      this.onEvent(`${p.app}#${p.index} exited (${signal ?? code}); restarting in ${delay} ms (log: ${p.logFile})`);
      setTimeout(() => !this.stopping && this.spawn(p), delay);
    });
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
