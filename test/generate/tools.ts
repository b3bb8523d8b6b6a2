import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * A checker this machine may lack. Missing ones are skipped loudly; under CI=true,
 * `.ci/run` installs them, so a missing one is a failure instead.
 */
export interface Tool {
  name: string;
  bin: string;
  available: boolean;
}

function which(bin: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(`${d}/${bin}`)) || existsSync(bin);
}

export const tools = {
  dockerCompose: { name: 'docker-compose (apt: docker-compose)', bin: 'docker-compose', available: which('docker-compose') },
  ruby: { name: 'ruby (apt: ruby)', bin: 'ruby', available: which('ruby') },
  // pyenv's python3 may come first on PATH; Debian's is the one .ci/run provides.
  python: { name: 'python3 (apt: python3)', bin: '/usr/bin/python3', available: existsSync('/usr/bin/python3') },
} satisfies Record<string, Tool>;

/** Skip, or in CI fail, when a tool is missing; says which either way. */
export function requireTool(tool: Tool): boolean {
  if (tool.available) return true;
  if (process.env.CI === 'true') throw new Error(`${tool.name} is missing in CI; .ci/run should have installed it`);
  console.warn(`SKIPPED check: ${tool.name} is not installed`);
  return false;
}

export async function run(bin: string, args: string[], cwd: string) {
  try {
    const r = await exec(bin, args, { cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
