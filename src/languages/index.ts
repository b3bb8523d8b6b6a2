import { node } from './node.js';
import { php } from './php.js';
import { python } from './python.js';
import { ruby } from './ruby.js';
import type { LanguageSpec } from './types.js';

/** The language registry: the only list of languages. Order is the order users see. */
export const languages = { node, php, python, ruby } as const satisfies Record<string, LanguageSpec>;

export type LanguageId = keyof typeof languages;
export const languageIds = Object.keys(languages) as LanguageId[];
export type { LanguageSpec };
