import { databaseIds, databases } from '../databases/index.js';
import { frameworkIds, languageIds, languages } from '../languages/index.js';

/**
 * Every option, once. yargs flags, prompts, validation, `--help`, the README's options
 * table and the test matrix are all derived from this list.
 *
 * `answer` options shape the project and are asked in a terminal when no flag gives
 * them; `required` ones must be given (or `--yes`) when there is no terminal. The
 * others (`--force`, `--json` …) only say how to run.
 */
interface Base {
  key: string;
  /** Flag name as typed (`--dry-run`); the positional is named `[directory]`. */
  flag: string;
  alias?: string;
  describe: string;
  answer: boolean;
  required?: boolean;
  prompt?: string;
}
export interface ChoiceOption<T extends string = string> extends Base {
  type: 'choice';
  choices: readonly T[];
  labels: Record<T, string>;
  default: T;
}
export interface BooleanOption extends Base {
  type: 'boolean';
  default: boolean;
}
export interface StringOption extends Base {
  type: 'string';
  /** A fixed default, or a note of how it is derived. */
  default: string;
  defaultNote?: string;
  positional?: boolean;
}
/**
 * A choice whose valid values depend on an earlier answer (`--framework` on `--lang`):
 * validated as a pair, asked only when there is more than one choice, and defaulting to
 * the first choice for that answer.
 */
export interface DependentChoiceOption extends Base {
  type: 'dependent-choice';
  dependsOn: 'lang';
  /** Valid values for each value of `dependsOn`; the first is the default. */
  choicesBy: Record<string, readonly string[]>;
  labels: Record<string, string>;
  /** How the default is chosen, for `--help` and the README. */
  defaultNote: string;
}
export type OptionSpec = ChoiceOption | BooleanOption | StringOption | DependentChoiceOption;

const ciChoices = ['github', 'gitlab', 'both', 'none'] as const;

export const optionSchema = [
  {
    key: 'directory',
    flag: 'directory',
    type: 'string',
    positional: true,
    answer: true,
    required: true,
    default: 'backend-starter',
    describe: 'Where to create the project',
    prompt: 'Project directory',
  },
  {
    key: 'lang',
    flag: 'lang',
    alias: 'l',
    type: 'choice',
    answer: true,
    required: true,
    choices: languageIds,
    labels: Object.fromEntries(languageIds.map((id) => [id, languages[id].label])),
    default: 'node',
    describe: 'Language of the generated service',
    prompt: 'Language',
  },
  {
    key: 'framework',
    flag: 'framework',
    type: 'dependent-choice',
    answer: true,
    dependsOn: 'lang',
    choicesBy: Object.fromEntries(languageIds.map((id) => [id, frameworkIds(id)])),
    labels: Object.fromEntries(
      languageIds.flatMap((id) => Object.entries(languages[id].frameworks).map(([f, spec]) => [f, spec.name])),
    ),
    defaultNote: "the language's first",
    describe: `Framework for the language (${languageIds.map((id) => `${id}: ${frameworkIds(id).join(', ')}`).join('; ')})`,
    prompt: 'Framework',
  },
  {
    key: 'db',
    flag: 'db',
    alias: 'd',
    type: 'choice',
    answer: true,
    required: true,
    choices: databaseIds,
    labels: Object.fromEntries(databaseIds.map((id) => [id, databases[id].label])),
    default: 'postgres',
    describe: 'Database the service is wired to',
    prompt: 'Database',
  },
  {
    key: 'name',
    flag: 'name',
    type: 'string',
    answer: true,
    default: '',
    defaultNote: 'from the directory name, normalised',
    describe: 'Package/project name (lowercase, digits, dashes)',
    prompt: 'Project name',
  },
  {
    key: 'ci',
    flag: 'ci',
    type: 'choice',
    answer: true,
    choices: ciChoices,
    labels: { github: 'GitHub Actions', gitlab: 'GitLab CI', both: 'Both', none: 'None' },
    default: 'github',
    describe: 'CI configuration to generate',
    prompt: 'CI configuration',
  },
  {
    key: 'docker',
    flag: 'docker',
    type: 'boolean',
    answer: true,
    default: true,
    describe: 'Generate Dockerfile, .dockerignore and docker-compose.yml (--no-docker to skip)',
    prompt: 'Add Docker config?',
  },
  {
    // On by default, like --docker and --ci: the product promises deploy config out of the
    // box, and it is one k8s/ directory that builds on the Dockerfile's image and costs
    // nothing until applied (--no-kubernetes leaves it out).
    key: 'kubernetes',
    flag: 'kubernetes',
    type: 'boolean',
    answer: true,
    default: true,
    describe: 'Generate Kubernetes config: a kustomize base and local/production overlays in k8s/ (--no-kubernetes to skip)',
    prompt: 'Add Kubernetes config (kustomize)?',
  },
  {
    key: 'git',
    flag: 'git',
    type: 'boolean',
    answer: true,
    default: true,
    describe: 'Initialise a git repository with a first commit (--no-git to skip)',
    prompt: 'Initialise a git repository?',
  },
  {
    key: 'install',
    flag: 'install',
    type: 'boolean',
    answer: true,
    default: false,
    describe: "Install the generated project's dependencies (make install)",
    prompt: 'Install dependencies now?',
  },
  {
    key: 'yes',
    flag: 'yes',
    alias: 'y',
    type: 'boolean',
    answer: false,
    default: false,
    describe: 'Take defaults for everything not given; never prompt',
  },
  {
    key: 'force',
    flag: 'force',
    type: 'boolean',
    answer: false,
    default: false,
    describe: 'Write into a non-empty directory (existing files that differ are kept as *.orig)',
  },
  {
    key: 'dryRun',
    flag: 'dry-run',
    type: 'boolean',
    answer: false,
    default: false,
    describe: 'Print what would be written; write nothing',
  },
  {
    key: 'json',
    flag: 'json',
    type: 'boolean',
    answer: false,
    default: false,
    describe: 'Print one JSON result object on stdout; logs go to stderr',
  },
] as const satisfies readonly OptionSpec[];

export type OptionKey = (typeof optionSchema)[number]['key'];
export type CiChoiceId = (typeof ciChoices)[number];

/** The schema, widened to the common option type every consumer iterates over. */
export const options: readonly OptionSpec[] = optionSchema;

export function optionByKey(key: OptionKey): OptionSpec {
  const found = options.find((o) => o.key === key);
  if (!found) throw new Error(`no option ${key}`);
  return found;
}

export function isPositional(o: OptionSpec): boolean {
  return o.type === 'string' && o.positional === true;
}

/** The name a parser reports the option under: the positional's key, else the flag. */
export function argName(o: OptionSpec): string {
  return isPositional(o) ? o.key : o.flag;
}

/** The choices of a dependent option for the answers so far (all of them when its parent is unknown). */
export function choicesOf(o: DependentChoiceOption, answers: Partial<Record<string, unknown>>): readonly string[] {
  const parent = answers[o.dependsOn];
  if (typeof parent === 'string' && Object.hasOwn(o.choicesBy, parent)) return o.choicesBy[parent]!;
  return [...new Set(Object.values(o.choicesBy).flat())];
}

/** What `--help` and the README show as an option's default. */
export function defaultShown(o: OptionSpec): string {
  if (o.type === 'dependent-choice') return o.defaultNote;
  if (o.type === 'string') return o.defaultNote ?? o.default;
  return String(o.default);
}

/** The value an option takes when not given, for the answers so far. */
export function defaultFor(o: OptionSpec, answers: Partial<Record<string, unknown>>): string | boolean {
  return o.type === 'dependent-choice' ? choicesOf(o, answers)[0]! : o.default;
}

type Answered = Partial<Record<string, unknown>>;

/**
 * A question for one answer flags did not give, in neutral form for any prompt library.
 * A question that depends on an earlier answer carries `when` and a `choices` function of
 * the answers so far, as Inquirer takes them.
 */
export interface Question {
  key: OptionKey;
  kind: 'select' | 'confirm' | 'input';
  message: string;
  choices?: Array<{ value: string; name: string }> | ((answers: Answered) => Array<{ value: string; name: string }>);
  default?: string | boolean | ((answers: Answered) => string);
  /** Ask only when this holds for the answers so far (a dependent choice with one value is not asked). */
  when?: (answers: Answered) => boolean;
}

/**
 * The questions to ask, in schema order, for the answers `given` lacks. The name has no
 * default of its own: an empty answer means "derive it from the directory".
 */
export function questionsFor(given: Partial<Record<OptionKey, unknown>>): Question[] {
  return options
    .filter((o) => o.answer && o.prompt && given[o.key as OptionKey] === undefined)
    .map((o): Question => {
      if (o.type === 'dependent-choice') {
        // Prompt libraries pass only the answers they asked for; flags fill in the rest.
        const all = (answers: Answered) => choicesOf(o, { ...given, ...answers });
        return {
          key: o.key as OptionKey,
          kind: 'select',
          message: o.prompt!,
          choices: (answers) => all(answers).map((c) => ({ value: c, name: o.labels[c] ?? c })),
          default: (answers) => all(answers)[0]!,
          when: (answers) => all(answers).length > 1,
        };
      }
      return {
        key: o.key as OptionKey,
        kind: o.type === 'choice' ? 'select' : o.type === 'boolean' ? 'confirm' : 'input',
        message: o.prompt!,
        ...(o.type === 'choice' ? { choices: o.choices.map((c) => ({ value: c, name: o.labels[c] ?? c })) } : {}),
        ...(o.key === 'name' ? {} : { default: o.default }),
      };
    });
}

/** `--lang node|php|python|ruby`, for messages and the example command. */
export function flagUsage(o: OptionSpec): string {
  if (isPositional(o)) return `<${o.key}>`;
  if (o.type === 'choice') return `--${o.flag} ${o.choices.join('|')}`;
  if (o.type === 'boolean') return `--${o.flag}`;
  return `--${o.flag} <${o.key}>`;
}
