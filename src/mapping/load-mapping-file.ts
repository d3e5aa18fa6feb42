import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, MappingError, coerceError } from '../errors.js';
import { canonicalHash } from './canonical-json.js';
import type { MappingSpec } from './mapping-spec.js';
import { parseMapping } from './parse-mapping.js';

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);

/** A mapping read from disk, validated, with the hash that goes into the job's fingerprint. */
export interface LoadedMapping {
  spec: MappingSpec;
  /** Absolute path of the file. */
  file: string;
  /** SHA-256 of the parsed spec's canonical JSON: stable across key order and shorthand spelling. */
  hash: string;
}

/**
 * Reads a mapping file: `.ts`/`.mts`/`.js`/`.mjs` through dynamic `import()` (the CLI runs under
 * tsx, so TypeScript loads as is) using its default export, `.json` through the file system.
 * @throws ConfigError when the file is missing or of an unknown kind
 * @throws MappingError (naming the file) when it cannot be loaded or is not a valid mapping
 */
export async function loadMappingFile(path: string): Promise<LoadedMapping> {
  const file = resolve(path);
  const extension = extname(file).toLowerCase();
  if (extension !== '.json' && !MODULE_EXTENSIONS.has(extension)) {
    throw new ConfigError(`mapping file ${path} must be .ts, .mts, .js, .mjs or .json`);
  }
  const found = await stat(file).catch(() => undefined);
  if (!found?.isFile()) throw new ConfigError(`mapping file not found: ${path}`);

  const document = extension === '.json' ? await readJson(file, path) : await importDefault(file, path);
  const spec = parseMapping(document, path);
  return { spec, file, hash: canonicalHash(spec) };
}

async function readJson(file: string, shownAs: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MappingError(shownAs, '', `is not valid JSON: ${coerceError(error).message}`, { cause: error });
  }
}

async function importDefault(file: string, shownAs: string): Promise<unknown> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new MappingError(shownAs, '', `cannot be loaded: ${coerceError(error).message}`, { cause: error });
  }
  if (module.default === undefined) {
    throw new MappingError(shownAs, '', 'has no default export (write `export default defineMapping({ ... })`)');
  }
  return module.default;
}
