import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

// PGlite's initdb takes many seconds; a snapshot of a fresh data directory makes later starts fast.
const SNAPSHOT = fileURLToPath(new URL('../node_modules/.cache/pglite-fresh.tar.gz', import.meta.url));

/** A new in-memory PGlite database, from the cached snapshot when there is one. */
export async function createPGlite(): Promise<PGlite> {
  const snapshot = await readFile(SNAPSHOT).catch(() => undefined);
  if (snapshot !== undefined) {
    try {
      return await PGlite.create({ loadDataDir: new Blob([snapshot]) });
    } catch {
      // A snapshot from another PGlite version: start from scratch and replace it.
    }
  }
  const db = await PGlite.create();
  try {
    const dump = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
    await mkdir(dirname(SNAPSHOT), { recursive: true });
    const partial = `${SNAPSHOT}.${process.pid}`;
    await writeFile(partial, dump);
    await rename(partial, SNAPSHOT);
  } catch {
    // Only a cache: the next start runs initdb again.
  }
  return db;
}
