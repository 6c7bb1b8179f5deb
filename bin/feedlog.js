#!/usr/bin/env node
// The installed `feedlog` command: TypeScript sources run through tsx, as in development.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
