import { node } from './node.js';
import { php } from './php.js';
import { python } from './python.js';
import { ruby } from './ruby.js';
import { databaseIds, type DatabaseId } from '../databases/index.js';
import type { Connector, FrameworkSpec, LanguageSpec } from './types.js';

/** The language registry: the only list of languages. Order is the order users see. */
export const languages = { node, php, python, ruby } as const satisfies Record<string, LanguageSpec>;

export type LanguageId = keyof typeof languages;
export const languageIds = Object.keys(languages) as LanguageId[];
export type { FrameworkSpec, LanguageSpec };

type FrameworkOf<L extends LanguageId> = keyof (typeof languages)[L]['frameworks'] & string;
/** Every framework id of every language (`fastify`, `express`, `fastapi` …). */
export type FrameworkId = { [L in LanguageId]: FrameworkOf<L> }[LanguageId];

/** A language's framework ids in the order users see them; the first is its default. */
export function frameworkIds(lang: LanguageId): FrameworkId[] {
  return Object.keys(languages[lang].frameworks) as FrameworkId[];
}

export function defaultFramework(lang: LanguageId): FrameworkId {
  return frameworkIds(lang)[0]!;
}

export function frameworkSpec(lang: LanguageId, framework: string): FrameworkSpec | undefined {
  return Object.hasOwn(languages[lang].frameworks, framework)
    ? (languages[lang].frameworks as Record<string, FrameworkSpec>)[framework]
    : undefined;
}

/**
 * The language as one framework of it sees it: the framework's overrides (make targets,
 * container commands, migrations directory, Docker files, layout) merged over the language's.
 */
export function languageFor(lang: LanguageId, framework: string): LanguageSpec {
  const base: LanguageSpec = languages[lang];
  const o = frameworkSpec(lang, framework)?.overrides;
  if (!o) return base;
  return {
    ...base,
    make: {
      variables: { ...base.make.variables, ...o.make?.variables },
      targets: { ...base.make.targets, ...o.make?.targets },
      ...(o.make?.testLayers ?? base.make.testLayers ? { testLayers: o.make?.testLayers ?? base.make.testLayers } : {}),
    },
    container: { ...base.container, ...o.container },
    sqlMigrationsDir: o.sqlMigrationsDir === undefined ? base.sqlMigrationsDir : o.sqlMigrationsDir,
    schemaChange: o.schemaChange ?? base.schemaChange,
    dockerFiles: o.dockerFiles ?? base.dockerFiles,
    layout: o.layout ?? base.layout,
  };
}

/** The connector a framework uses for a database: its own, else its language's. */
export function connectorFor(lang: LanguageId, framework: string, db: DatabaseId): Connector | undefined {
  return frameworkSpec(lang, framework)?.connectors?.[db] ?? languages[lang].connectors[db];
}

export interface Combination {
  lang: LanguageId;
  framework: FrameworkId;
  db: DatabaseId;
}

/** Every language × framework × database the registries hold: the test matrix. */
export function combinations(): Combination[] {
  return languageIds.flatMap((lang) =>
    frameworkIds(lang).flatMap((framework) =>
      databaseIds.filter((db) => !frameworkSpec(lang, framework)?.refuses?.[db]).map((db) => ({ lang, framework, db })),
    ),
  );
}
