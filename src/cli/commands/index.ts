import { INTEGRATION_COMMANDS } from './integration.js';
import { ORG_COMMANDS } from './org.js';
import { RETENTION_COMMANDS } from './retention.js';
import { SERVER_COMMANDS } from './server.js';
import { DEMO_COMMANDS, SIMULATE_COMMANDS } from './simulate.js';
import type { Command } from './shared.js';
import { SUMMARY_COMMANDS } from './summary.js';
import { TOKEN_COMMANDS } from './token.js';
import { USER_COMMANDS } from './user.js';

export type { Command, Values } from './shared.js';

/** Every command, in the order the usage lists them. */
export const COMMANDS: Command[] = [
  ...SERVER_COMMANDS,
  ...ORG_COMMANDS,
  ...INTEGRATION_COMMANDS,
  ...USER_COMMANDS,
  ...TOKEN_COMMANDS,
  ...SUMMARY_COMMANDS,
  ...RETENTION_COMMANDS,
  ...SIMULATE_COMMANDS,
  ...DEMO_COMMANDS,
];
