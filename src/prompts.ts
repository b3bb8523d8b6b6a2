// The prompts the CLI asks, re-exported statically so the bundle keeps just these three
// and not all of @inquirer/prompts (its editor prompt alone brings ~700 KB of encodings).
export { confirm, input, select } from '@inquirer/prompts';
