/**
 * PHP projects run on Debian's PHP 8.2 with Debian's packaged libraries. Packagist is not
 * reachable here, so the real `make install` (`composer install` of the pinned releases:
 * Symfony 7.4, PHPUnit 13, PHP-CS-Fixer) cannot run. Instead:
 *
 * - Symfony HttpFoundation and Routing are Debian's 5.4 releases (same API as far as the
 *   generated code goes), each with a Debian-made `autoload.php`;
 * - `composer dump-autoload`, which works offline, writes the project's own PSR-4
 *   autoloader from a copy of its composer.json that also loads those two files
 *   (`autoload.files`). The copy lives in vendor/ (git-ignored, never shipped), named by
 *   COMPOSER=…, so the project's composer.json is left exactly as generated;
 * - tests run with Debian's PHPUnit 9.6 (`PHPUNIT=/usr/bin/phpunit`), which the
 *   generated tests are written to run on as well as on PHPUnit 13.
 *
 * PHP-CS-Fixer is not packaged by Debian, so `make lint` cannot run here.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { run, runOk } from '../../support/processes.js';
import type { LocalRuntime } from './types.js';

const PHP = '/usr/bin/php';
const PHPUNIT = '/usr/bin/phpunit';
const SYMFONY = '/usr/share/php/Symfony/Component';

/** PHP extension the generated projects load → the Debian package that provides it. */
const EXTENSIONS: Record<string, string> = {
  pdo_pgsql: 'php-pgsql',
  pdo_mysql: 'php-mysql',
  mongodb: 'php-mongodb',
  mbstring: 'php-mbstring',
};

/** Debian's autoloaders for the Symfony components composer.json requires. */
const AUTOLOADERS: Record<string, string> = {
  [`${SYMFONY}/HttpFoundation/autoload.php`]: 'php-symfony-http-foundation',
  [`${SYMFONY}/Routing/autoload.php`]: 'php-symfony-routing',
};

const COMMANDS: Record<string, string> = { make: 'make', composer: 'composer' };

/** Prints the extensions that are not loaded, one per line. */
const PROBE = `
if (PHP_VERSION_ID < 80200) { fwrite(STDERR, "PHP 8.2 or newer is needed, this is " . PHP_VERSION . "\\n"); exit(1); }
foreach (array_slice($argv, 1) as $ext) { if (!extension_loaded($ext)) { echo $ext, "\\n"; } }
`;

const APT_LINE = `apt-get install php-cli phpunit composer ${[...Object.values(EXTENSIONS), ...Object.values(AUTOLOADERS)].join(' ')}`;

export const runtime: LocalRuntime = {
  async lintUnavailable() {
    return 'PHP-CS-Fixer cannot be installed here (Packagist is unreachable and Debian 12 does not package it)';
  },
  async unavailable() {
    if (!existsSync(PHP)) return `${PHP} does not exist (${APT_LINE})`;
    if (!existsSync(PHPUNIT)) return `${PHPUNIT} does not exist (apt-get install phpunit)`;
    for (const [command, pkg] of Object.entries(COMMANDS)) {
      const found = await run('sh', ['-c', `command -v ${command}`], { cwd: homedir(), timeoutMs: 10_000 });
      if (found.code !== 0) return `\`${command}\` is not on PATH (apt-get install ${pkg})`;
    }
    const missingFiles = Object.keys(AUTOLOADERS).filter((file) => !existsSync(file));
    if (missingFiles.length > 0) {
      return `Symfony components are missing: ${missingFiles.join(', ')} (apt-get install ${missingFiles.map((f) => AUTOLOADERS[f]).join(' ')})`;
    }
    const probe = await run(PHP, ['-r', PROBE, ...Object.keys(EXTENSIONS)], { cwd: homedir(), timeoutMs: 30_000 });
    if (probe.code !== 0) return `${PHP} cannot run the extension check: ${probe.stderr.trim().split('\n').at(-1)}`;
    const missing = probe.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    if (missing.length > 0) {
      return `${PHP} lacks the extensions ${missing.join(', ')} (apt-get install ${missing.map((e) => EXTENSIONS[e] ?? `php-${e}`).join(' ')})`;
    }
    return null;
  },

  // Debian's PHPUnit 9.6 instead of vendor/bin/phpunit, which only `composer install` brings.
  makeVars: { PHP, PHPUNIT },

  async env() {
    return {};
  },

  // No download (Packagist is unreachable): the project's autoloader, generated offline,
  // plus Debian's Symfony autoloaders, stand in for `composer install`.
  async install(dir, env) {
    const manifest = JSON.parse(await readFile(path.join(dir, 'composer.json'), 'utf8')) as {
      autoload?: Record<string, unknown>;
    };
    manifest.autoload = { ...manifest.autoload, files: Object.keys(AUTOLOADERS) };
    const offline = path.join(dir, 'vendor', 'composer.offline.json');
    await mkdir(path.dirname(offline), { recursive: true });
    await writeFile(offline, JSON.stringify(manifest, null, 4) + '\n');
    // Composer takes the working directory as the project root, wherever COMPOSER points.
    await runOk('composer', ['dump-autoload', '--dev', '--no-interaction'], {
      cwd: dir,
      env: { ...env, COMPOSER: offline, COMPOSER_ALLOW_SUPERUSER: '1', COMPOSER_DISABLE_NETWORK: '1' },
      timeoutMs: 120_000,
    });
    // Proof that the sources load with these libraries, as an install would give.
    await runOk(PHP, ['-r', 'require "vendor/autoload.php"; new Symfony\\Component\\Routing\\RouteCollection(); echo "ok\\n";'], {
      cwd: dir,
      env,
      timeoutMs: 30_000,
    });
  },
};
