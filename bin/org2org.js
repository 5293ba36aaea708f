#!/usr/bin/env node
// The published entry point runs the TypeScript sources through tsx's loader, so the package
// ships one tree of code (src/) and `npx org2org` works the same from a clone or an install.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
