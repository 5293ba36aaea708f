/**
 * A throwaway npm registry on loopback that serves the packages already installed in this
 * project's node_modules, so a test can `npm install` the packed org2org with a cold cache and no
 * network: npm resolves org2org's dependencies here exactly as it would from the real registry.
 *
 * Packuments list every version package-lock.json knows for a name. A version present on disk gets
 * its real package.json and a tarball packed from its folder (nested node_modules left out); one
 * that isn't (another platform's optional binary) gets the lock's os/cpu so npm skips it without
 * asking for a tarball.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

interface LockEntry {
  version?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  engines?: Record<string, string>;
  bin?: Record<string, string> | string;
}

export interface LocalRegistry {
  url: string;
  /** Package names npm asked for, in order. */
  requested: string[];
  close(): Promise<void>;
}

export async function startLocalRegistry(projectRoot: string): Promise<LocalRegistry> {
  const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const byName = new Map<string, Array<{ dir: string; entry: LockEntry }>>();
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key === '' || entry.link || !entry.version) continue;
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    byName.set(name, [...(byName.get(name) ?? []), { dir: join(projectRoot, key), entry }]);
  }

  const tarballs = new Map<string, Buffer>();
  const requested: string[] = [];
  let base = '';

  const packument = (name: string): object | undefined => {
    const found = byName.get(name);
    if (!found) return undefined;
    const versions: Record<string, object> = {};
    for (const { dir, entry } of found) {
      const version = entry.version!;
      if (versions[version]) continue;
      const onDisk = existsSync(join(dir, 'package.json'));
      const manifest: Record<string, unknown> = onDisk
        ? (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>)
        : {
            name,
            version,
            dependencies: entry.dependencies,
            optionalDependencies: entry.optionalDependencies,
            peerDependencies: entry.peerDependencies,
            os: entry.os,
            cpu: entry.cpu,
            engines: entry.engines,
            bin: entry.bin,
          };
      const file = `${name.replace('/', '-')}-${version}.tgz`;
      const dist: Record<string, string> = { tarball: `${base}/-/tarballs/${file}` };
      if (onDisk) {
        const tgz = packFolder(dir);
        tarballs.set(file, tgz);
        dist.integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
        dist.shasum = createHash('sha1').update(tgz).digest('hex');
      }
      versions[version] = { ...manifest, name, version, dist };
    }
    const latest = Object.keys(versions).sort(compareVersions).pop()!;
    return { name, 'dist-tags': { latest }, versions };
  };

  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (path.startsWith('/-/tarballs/')) {
      const tgz = tarballs.get(path.slice('/-/tarballs/'.length));
      if (!tgz) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': tgz.length }).end(tgz);
    }
    const name = path.slice(1);
    requested.push(name);
    const doc = packument(name);
    if (!doc) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    const body = JSON.stringify(doc);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('local registry: no port');
  base = `http://127.0.0.1:${address.port}`;
  return {
    url: `${base}/`,
    requested,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number(p));
  const pb = b.split(/[.-]/).map((p) => Number(p));
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return a.length - b.length;
}

/** A gzipped ustar archive of `dir` under `package/`, as npm packs it (no nested node_modules). */
export function packFolder(dir: string): Buffer {
  const blocks: Buffer[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel)).sort()) {
      const relPath = rel ? `${rel}/${entry}` : entry;
      const stat = lstatSync(join(dir, relPath));
      if (stat.isDirectory()) {
        if (entry !== 'node_modules') walk(relPath);
      } else if (stat.isFile()) {
        const content = readFileSync(join(dir, relPath));
        blocks.push(tarHeader(`package/${relPath}`, content.length, stat.mode & 0o111 ? 0o755 : 0o644), content);
        if (content.length % 512) blocks.push(Buffer.alloc(512 - (content.length % 512)));
      }
    }
  };
  walk('');
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

function tarHeader(path: string, size: number, mode: number): Buffer {
  const header = Buffer.alloc(512);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(path.slice(cut + 1)) > 100) throw new Error(`path too long for a tar header: ${path}`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  const octal = (n: number, width: number): string => n.toString(8).padStart(width - 1, '0') + '\0';
  header.write(name, 0, 100);
  header.write(octal(mode, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(size, 12), 124);
  header.write(octal(0, 12), 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  header.write(prefix, 345, 155);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return header;
}
