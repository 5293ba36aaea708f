/**
 * Where a config file finds the JSON Schema for its `yaml-language-server: $schema=` line: a
 * reference that resolves from the file's own directory in the repository that holds it, never
 * a path into the org2org repository (`./schemas/…` exists there, not in a config repo).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The schema this org2org ships (dist/cli and src/cli are both two levels below the package). */
export const PACKAGED_SCHEMA = fileURLToPath(new URL('../../schemas/org2org.schema.json', import.meta.url));

/** Where `org2org init` copies the schema in a config repository. */
export const REPO_SCHEMA = 'schemas/org2org.schema.json';

/**
 * `./schemas/org2org.schema.json` when `configDir` has that copy; else the installed package's
 * schema when it lies under `configDir` (node_modules/org2org/…); else null: nothing resolves.
 */
export function schemaReference(configDir: string): string | null {
  if (existsSync(join(configDir, REPO_SCHEMA))) return `./${REPO_SCHEMA}`;
  const rel = relative(configDir, PACKAGED_SCHEMA);
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && rel.includes(`node_modules${sep}`)) return `./${rel.split(sep).join('/')}`;
  return null;
}
