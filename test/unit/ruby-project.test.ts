import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { databaseIds } from '../../src/databases/index.js';
import { createBackend } from '../../src/index.js';
import { gemRequirement } from '../../src/languages/ruby.js';
import { ruby as pinned } from '../../src/versions.js';
import { listTree, tempDir } from '../cli/run-cli.js';

/** Ruby projects are written for the releases they pin, and say so in their manifests. */
describe.each(databaseIds)('Ruby × %s project', (db) => {
  const generated = (async () => {
    const dir = path.join(await tempDir(`ruby-project-${db}`), 'my-api');
    await createBackend({ directory: dir, lang: 'ruby', db, ci: 'both', docker: true, git: false });
    const files = await listTree(dir);
    const read = (f: string) => readFile(path.join(dir, f), 'utf8');
    return { files, read };
  })();

  it('pins its Ruby in .ruby-version, which the Gemfile, RuboCop and the Docker image agree with', async () => {
    const { read } = await generated;
    expect(await read('.ruby-version')).toBe(`${pinned.version}\n`);
    const gemfile = await read('Gemfile');
    expect(gemfile).toMatch(/^ruby file: '\.ruby-version'$/m);
    expect(gemfile).not.toMatch(/^ruby '/m);
    const rubocopText = await read('.rubocop.yml');
    const rubocop = parseYaml(rubocopText) as { AllCops: Record<string, unknown> };
    // RuboCop reads the version as a YAML float, as this parser does (4.0 → 4).
    const target = pinned.version.split('.').slice(0, 2).join('.');
    expect(rubocop.AllCops.TargetRubyVersion).toBe(Number(target));
    expect(rubocopText).toContain(`TargetRubyVersion: ${target}\n`);
    expect(rubocop.AllCops.NewCops).toBe('enable');
    expect(await read('Dockerfile')).toContain(`FROM ruby:${pinned.version}-`);
    expect(await read('Dockerfile')).toMatch(/^COPY .*\.ruby-version/m);
  });

  it('requires every gem with ~> at its pinned release', async () => {
    const { read } = await generated;
    const lines = [...(await read('Gemfile')).matchAll(/^\s*gem '([^']+)', '([^']+)'/gm)];
    expect(lines.length).toBeGreaterThan(5);
    for (const [, name, requirement] of lines) {
      const version = (pinned.gems as Record<string, string>)[name!];
      expect(version, `${name} is not pinned in src/versions.ts`).toBeDefined();
      expect(requirement, name).toBe(gemRequirement(version!));
      expect(requirement, name).toMatch(/^~> \d+\.\d+(\.\d+)?$/);
    }
  });

  it('has the three test layers, a make target and a rake task for each, and `make test` runs all three', async () => {
    const { files, read } = await generated;
    const makefile = await read('Makefile');
    expect(makefile).toMatch(/^test: test-unit test-integration test-functional ##/m);
    const rakefile = await read('Rakefile');
    expect(rakefile).toMatch(/task spec: %w\[spec:unit spec:integration spec:functional\]/);
    for (const layer of ['unit', 'integration', 'functional']) {
      expect(makefile).toMatch(new RegExp(`^test-${layer}: ##.*\n\t(.*)$`, 'm'));
      expect(new RegExp(`^test-${layer}: ##.*\n\t(.*)$`, 'm').exec(makefile)![1]).toBe(`$(BUNDLE_EXEC) $(RUBY) -S rspec spec/${layer}`);
      expect(files.filter((f) => f.startsWith(`spec/${layer}/`) && f.endsWith('_spec.rb')).length, layer).toBeGreaterThan(1);
    }
    expect(rakefile).toContain('t.pattern = "spec/#{layer}/**/*_spec.rb"');
    expect(await read('README.md')).toContain('make test-functional BASE_URL=http://localhost:3000');
  });

  it('keeps the functional layer black-box: its specs and helpers load nothing of the app', async () => {
    const { files, read } = await generated;
    const functional = files.filter((f) => f.startsWith('spec/functional/'));
    const helpers = ['spec/spec_helper.rb', 'spec/functional_helper.rb', 'spec/support/http_helpers.rb', 'spec/support/local_service.rb'];
    for (const f of [...functional, ...helpers]) {
      const text = await read(f);
      expect(text, f).not.toMatch(/^\s*require(_relative)? .*(app_helper|rack\/test|lib\/)/m);
      expect(text, f).not.toMatch(/Rack::Test|MyApi|\bApp\b/);
    }
    for (const f of functional) expect(await read(f), f).toMatch(/^require 'functional_helper'$/m);
    for (const f of files.filter((f) => /^spec\/(unit|integration)\/.*_spec\.rb$/.test(f))) {
      expect(await read(f), f).toMatch(/^require 'app_helper'$/m);
    }
  });

  it('mentions no stand-in release (Sinatra 3, Rack 2, Puma 5, Ruby 3.1, RuboCop 1.39)', async () => {
    const { files, read } = await generated;
    for (const f of files) {
      expect(await read(f), f).not.toMatch(/Sinatra 3|Rack 2|Puma 5|Ruby 3\.1|RuboCop 1\.39|URI\.decode\b/i);
    }
  });
});

describe('gemRequirement', () => {
  it('allows compatible releases: the minor series from 1.0 on, the patch series below', () => {
    expect(gemRequirement('4.2.2')).toBe('~> 4.2');
    expect(gemRequirement('13.4.2')).toBe('~> 13.4');
    expect(gemRequirement('0.5.7')).toBe('~> 0.5.7');
    expect(gemRequirement('0.14.0')).toBe('~> 0.14.0');
  });
});
