import { defaultShown, isPositional, options } from './schema.js';

/** The README's options table, derived from the schema (a unit test keeps the README in sync). */
export function optionsTable(): string {
  const rows = options.map((o) => {
    const flag =
      isPositional(o)
        ? `\`[${o.key}]\``
        : [`\`--${o.flag}\``, ...(o.alias ? [`\`-${o.alias}\``] : [])].join(', ');
    const values =
      o.type === 'choice'
        ? o.choices.map((c) => `\`${c}\``).join(' ')
        : o.type === 'dependent-choice'
          ? Object.entries(o.choicesBy)
              .map(([parent, cs]) => `${parent}: ${cs.map((c) => `\`${c}\``).join(' ')}`)
              .join('; ')
          : o.type === 'boolean'
          ? o.answer
            ? `on/off (\`--no-${o.flag}\`)`
            : 'flag'
          : isPositional(o)
            ? 'path'
            : 'text';
    // A note (how the default is derived) reads as prose; a fixed default as a value.
    const noted = (o.type === 'string' && o.defaultNote) || o.type === 'dependent-choice';
    const def = !o.answer ? '' : noted ? defaultShown(o) : `\`${defaultShown(o)}\``;
    return `| ${flag} | ${values} | ${def} | ${o.describe} |`;
  });
  return ['| flag | values | default with `--yes` | what it does |', '|---|---|---|---|', ...rows].join('\n');
}
