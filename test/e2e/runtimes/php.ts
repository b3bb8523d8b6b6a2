/**
 * PHP projects run inside the Debian 13 root (debian13.ts): PHP 8.4, its php-fpm and nginx,
 * and Debian's packaged libraries. Packagist is not reachable here, so the real
 * `make install` (`composer install` of the pinned releases: Symfony 7.4, Monolog 3,
 * PHPUnit 13, PHP-CS-Fixer) cannot run. Instead:
 *
 * - Symfony HttpFoundation, Routing and Dotenv are Debian 13's 6.4 releases (the nearest
 *   packaged; the generated code uses nothing 7.x added), Monolog is Debian's 3.9, each
 *   with a Debian-made `autoload.php`;
 * - `composer dump-autoload`, which works offline, writes the project's own PSR-4
 *   autoloader from a copy of its composer.json that also loads those files
 *   (`autoload.files`). The copy lives in vendor/ (git-ignored, never shipped), named by
 *   COMPOSER=…, so the project's composer.json is left exactly as generated;
 * - tests run with Debian's PHPUnit 11.5 (`PHPUNIT=/usr/bin/phpunit`): the generated tests
 *   and phpunit.xml.dist are written for PHPUnit 13 and use nothing 11.5 lacks;
 * - `make start` serves through the project's own config/nginx.conf and
 *   config/php-fpm.conf with Debian's nginx and php-fpm8.4, as the container does.
 *
 * Every PHP file also passes `php -l` there (Debian 12's PHP 8.2 cannot parse PHP 8.4 code).
 * PHP-CS-Fixer is not packaged by Debian, so `make lint` cannot run here.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runOk } from '../../support/processes.js';
import { PACKAGES, debian13Unavailable, ensureDebian13Root, inRoot, installedVersions } from './debian13.js';
import type { LocalRuntime } from './types.js';

const SYMFONY = '/usr/share/php/Symfony/Component';

/** Debian's autoloaders for what composer.json requires → the package that ships each. */
const AUTOLOADERS: Record<string, (typeof PACKAGES.php)[number]> = {
  [`${SYMFONY}/HttpFoundation/autoload.php`]: 'php-symfony-http-foundation',
  [`${SYMFONY}/Routing/autoload.php`]: 'php-symfony-routing',
  [`${SYMFONY}/Dotenv/autoload.php`]: 'php-symfony-dotenv',
  '/usr/share/php/Monolog/autoload.php': 'php-monolog',
};

/** Reported as "ran on" in the output. */
const REPORTED = [
  'php8.4-cli', 'php8.4-fpm', 'nginx', 'phpunit', 'php-symfony-http-foundation', 'php-symfony-routing',
  'php-symfony-dotenv', 'php-monolog', 'php-mongodb',
] as const satisfies readonly (typeof PACKAGES.php)[number][];

/** Fails unless this PHP meets composer.json's constraint and has every extension it requires. */
const PROBE = `
$manifest = json_decode(file_get_contents('composer.json'), true, 512, JSON_THROW_ON_ERROR);
if (!preg_match('/^>=(\\d+\\.\\d+\\.\\d+)$/', $manifest['require']['php'], $m) || version_compare(PHP_VERSION, $m[1], '<')) {
    fwrite(STDERR, "PHP " . PHP_VERSION . " does not meet composer.json's php " . $manifest['require']['php'] . "\\n");
    exit(1);
}
foreach (array_keys($manifest['require']) as $name) {
    if (str_starts_with($name, 'ext-') && !extension_loaded(substr($name, 4))) {
        fwrite(STDERR, "PHP lacks the extension {$name}\\n");
        exit(1);
    }
}
`;

let reported = false;

/** The project's PHP files, relative to it (vendor/ left out). */
async function phpFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.php'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith('vendor/'))
    .sort();
}

export const runtime: LocalRuntime = {
  async lintUnavailable() {
    return 'PHP-CS-Fixer cannot be installed here (Packagist is unreachable and neither Debian 12 nor 13 packages it)';
  },
  async unavailable() {
    return debian13Unavailable();
  },

  // Debian's PHPUnit 11.5 instead of vendor/bin/phpunit, which only `composer install` brings;
  // Debian names its PHP-FPM binary after the PHP version.
  makeVars: { PHPUNIT: '/usr/bin/phpunit', PHP_FPM: 'php-fpm8.4' },

  async env() {
    return {};
  },

  async wrap(command, args, cwd) {
    const root = await ensureDebian13Root();
    // The whole temporary tree of this run, so the project and its siblings are there.
    return inRoot(root, command, args, { cwd, binds: [path.dirname(cwd)] });
  },

  // No download (Packagist is unreachable): the project's autoloader, generated offline,
  // plus Debian's autoloaders, stand in for `composer install`.
  async install(dir, env) {
    const root = await ensureDebian13Root();
    if (!reported) {
      reported = true;
      console.log(`[php] Packagist is unreachable: PHP projects run in Debian 13 on ${await installedVersions(root, REPORTED)}`);
    }
    const manifest = JSON.parse(await readFile(path.join(dir, 'composer.json'), 'utf8')) as {
      autoload?: Record<string, unknown>;
    };
    manifest.autoload = { ...manifest.autoload, files: Object.keys(AUTOLOADERS) };
    const offline = path.join(dir, 'vendor', 'composer.offline.json');
    await mkdir(path.dirname(offline), { recursive: true });
    await writeFile(offline, JSON.stringify(manifest, null, 4) + '\n');

    const inside = (command: string, args: string[]) => inRoot(root, command, args, { cwd: dir, binds: [path.dirname(dir)] });
    const probe = inside('php', ['-r', PROBE]);
    await runOk(probe.command, probe.args, { cwd: dir, env, timeoutMs: 60_000 });
    // The syntax check of every PHP file, on a PHP that reads what the code is written for
    // (typed class constants need 8.3, so Debian 12's PHP 8.2 cannot check it).
    const sources = await phpFiles(dir);
    const lint = inside('php', ['-l', ...sources]);
    await runOk(lint.command, lint.args, { cwd: dir, env, timeoutMs: 60_000 });
    // Composer takes the working directory as the project root, wherever COMPOSER points.
    const dump = inside('composer', ['dump-autoload', '--dev', '--no-interaction']);
    await runOk(dump.command, dump.args, {
      cwd: dir,
      env: { ...env, COMPOSER: offline, COMPOSER_ALLOW_SUPERUSER: '1', COMPOSER_DISABLE_NETWORK: '1' },
      timeoutMs: 120_000,
    });
  },
};
