import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json',
};

/** A built single-page site served from one folder: `/` is its index.html, and only its own files are served. */
export interface StaticSite {
  dir: string;
  /** Headers on every file (e.g. the Content-Security-Policy). */
  headers: Record<string, string>;
}

/** The file answering `pathname` in the site (index.html for `/`), or null; never outside the folder. */
export function siteFile(
  site: StaticSite,
  pathname: string,
): { body: Buffer; type: string; immutable: boolean } | null {
  // The console keeps nothing in its URLs, so no other path falls back to the page: a path is a file or nothing.
  let relative: string;
  try {
    relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  } catch {
    return null; // malformed percent-encoding
  }
  const file = normalize(join(site.dir, relative));
  if (!file.startsWith(normalize(site.dir) + sep) || !existsSync(file) || !statSync(file).isFile()) return null;
  // Hashed asset names never change; the page itself is always fetched afresh.
  return {
    body: readFileSync(file),
    type: TYPES[extname(file)] ?? 'application/octet-stream',
    immutable: relative.startsWith('assets/'),
  };
}
