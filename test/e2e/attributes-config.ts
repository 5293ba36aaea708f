/**
 * The root config carrying attributes to the Hub (test/e2e/attributes.test.ts and the docs page's
 * plan): `department` as a Hub default from each Spoke user's department, and each Spoke's
 * `spokeOrigin` marker, created where missing.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT_CONFIG = readFileSync(fileURLToPath(new URL('../../org2org.config.yaml', import.meta.url)), 'utf8');

export const DEPARTMENTS: Record<string, string> = {
  'alice@acme.com': 'Sales',
  'bob@acme.com': 'Legal',
  'chloe@acme.com': 'Engineering',
  'kenji@acme.com': 'Support',
  'mei@acme.com': 'Support',
};

/**
 * The root config carrying `department` (Hub default) and each Spoke's `spokeOrigin`;
 * `departmentSource` replaces the default's source; `emeaMode` is emea's attributes mode.
 */
export function attributesConfig(dir: string, departmentSource = 'user.department', name = 'config.yaml', emeaMode?: string): string {
  const lines = ROOT_CONFIG.split('\n');
  const hubAuth = lines.findIndex((l) => l.includes('token: ${OKTA_HUB_ADMIN_TOKEN}'));
  lines.splice(hubAuth + 1, 0, '  attributes:', '    carry:', `      - { name: department, source: ${departmentSource}, create: true }`);
  for (const spoke of ['emea', 'apac']) {
    const start = lines.findIndex((l) => l.includes(`- name: ${spoke}`));
    const label = lines.findIndex((l, i) => i > start && /^\s+label: Acme Hub$/.test(l));
    lines.splice(
      label + 1,
      0,
      '    attributes:',
      ...(spoke === 'emea' && emeaMode ? [`      mode: ${emeaMode}`] : []),
      '      carry:',
      `        - { name: spokeOrigin, source: '"${spoke}"', push: DONT_PUSH, create: true }`,
    );
  }
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n'));
  return file;
}
