#!/usr/bin/env node
// The `feedlog` command: the compiled app in dist/ (npm run build), rebuilt
// first when the sources changed since; compiling at every start cost seconds.
import { buildIfStale } from './build.js';

if (!buildIfStale()) process.exit(1);
await import('../dist/src/cli/main.js');
