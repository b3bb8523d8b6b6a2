import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs from 'ejs';
import type { Plan } from '../plan/build-plan.js';

export interface RenderedFile {
  path: string;
  content: Buffer;
  mode?: number;
  secret?: boolean;
}

/** Render every planned file in memory; nothing touches the target until all succeeded. */
export async function renderPlan(plan: Plan, templatesDir: string): Promise<RenderedFile[]> {
  return Promise.all(
    plan.files.map(async (f): Promise<RenderedFile> => {
      const base = { path: f.path, ...(f.mode ? { mode: f.mode } : {}) };
      if (f.source === 'content') {
        return { ...base, content: Buffer.from(f.content, 'utf8'), ...(f.secret ? { secret: true } : {}) };
      }
      const file = path.join(templatesDir, f.template);
      const raw = await readFile(file);
      if (!f.template.endsWith('.ejs')) return { ...base, content: raw };
      try {
        // No template writes HTML: `<%= %>` must not turn a README's `'` into `&#39;` or a
        // source file's `<` into `&lt;`.
        const text = ejs.render(raw.toString('utf8'), f.data ? { ...plan.templateData, ...f.data } : plan.templateData, { filename: file, strict: false, escape: String });
        return { ...base, content: Buffer.from(text, 'utf8') };
      } catch (err) {
        throw new Error(`template ${f.template} failed for ${f.path}: ${(err as Error).message}`);
      }
    }),
  );
}
