import type { LanguageId } from '../../../src/languages/index.js';
import { runtime as node } from './node.js';
import { runtime as php } from './php.js';
import { runtime as python } from './python.js';
import { runtime as ruby } from './ruby.js';
import type { LocalRuntime } from './types.js';

/** Typed by the registry: a language added there without a runtime here fails to compile. */
export const runtimes: Record<LanguageId, LocalRuntime> = { node, php, python, ruby };
