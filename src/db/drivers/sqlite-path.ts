import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * Where `path` really leads: symlinks of the part that exists resolved (the file itself too), the
 * rest appended; opening the path would create exactly that file. Undefined when that cannot be
 * told (a dangling symlink, which opening would follow to wherever it points).
 */
function realTarget(path: string): string | undefined {
  let existing = resolve(path);
  const rest: string[] = [];
  while (!lstatSync(existing, { throwIfNoEntry: false })) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(basename(existing));
    existing = parent;
  }
  try {
    return join(realpathSync(existing), ...rest);
  } catch {
    return undefined;
  }
}

function inside(folder: string | undefined, target: string | undefined): boolean {
  if (folder === undefined || target === undefined) return false;
  const path = relative(folder, target);
  return path !== '' && path.split(sep)[0] !== '..' && !isAbsolute(path);
}

/**
 * Why the database `url` may not be opened for a config from the REST API, or undefined when it
 * may: a `sqlite:` file must lie in `dataDir` (relative paths are taken from the working directory,
 * as when the file is opened), after `..` and symlinks. Other URLs open no local file.
 */
export function sqliteOutsideDataDir(url: string, dataDir: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  const path = url.slice('sqlite:'.length);
  if (path === '' || path === ':memory:') return undefined;
  // A URI filename (file:…?mode=…) is a path of its own syntax, and needs none here.
  if (path.startsWith('file:')) return 'SQLite URI filenames are not accepted: give a path inside INLET_DATA_DIR';
  if (!inside(realTarget(dataDir), realTarget(path))) return `the SQLite file must lie inside INLET_DATA_DIR (${dataDir})`;
  return undefined;
}
