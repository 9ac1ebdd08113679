// Builds and packs the published packages, then installs the tarballs into a fresh app outside the
// workspace (a copy of consumer/app under the OS temp folder), the way a user's `npm install` does.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { publishedPackages } from '../../scripts/packages.mjs';

/** The tools the consumer app installs, at the versions the workspace has (so they come from the npm cache). */
const appTools = ['vite', 'webpack', 'webpack-cli', 'esbuild', 'typescript', '@types/node', '@types/react', 'react', 'react-dom'];

/**
 * The environment for npm and node in the app: none of the workspace's npm_* variables (an outer
 * `npm test` sets its package, lifecycle and workspace ones), no NODE_OPTIONS (no loader may help).
 */
export function cleanEnv() {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || (key.toLowerCase().startsWith('npm_') && !keep.has(key.toLowerCase()))) continue;
    env[key] = value;
  }
  return env;
}

export function run(command, args, cwd, { quiet = true } = {}) {
  const child = spawnSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0) {
    const output = `${child.stdout ?? ''}\n${child.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${child.status ?? child.signal}:\n${output}`);
  }
  if (!quiet) process.stdout.write(child.stdout);
  return child.stdout;
}

/**
 * `npm run build`, then `npm pack` of every published package into `into`. Returns the tarball
 * path per package name. dist/ folders the build created are removed again afterwards (the
 * workspace itself runs from sources; see tsconfig.json's paths), existing ones are left rebuilt.
 */
export function buildAndPack(root, into) {
  const hadDist = new Set(publishedPackages.filter((p) => existsSync(path.join(root, p.dir, 'dist'))).map((p) => p.name));
  try {
    run(process.execPath, ['scripts/build.mjs'], root);
    mkdirSync(into, { recursive: true });
    // --ignore-scripts: the prepack build just ran above, once for all packages.
    const args = ['pack', '--json', '--ignore-scripts', '--pack-destination', into, ...publishedPackages.flatMap((p) => ['--workspace', p.dir])];
    const packed = JSON.parse(run('npm', args, root));
    return Object.fromEntries(packed.map((p) => [p.name, path.join(into, p.filename)]));
  } finally {
    for (const pkg of publishedPackages) if (!hadDist.has(pkg.name)) rmSync(path.join(root, pkg.dir, 'dist'), { recursive: true, force: true });
  }
}

/** Copies consumer/app to `appDir`, points its dependencies at the tarballs and installs. */
export function installApp(root, appDir, tarballs) {
  cpSync(path.join(root, 'consumer/app'), appDir, { recursive: true });
  const manifestPath = path.join(appDir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
  manifest.devDependencies = Object.fromEntries(
    appTools.map((name) => [name, JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version]),
  );
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], appDir);
}

/** The installed package's directory in the app (its node_modules, not the workspace). */
export function installedDir(appDir, name) {
  return path.join(appDir, 'node_modules', name);
}

export function nodeVersion() {
  return execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim();
}
