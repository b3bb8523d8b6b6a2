import { generate, type GenerateResult, type Reporter } from './generate.js';
import { resolveOptions, UsageError, type RawAnswers } from './options/resolve.js';

export { buildPlan, type Plan } from './plan/build-plan.js';
export { renderPlan, type RenderedFile } from './render/render.js';
export { optionSchema } from './options/schema.js';
export { combinations, frameworkIds, languages, languageIds, type Combination, type FrameworkId, type LanguageId } from './languages/index.js';
export { databases, databaseIds, type DatabaseId } from './databases/index.js';
export { UsageError, GenerateResult };
export { GenerationError } from './generate.js';
export { updateProject, UpdateError, type UpdateOptions, type UpdateResult } from './update/update.js';
export type { Answers, GenerateOptions } from './plan/types.js';

/**
 * Library entry point: the same options as the CLI flags (camelCase keys), validated
 * the same way; anything not given takes its default, as with `--yes`.
 */
export async function createBackend(options: RawAnswers, reporter?: Reporter): Promise<GenerateResult> {
  return generate(resolveOptions(options), reporter);
}
